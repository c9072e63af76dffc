// LSD under private topics with real engines, isolated in a fresh user+network namespace where
// only loopback exists, so no datagram can leave the machine (testing/lsd-child.ts is the body).
// Where namespaces are unavailable the test is skipped with its reason, never passed.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const CHILD = fileURLToPath(new URL('../testing/lsd-child.ts', import.meta.url))
// lo up with multicast, and the multicast range routed to it: the namespace's only interface.
// "src": without it the kernel picks 0.0.0.0 as the source (127.0.0.1 is host-scoped), and an
// announce from 0.0.0.0 is rightly never dialled.
const SETUP = 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo src 127.0.0.1'

function namespaceUnavailable(): string | undefined {
  const r = spawnSync('unshare', ['-rn', 'sh', '-c', SETUP], { encoding: 'utf8', timeout: 10_000 })
  if (r.error !== undefined) return `unshare/ip not runnable (${r.error.message})`
  if (r.status !== 0) return `cannot create a network namespace (${(r.stderr || `exit ${r.status}`).trim()})`
  return undefined
}

describe('local service discovery under private topics', () => {
  it('two engines with no DHT and no peers find each other on the LAN and transfer; the datagrams carry the topic, never the infohash', (t) => {
    const why = namespaceUnavailable()
    if (why !== undefined) {
      t.skip(`LSD test skipped: ${why}`)
      return
    }
    const r = spawnSync(
      'unshare',
      ['-rn', 'sh', '-c', `${SETUP} && exec "$0" --import tsx "$1"`, process.execPath, CHILD],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 90_000,
      },
    )
    const line = r.stdout.trim().split('\n').pop() ?? ''
    let out: {
      ok?: boolean
      why?: string
      datagrams?: number
      withTopic?: number
      withInfoHash?: number
      peers?: string[]
    }
    try {
      out = JSON.parse(line)
    } catch {
      assert.fail(`the namespaced test body printed no result (exit ${r.status}): ${r.stderr}${r.stdout}`)
    }
    assert.equal(r.status, 0, `${out.why ?? ''} ${r.stderr}`)
    assert.ok(out.ok, JSON.stringify(out))
    assert.ok((out.withTopic ?? 0) >= 2, `both engines announced the topic: ${JSON.stringify(out)}`)
    assert.equal(out.withInfoHash, 0, 'no datagram carried the infohash')
    assert.ok(out.peers?.includes('authorized'), 'the peer found by LSD was authorized')
  })
})
