// Hostile outsiders holding the infohash, against real nodes on 127.0.0.1 (issue 15): a huge
// frame is refused at its length prefix, frames of the largest legitimate size are read (and one
// byte more is refused), and a crowd of stalling, piece-claiming connections reopened as they are
// dropped cannot keep a member from its download. Throughout, the attacked node answers a status
// call and the member's file arrives byte for byte. How long the download takes next to a quiet
// one is measured by `npm run bench:hostile`, not here.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { callControl } from './control.js'
import type { TorrentStatus } from './node.js'
import { UNPROVEN_BUDGET, UNPROVEN_MAX_BYTES } from '../../engine/connection-budget.js'
import { MAX_EXTENDED_FRAME } from '../../protocol/frame-bounds.js'
import { HUGE_FRAME, nearLimitFrames, stallers, streamHugeFrame } from '../../testing/hostile-peers.js'
import { fetchShare, memberDownload } from '../../testing/member-download.js'
import { nodeStarter } from '../../testing/profiles.js'
import { LOOPBACK, tempDirs } from '../../testing/swarm.js'
import { eventually } from '../../testing/wait.js'

const MiB = 1024 * 1024
/** Frames of the largest legitimate size, within what an unproven peer may send (UNPROVEN_MAX_BYTES). */
const FRAMES = Math.floor(UNPROVEN_MAX_BYTES / MAX_EXTENDED_FRAME) - 1
const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

describe('hostile peers against a running node', () => {
  it('a huge frame is refused at its prefix, near-limit frames are read, and the member still gets its file', async () => {
    const d = await memberDownload(temp, 4 * MiB)
    const owner = await start(d.owner.store)
    const warnings: string[] = []
    owner.engine.on('warning', (e: Error) => warnings.push(e.message))
    const member = await start(d.member.store)

    // Enough that an unbounded wire would still be buffering (and copying) it long after the member is done.
    const huge = streamHugeFrame(LOOPBACK, owner.port, d.infoHash, { max: 256 * MiB })
    // From another address: the huge frame's sends its address to a cool-down.
    const near = nearLimitFrames(LOOPBACK, owner.port, d.infoHash, {
      frameBytes: MAX_EXTENDED_FRAME,
      count: FRAMES,
      chunk: 1024,
      closeWithinMs: 60_000,
      from: '127.0.0.3',
    })
    const status = callControl(d.owner.store.dir, 'status')
    await fetchShare(d, member, owner, 120_000)

    const answer = await status
    assert.equal(answer?.ok, true, `the owner's node answered its status call: ${JSON.stringify(answer)}`)
    const h = await huge
    assert.ok(h.closed, `the node closed the huge frame's connection (${h.sent} bytes streamed)`)
    assert.ok(h.sent < 256 * MiB, 'it did so before the attacker ran out of bytes to send')
    await eventually(
      () => warnings.some((w) => w.includes(`announced a ${HUGE_FRAME}-byte message (frame-too-long)`)),
      10_000,
      'the warning naming the refused prefix',
    )
    const n = await near
    assert.equal(n.frames, FRAMES, 'every frame of the largest legitimate size was read')
    assert.ok(n.closed, 'one byte more closed the connection')
    assert.ok(
      warnings.some((w) => w.includes(`announced a ${MAX_EXTENDED_FRAME + 1}-byte message (frame-too-long)`)),
      `the warning names the frame one byte too long: ${warnings.join(' | ')}`,
    )
  })

  it('150 stalling, piece-claiming connections reopened as they close keep no member from dialing in', async () => {
    const d = await memberDownload(temp, 4 * MiB)
    const owner = await start(d.owner.store)
    const member = await start(d.member.store)
    const crowd = stallers(LOOPBACK, member.port, d.infoHash, 150)
    try {
      // The crowd is in before the member dials: every slot it could take, it has.
      await eventually(() => crowd.attempts >= 300 && crowd.open > 0, 60_000, 'the crowd to be at the door')
      // The owner dials the member: its connection comes in through the budget the crowd fills.
      const fetched = fetchShare(d, member, owner, 120_000, 'owner')
      let answers = 0
      let done = false
      void fetched.finally(() => (done = true))
      while (!done) {
        const answer = await callControl(d.member.store.dir, 'status')
        assert.equal(answer?.ok, true, `the member's node answered its status call: ${JSON.stringify(answer)}`)
        answers++
        const share = (answer as { result: TorrentStatus[] }).result.find((t) => t.infoHash === d.infoHash)!
        const unproven = share.peers.filter((p) => p.state !== 'authorized').length
        assert.ok(unproven <= UNPROVEN_BUDGET, `${unproven} unproven connections held, budget ${UNPROVEN_BUDGET}`)
      }
      await fetched
      assert.ok(answers > 0)
      assert.ok(crowd.attempts > 300, `the crowd kept trying (${crowd.attempts} connections)`)
    } finally {
      crowd.stop()
    }
  })
})
