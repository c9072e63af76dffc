/**
 * The NAT lab's cases (issue 14), each a real transfer of a random file between two CLI nodes in
 * network namespaces, checked byte for byte. Run by `npm run test:net` (root; not part of
 * `npm test`); skipped with a one-line reason where namespaces cannot be made. The timings of
 * each case are printed as diagnostics; their table is `npm run bench:net`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { labUnavailable } from './lab.js'
import { CASES, runCase, webrtcUnavailable, type CaseSpec } from './scenario.js'

const why = labUnavailable()

async function connects(spec: CaseSpec, t: { diagnostic(m: string): void }) {
  const r = await runCase(spec)
  t.diagnostic(JSON.stringify(r))
  assert.ok(r.done, `${spec.name}: Bob had ${r.bytes} bytes after ${spec.timeoutMs / 1000} s`)
  assert.ok(r.identical, `${spec.name}: the file arrived with different bytes`)
  return r
}

describe('NAT lab', { skip: why }, () => {
  test('one member public, the other behind NAT: the file arrives', async (t) =>
    void (await connects(CASES.publicToNat, t)))

  test('both behind routers with UPnP IGD / NAT-PMP (miniupnpd): the file arrives', async (t) => {
    const r = await connects(CASES.bothMapped, t)
    assert.ok(
      r.reachability.some((l) => /reachable from the internet at 11\.0\.0\.2:\d+ \((NAT-PMP|UPnP)\)/.test(l)),
      'Alice says how she is reached',
    )
  })

  test('public owner and member started at the same moment, tracker only: found within seconds', async (t) =>
    void (await connects(CASES.startedTogether, t)))

  test('the owner restarted mid-download on the same address: the member resumes without a restart', async (t) => {
    const r = await connects(CASES.restart, t)
    assert.ok(r.resumeS !== undefined, 'Bob received again after Alice came back')
  })

  test('the owner away 25 s, the member knew her only from run --peer (no tracker): he redials her and resumes', async (t) => {
    const r = await connects(CASES.restartPeerOnly, t)
    assert.ok(r.resumeS !== undefined, 'Bob received again after Alice came back')
  })

  test('two members behind the same router find each other on the LAN', async (t) =>
    void (await connects(CASES.sameRouter, t)))

  const noRtc = why === undefined ? webrtcUnavailable() : why

  test(
    'both behind routers without UPnP: hole punched (ICE with the group’s STUN server)',
    { skip: noRtc },
    async (t) => {
      const r = await connects(CASES.punched, t)
      if (r.reached !== undefined)
        assert.ok(!r.reached.includes('relay'), `punched, not relayed: ${r.reached.join(', ')}`)
    },
  )

  test(
    'both behind symmetric NAT: relayed by TURN, and the relay saw none of the file’s bytes',
    { skip: noRtc },
    async (t) => {
      const r = await connects(CASES.relayed, t)
      if (r.reached !== undefined) assert.ok(r.reached.includes('relay'), `relayed: ${r.reached.join(', ')}`)
      assert.ok(
        r.captured! > CASES.relayed.size,
        `the whole file passed the public host (${r.captured} bytes captured)`,
      )
      assert.deepEqual(r.plaintextAt, [], 'no run of the file’s bytes in the capture')
    },
  )
})
