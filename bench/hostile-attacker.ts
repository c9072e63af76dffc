/**
 * One attack of electron/core/testing/hostile-peers.ts in a process of its own, for
 * bench/hostile.ts: an attacker's CPU is its own, so it must not share the measured nodes' event
 * loop. Prints "ready" once the attack is under way, and runs until killed.
 * Usage: tsx bench/hostile-attacker.ts huge|near-limit|stallers PORT INFOHASH [STALLERS]
 */
import { MAX_EXTENDED_FRAME } from '../electron/core/protocol/frame-bounds.js'
import { nearLimitFrames, stallers, streamHugeFrame } from '../electron/core/testing/hostile-peers.js'
import { LOOPBACK } from '../electron/core/testing/swarm.js'

const [kind, port, infoHash, count] = process.argv.slice(2)
if (port === undefined || infoHash === undefined) throw new Error('usage: hostile-attacker KIND PORT INFOHASH [N]')
const MiB = 1024 * 1024

if (kind === 'huge') {
  // Announce and stream again each time the node closes the connection, as a determined attacker
  // would; under way (the reconnect loop, what it costs the node from then on) once the first is closed.
  let rounds = 0
  const again = (): void => {
    if (rounds++ === 1) console.log('ready')
    void streamHugeFrame(LOOPBACK, Number(port), infoHash, { max: 1024 * MiB }).then(again, again)
  }
  again()
} else if (kind === 'near-limit') {
  const frames = { frameBytes: MAX_EXTENDED_FRAME, count: 1_000_000, chunk: 1024, closeWithinMs: 1000 }
  // Two at once, so one is always sending.
  for (let i = 0; i < 2; i++) void nearLimitFrames(LOOPBACK, Number(port), infoHash, frames).catch(() => {})
  console.log('ready')
} else if (kind === 'stallers') {
  const n = Number(count ?? 150)
  const crowd = stallers(LOOPBACK, Number(port), infoHash, n)
  const wait = setInterval(() => {
    if (crowd.attempts < 2 * n || crowd.open === 0) return
    clearInterval(wait)
    console.log('ready')
    setInterval(() => console.error(`stallers: ${crowd.attempts} tried, ${crowd.opened} let in`), 5000).unref()
  }, 50)
} else throw new Error(`no attack ${kind}`)
