/**
 * What hostile outsiders cost a member (issue 15): a member's download of one share from its owner,
 * on real nodes on 127.0.0.1, quiet and under each attack of electron/core/testing/hostile-peers.ts,
 * runs interleaved so the machine's load falls on all alike. Reported as ratios to the quiet
 * download (target: within 10 %), with the attacked node's status-call latency next to it.
 *   huge        a peer announces a 2 GiB frame and streams into it (at the owner)
 *   near-limit  a peer sends frames of the largest legitimate size in 1 KiB writes (at the owner)
 *   stallers    150 connections claim every piece and never send one, reopened as dropped (at the member)
 * Before each download, the nodes' CPU is also taken over IDLE_MS with the attack under way and
 * nothing else to do: what the attack alone costs, apart from the download's noise.
 * Usage: npm run bench:hostile [-- --runs N] [--mib N]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { parseArgs } from 'node:util'
import { callControl } from '../electron/core/service/runtime/control.js'
import { fetchShare, memberDownload } from '../electron/core/testing/member-download.js'
import { nodeStarter } from '../electron/core/testing/profiles.js'
import { tempDirs } from '../electron/core/testing/swarm.js'
import { median, round } from './stats.js'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, mib: { type: 'string', default: '4' } },
})
const RUNS = Number(values.runs)
const BYTES = Number(values.mib) * 1024 * 1024
const STALLERS = 150
const TARGET = 1.1
const IDLE_MS = 3000
const ATTACKER = new URL('./hostile-attacker.ts', import.meta.url).pathname

type Attack = 'quiet' | 'huge' | 'near-limit' | 'stallers'
const ATTACKS: readonly Attack[] = ['quiet', 'huge', 'near-limit', 'stallers']

interface Sample {
  readonly downloadMs: number
  /**
   * CPU time of this process (both nodes; the attacker runs apart) while the member downloads:
   * what the attack costs the nodes, which a loaded machine stretches far less than wall time.
   */
  readonly cpuMs: number
  /** The attacked node's answer to a status call, made while the member downloads. */
  readonly statusMs: number
  /** The nodes' CPU per second of IDLE_MS before the download, the attack under way. */
  readonly idleCpuMsPerS: number
}

/** Starts an attack in its own process; resolves once it is under way. */
function attacker(kind: Exclude<Attack, 'quiet'>, port: number, infoHash: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ATTACKER, kind, String(port), infoHash, String(STALLERS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${kind} attacker did not start`)), 120_000)
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('ready')) return
      clearTimeout(timer)
      resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`the ${kind} attacker exited (${code})`)))
  })
}

async function once(attack: Attack): Promise<Sample> {
  const { temp, cleanup } = tempDirs()
  const { start, stopAll } = nodeStarter()
  let child: ChildProcess | undefined
  try {
    const d = await memberDownload(temp, BYTES)
    const owner = await start(d.owner.store)
    const member = await start(d.member.store)
    const target = attack === 'stallers' ? member : owner
    if (attack !== 'quiet') child = await attacker(attack, target.port, d.infoHash)
    const idle0 = process.cpuUsage()
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
    const idle = process.cpuUsage(idle0)
    const idleCpuMsPerS = (idle.user + idle.system) / IDLE_MS
    const cpu0 = process.cpuUsage()
    const fetched = fetchShare(d, member, owner, 300_000)
    const t0 = performance.now()
    await callControl(attack === 'stallers' ? d.member.store.dir : d.owner.store.dir, 'status')
    const statusMs = performance.now() - t0
    const downloadMs = await fetched
    const cpu = process.cpuUsage(cpu0)
    return { downloadMs, cpuMs: (cpu.user + cpu.system) / 1000, statusMs, idleCpuMsPerS }
  } finally {
    child?.kill('SIGKILL')
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
      `run ${run + 1}/${RUNS} ${attack}: ${Math.round(s.downloadMs)} ms, CPU ${Math.round(s.cpuMs)} ms, status ${Math.round(s.statusMs)} ms, idle CPU ${Math.round(s.idleCpuMsPerS)} ms/s`,
    )
  }
}

const med = (a: Attack, k: keyof Sample) => median(samples.get(a)!.map((s) => s[k]))
const quiet = { wall: med('quiet', 'downloadMs'), cpu: med('quiet', 'cpuMs') }
console.log(
  `\nA member's ${values.mib} MiB download, median of ${RUNS} interleaved runs; ratios to quiet (target ≤ ${TARGET})\n`,
)
console.log(
  "| attack | download (ms) | ratio | nodes' CPU (ms) | ratio | status call (ms) | within target (wall / CPU) | nodes' CPU before the download (ms/s) |",
)
console.log('|---|---|---|---|---|---|---|---|')
for (const a of ATTACKS) {
  const wall = med(a, 'downloadMs') / quiet.wall
  const cpu = med(a, 'cpuMs') / quiet.cpu
  const within = a === 'quiet' ? '' : `${wall <= TARGET ? 'yes' : 'NO'} / ${cpu <= TARGET ? 'yes' : 'NO'}`
  console.log(
    `| ${a} | ${Math.round(med(a, 'downloadMs'))} | ${round(wall)} | ${Math.round(med(a, 'cpuMs'))} | ${round(cpu)} | ${Math.round(med(a, 'statusMs'))} | ${within} | ${Math.round(med(a, 'idleCpuMsPerS'))} |`,
  )
}
process.exit(0)
