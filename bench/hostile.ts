/**
 * What hostile outsiders cost a member (issue 15): a member's download of one share from its owner,
 * on real nodes on 127.0.0.1, quiet and under each attack of electron/core/testing/hostile-peers.ts,
 * runs interleaved so the machine's load falls on all alike. Reported as ratios to the quiet
 * download (target: within 10 %), with the attacked node's status-call latency next to it.
 *   huge        a peer announces a 2 GiB frame and streams into it (at the owner)
 *   near-limit  a peer sends frames of the largest legitimate size in 1 KiB writes (at the owner)
 *   stallers    150 connections claim every piece and never send one, reopened as dropped (at the member)
 * Usage: npm run bench:hostile [-- --runs N] [--mib N]
 */
import { parseArgs } from 'node:util'
import { MAX_EXTENDED_FRAME } from '../electron/core/protocol/frame-bounds.js'
import { callControl } from '../electron/core/service/runtime/control.js'
import { nearLimitFrames, stallers, streamHugeFrame } from '../electron/core/testing/hostile-peers.js'
import { fetchShare, memberDownload } from '../electron/core/testing/member-download.js'
import { nodeStarter } from '../electron/core/testing/profiles.js'
import { LOOPBACK, tempDirs } from '../electron/core/testing/swarm.js'
import { eventually } from '../electron/core/testing/wait.js'
import { median, round } from './stats.js'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, mib: { type: 'string', default: '4' } },
})
const RUNS = Number(values.runs)
const BYTES = Number(values.mib) * 1024 * 1024
const STALLERS = 150
const TARGET = 1.1
const MiB = 1024 * 1024

type Attack = 'quiet' | 'huge' | 'near-limit' | 'stallers'
const ATTACKS: readonly Attack[] = ['quiet', 'huge', 'near-limit', 'stallers']

interface Sample {
  readonly downloadMs: number
  /** The attacked node's answer to a status call, made while the member downloads. */
  readonly statusMs: number
}

async function once(attack: Attack): Promise<Sample> {
  const { temp, cleanup } = tempDirs()
  const { start, stopAll } = nodeStarter()
  const stops: (() => void)[] = []
  try {
    const d = await memberDownload(temp, BYTES)
    const owner = await start(d.owner.store)
    const member = await start(d.member.store)
    let attacked = d.owner.store.dir
    if (attack === 'huge') {
      void streamHugeFrame(LOOPBACK, owner.port, d.infoHash, { max: 1024 * MiB })
    } else if (attack === 'near-limit') {
      const frames = { frameBytes: MAX_EXTENDED_FRAME, count: 1_000_000, chunk: 1024, closeWithinMs: 1000 }
      // Two of them, back to back, so one is always sending.
      for (let i = 0; i < 2; i++) void nearLimitFrames(LOOPBACK, owner.port, d.infoHash, frames).catch(() => {})
    } else if (attack === 'stallers') {
      const crowd = stallers(LOOPBACK, member.port, d.infoHash, STALLERS)
      stops.push(() => crowd.stop())
      await eventually(() => crowd.opened >= STALLERS, 60_000, 'the stallers to connect')
      attacked = d.member.store.dir
    }
    const fetched = fetchShare(d, member, owner.port, 300_000)
    const t0 = performance.now()
    await callControl(attacked, 'status')
    const statusMs = performance.now() - t0
    return { downloadMs: await fetched, statusMs }
  } finally {
    stops.forEach((s) => s())
    await stopAll()
    cleanup()
  }
}

const samples = new Map<Attack, Sample[]>(ATTACKS.map((a) => [a, []]))
for (let run = 0; run < RUNS; run++) {
  for (const attack of ATTACKS) {
    const s = await once(attack)
    samples.get(attack)!.push(s)
    console.error(
      `run ${run + 1}/${RUNS} ${attack}: ${Math.round(s.downloadMs)} ms, status ${Math.round(s.statusMs)} ms`,
    )
  }
}

const med = (a: Attack, k: keyof Sample) => median(samples.get(a)!.map((s) => s[k]))
const quiet = med('quiet', 'downloadMs')
console.log(
  `\nA member's ${values.mib} MiB download, median of ${RUNS} interleaved runs (ratio to quiet; target ≤ ${TARGET})\n`,
)
console.log('| attack | download (ms) | ratio | status call (ms) | within target |')
console.log('|---|---|---|---|---|')
for (const a of ATTACKS) {
  const ratio = med(a, 'downloadMs') / quiet
  const within = a === 'quiet' ? '' : ratio <= TARGET ? 'yes' : 'NO'
  console.log(
    `| ${a} | ${Math.round(med(a, 'downloadMs'))} | ${round(ratio)} | ${Math.round(med(a, 'statusMs'))} | ${within} |`,
  )
}
// The attackers' sockets and timers end with the process.
process.exit(0)
