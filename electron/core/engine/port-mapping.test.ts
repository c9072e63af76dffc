// Port mapping's pure parts (issue 14): the gateway read from a routing table, which external
// addresses are worth announcing (none behind CGNAT), and the reachability line people see.
// The mapping itself is tested against a real miniupnpd in the NAT lab (npm run test:net).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { defaultGateway, describeReachability, isPrivateIPv4, reachabilityOf } from './port-mapping.js'

const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
`

describe('port mapping, pure parts', () => {
  it('reads the default gateway from /proc/net/route (little-endian hex), none without a default route', () => {
    assert.equal(defaultGateway(ROUTES), '192.168.2.1')
    assert.equal(defaultGateway(ROUTES.split('\n').slice(0, 2).join('\n')), undefined)
    assert.equal(defaultGateway(''), undefined)
  })

  it('private, loopback, link-local and CGNAT addresses are not reachable from the internet', () => {
    for (const ip of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '100.127.255.255',
      '127.0.0.1',
      '169.254.1.1',
      '0.0.0.0',
    ])
      assert.ok(isPrivateIPv4(ip), ip)
    for (const ip of ['11.0.0.2', '172.32.0.1', '100.128.0.1', '8.8.8.8', '192.169.0.1'])
      assert.ok(!isPrivateIPv4(ip), ip)
  })

  it('says how peers reach us: public address, behind NAT, never both', () => {
    assert.deepEqual(reachabilityOf(51413, undefined, ['192.168.1.2', '11.0.0.1']), {
      kind: 'public',
      address: '11.0.0.1:51413',
    })
    assert.deepEqual(reachabilityOf(51413, undefined, ['192.168.1.2', '100.70.0.3']), { kind: 'nat' })
    assert.equal(
      describeReachability({ kind: 'mapped', method: 'upnp', address: '11.0.0.2:51413' }),
      'reachable from the internet at 11.0.0.2:51413 (UPnP)',
    )
    assert.match(describeReachability({ kind: 'nat' }), /^not reachable from outside: behind NAT/)
  })
})
