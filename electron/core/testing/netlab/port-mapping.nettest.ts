/**
 * The engine's port mapping against a real miniupnpd (issue 14), in the NAT lab: a home maps a
 * port with NAT-PMP, then with UPnP IGD; the public host reaches the home's listener through the
 * router's external address and the granted port; after stop, the router forwards nothing more.
 * Run by `npm run test:net` (root), skipped with a one-line reason elsewhere.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { buildLab, labUnavailable, type Lab } from './lab.js'
import type { PortMapping } from '../../engine/port-mapping.js'

const why = labUnavailable()
const CHILD = new URL('./map-child.ts', import.meta.url).pathname

/** What the public host reads from HOST:PORT (empty when nothing answers within 2 s). */
function dial(lab: Lab, host: string, port: number): string {
  return lab
    .run('pub', 'timeout', ['2', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port} && head -n1 <&3`])
    .stdout.trim()
}

describe('port mapping against miniupnpd', { skip: why }, () => {
  for (const method of ['nat-pmp', 'upnp'] as const) {
    test(`${method}: the public host reaches the home through the granted port, and not after stop`, async () => {
      const lab = buildLab({ homes: { a: { upnp: true }, b: {} }, uplink: 2 << 20 })
      try {
        await new Promise((r) => setTimeout(r, 500)) // miniupnpd listening
        assert.equal(dial(lab, lab.wan.hA, 40123), '', 'nothing is forwarded before the mapping')
        const child = lab.spawn('hA', process.execPath, ['--import', 'tsx', CHILD, '40123', method])
        let out = ''
        child.stdout!.on('data', (d) => (out += d))
        child.stderr!.on('data', (d) => (out += d))
        const line = await new Promise<string>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no mapping: ${out}`)), 20_000)
          child.stdout!.on('data', () => out.includes('\n') && (clearTimeout(t), resolve(out.split('\n')[0]!)))
        })
        const m = JSON.parse(line) as PortMapping | null
        assert.ok(m !== null, `${method} mapped: ${out}`)
        assert.equal(m.method, method)
        assert.equal(m.externalIp, lab.wan.hA, 'the router reports its external address')
        assert.equal(dial(lab, m.externalIp!, m.externalPort), 'coterie', 'the mapping forwards to the home')
        child.stdin!.write('stop\n')
        await new Promise((r) => child.once('exit', r))
        assert.match(out, /stopped/)
        assert.equal(dial(lab, m.externalIp!, m.externalPort), '', 'stop removed the mapping')
      } finally {
        lab.destroy()
      }
    })
  }
})
