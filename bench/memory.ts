/**
 * `npm run bench:memory` (issue 16): peak RSS of a seeding node and of its members' nodes, each its
 * own process, for a large file, 1 -> 1 (the whole file) and 1 -> 8 (each member downloads
 * BENCH_MEMORY_SWARM_MIB of it: eight whole copies of 4 GiB would be 32 GiB of disk and minutes of
 * a shared machine, while the seeder's memory reaches its level within seconds). Targets: seeder
 * < 200 MiB with 1 and with 8 members, member < 200 MiB.
 *
 * Peak RSS is the kernel's VmHWM of each process, its window reset (clear_refs) when the transfer
 * starts; baseline is VmRSS after seeding or adding, before any peer. At the seeder's largest
 * 0.5 s sample (and the first member's) the V8 heap and the Buffers (external, arrayBuffers) say where the memory is.
 * Peers run as the desktop app does, from an esbuild bundle (bench/bundle.ts); BENCH_LOADER=tsx runs
 * them from source, as `coterie run` in a checkout does, which adds tsx's compiler: 40-50 MiB a process.
 *
 * Knobs: BENCH_MEMORY_GIB=4 BENCH_MEMORY_PEERS=8 (0: no 1 -> N run) BENCH_MEMORY_SWARM_MIB=512 BENCH_MEMORY_PAIR_MIB=<whole file>
 *   BENCH_MEMORY_KINDS=closed,open (closed: the engine as shipped; open: plain WebTorrent)
 *   BENCH_STORE_CACHE=<pieces> the closed peers' store cache (engine STORE_CACHE_SLOTS unless set)
 *   BENCH_MEMORY_IN_FLIGHT=<MiB>,<MiB>,... each closed run once per bound on pieces in flight, in this order
 *     (BENCH_PIECES_IN_FLIGHT of its peers; engine PIECE_BYTES_IN_FLIGHT unless set): A/B in one run
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanup, LIMIT, Peer, randomFile, startSeeder, tempRoot } from './transfer.js'
import type { Kind } from './peer.js'
import { round } from './stats.js'
import { LOADER } from './bundle.js'

const MiB = 1024 * 1024
const env = (name: string, fallback: number): number => {
  const v = process.env[name]
  const n = v === undefined || v === '' ? fallback : Number(v)
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} must be a number >= 0`)
  return n
}
const GIB = env('BENCH_MEMORY_GIB', 4)
const PEERS = env('BENCH_MEMORY_PEERS', 8)
const SWARM_MIB = env('BENCH_MEMORY_SWARM_MIB', 512)
/** 1 -> 1: the member downloads this much (MiB), the whole file unless set (a loaded machine's shortcut). */
const PAIR_MIB = env('BENCH_MEMORY_PAIR_MIB', GIB * 1024)
const KINDS = (process.env.BENCH_MEMORY_KINDS ?? 'closed,open').split(',') as Kind[]
/** Bounds on pieces in flight (MiB) to run the closed kind with, one run each; [undefined]: the engine's. */
const IN_FLIGHT: (string | undefined)[] = (process.env.BENCH_MEMORY_IN_FLIGHT ?? '').split(',').filter((x) => x !== '')
if (IN_FLIGHT.length === 0) IN_FLIGHT.push(undefined)
/** The RSS target of issue 16, per process (MiB). */
const TARGET_MIB = 200
/** How often the seeder's memory is sampled for the breakdown. */
const SAMPLE_MS = 500
/** A transfer that stalls this long, or runs this long, fails the bench (it does not hang). */
const STALL_MS = 60_000
const RUN_LIMIT_MS = 30 * 60_000

const say = (s: string) => process.stderr.write(`${s}\n`)
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130))

function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m === null ? NaN : round(Number(m[1]) / 1024, 1)
}

interface Mem {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /** A closed node's peak bytes of pieces being downloaded since the previous sample. */
  inFlightPeak: number
}
const mem = (p: Peer) => p.req<Mem>({ cmd: 'mem' }, LIMIT.start)
const mib = (m: Mem) => ({
  rss: round(m.rss / MiB, 1),
  heap_used: round(m.heapUsed / MiB, 1),
  heap_total: round(m.heapTotal / MiB, 1),
  external: round(m.external / MiB, 1),
  array_buffers: round(m.arrayBuffers / MiB, 1),
})

interface RunResult {
  kind: Kind
  /** The closed peers' bound on pieces in flight (MiB), when BENCH_MEMORY_IN_FLIGHT set one. */
  in_flight_bound?: string
  members: number
  mib_each: number
  seconds: number
  seeder_baseline_MiB: number
  member_baseline_MiB: number
  seeder_peak_MiB: number
  member_peak_MiB: number
  seeder_at_peak_sample: ReturnType<typeof mib>
  /** The first member's largest sample: where a downloading node's memory is. */
  member_at_peak_sample: ReturnType<typeof mib>
  seeder_peak_queued_MiB: number
  /** The first member's most bytes of pieces being downloaded (closed: engine/pieces-in-flight.ts). */
  member_peak_in_flight_MiB: number
}

async function run(kind: Kind, file: string, root: string, members: number, bytesEach: number): Promise<RunResult> {
  const s = await startSeeder(kind, false, file)
  const leechers: Peer[] = []
  try {
    for (let i = 0; i < members; i++) leechers.push(await Peer.spawn(`${kind} member ${i + 1}`, kind))
    const dirs = leechers.map((_, i) => join(root, `mem-${kind}-${members}-${i}`))
    const ports: number[] = []
    for (const [i, l] of leechers.entries()) {
      mkdirSync(dirs[i]!)
      ports.push(
        (await l.req<{ port: number }>({ cmd: 'start', kind, utp: false, who: `member ${i + 1}` }, LIMIT.start)).port,
      )
      await l.req({ cmd: 'add', meta: s.meta, dir: dirs[i]! }, LIMIT.add)
    }
    const seederBase = vm(s.peer.pid, 'VmRSS')
    const memberBase = Math.max(...leechers.map((l) => vm(l.pid, 'VmRSS')))
    await s.peer.req({ cmd: 'queue' }, LIMIT.start)
    for (const p of [s.peer, ...leechers]) p.resetPeakRss()
    let atPeak: Mem | undefined
    let memberAtPeak: Mem | undefined
    let memberInFlight = 0
    const sampler = setInterval(() => {
      void mem(s.peer).then(
        (m) => {
          if (atPeak === undefined || m.rss > atPeak.rss) atPeak = m
        },
        () => {},
      )
      void mem(leechers[0]!).then(
        (m) => {
          if (memberAtPeak === undefined || m.rss > memberAtPeak.rss) memberAtPeak = m
          memberInFlight = Math.max(memberInFlight, m.inFlightPeak)
        },
        () => {},
      )
    }, SAMPLE_MS)
    const t0 = performance.now()
    try {
      await Promise.all(
        leechers.map((l, i) =>
          l.req(
            {
              cmd: 'go',
              infoHash: s.infoHash,
              // Members also dial each other, as in a real swarm (and bench/transfer.ts's swarm).
              peers: [`127.0.0.1:${s.port}`, ...ports.slice(0, i).map((p) => `127.0.0.1:${p}`)],
              stallMs: STALL_MS,
              limitMs: RUN_LIMIT_MS,
              ...(bytesEach < GIB * 1024 * MiB && { untilBytes: bytesEach }),
            },
            RUN_LIMIT_MS + 15_000,
          ),
        ),
      )
    } finally {
      clearInterval(sampler)
    }
    const seconds = round((performance.now() - t0) / 1000, 1)
    const queued = await s.peer.req<{ peakBytes: number }>({ cmd: 'queue' }, LIMIT.start)
    const r: RunResult = {
      kind,
      ...(kind !== 'open' &&
        process.env.BENCH_PIECES_IN_FLIGHT !== undefined && {
          in_flight_bound: process.env.BENCH_PIECES_IN_FLIGHT,
        }),
      members,
      mib_each: round(bytesEach / MiB, 0),
      seconds,
      seeder_baseline_MiB: seederBase,
      member_baseline_MiB: memberBase,
      seeder_peak_MiB: vm(s.peer.pid, 'VmHWM'),
      member_peak_MiB: Math.max(...leechers.map((l) => vm(l.pid, 'VmHWM'))),
      seeder_at_peak_sample: mib(atPeak ?? (await mem(s.peer))),
      member_at_peak_sample: mib(memberAtPeak ?? (await mem(leechers[0]!))),
      seeder_peak_queued_MiB: round(queued.peakBytes / MiB, 1),
      member_peak_in_flight_MiB: round(memberInFlight / MiB, 1),
    }
    say(`  ${JSON.stringify(r)}`)
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
    return r
  } finally {
    await Promise.allSettled([...leechers.map((l) => l.close()), s.peer.close()])
  }
}

const root = tempRoot()
say(`memory: writing ${GIB} GiB of random data`)
const file = randomFile(join(root, 'src'), 'memory.bin', GIB * 1024 * MiB)
const results: RunResult[] = []
try {
  for (const kind of KINDS) {
    for (const bound of kind === 'open' ? [undefined] : IN_FLIGHT) {
      // Peers take their environment when spawned (bench/transfer.ts), so each run can have its own bound.
      if (bound === undefined) delete process.env.BENCH_PIECES_IN_FLIGHT
      else process.env.BENCH_PIECES_IN_FLIGHT = bound
      const label = bound === undefined ? '' : `, ${bound} MiB in flight`
      say(`memory: ${kind}, 1 -> 1, ${PAIR_MIB} MiB of ${GIB} GiB${label}`)
      results.push(await run(kind, file, root, 1, Math.min(PAIR_MIB * MiB, GIB * 1024 * MiB)))
      if (PEERS === 0) continue
      say(`memory: ${kind}, 1 -> ${PEERS}, ${SWARM_MIB} MiB each${label}`)
      results.push(await run(kind, file, root, PEERS, Math.min(SWARM_MIB * MiB, GIB * 1024 * MiB)))
    }
  }
} catch (err) {
  say(`\nbench:memory FAILED: ${err instanceof Error ? err.message : String(err)}`)
  cleanup()
  process.exit(1)
}
cleanup()

console.log(
  `\nMemory, seeding a ${GIB} GiB file (MiB; peak = VmHWM of the process during the run; baseline = RSS before it; at peak = the seeder's and the first member's largest 0.5 s sample; in flight = a member's pieces being downloaded, engine/pieces-in-flight.ts)`,
)
console.table(
  results.map((r) => ({
    kind: r.kind,
    'in flight bound': r.in_flight_bound ?? '',
    members: r.members,
    'MiB each': r.mib_each,
    s: r.seconds,
    'seeder peak': r.seeder_peak_MiB,
    'seeder baseline': r.seeder_baseline_MiB,
    'member peak': r.member_peak_MiB,
    'member baseline': r.member_baseline_MiB,
    'seeder heap used/total': `${r.seeder_at_peak_sample.heap_used}/${r.seeder_at_peak_sample.heap_total}`,
    'seeder Buffers': r.seeder_at_peak_sample.array_buffers,
    'seeder queued': r.seeder_peak_queued_MiB,
    'member heap used/total': `${r.member_at_peak_sample.heap_used}/${r.member_at_peak_sample.heap_total}`,
    'member Buffers': r.member_at_peak_sample.array_buffers,
    'member in flight': r.member_peak_in_flight_MiB,
  })),
)
for (const r of results.filter((x) => x.kind === 'closed')) {
  const ok = (x: number) => (x < TARGET_MIB ? 'met' : 'MISSED')
  console.log(`seeder 1 -> ${r.members}: ${r.seeder_peak_MiB} MiB (target < ${TARGET_MIB}): ${ok(r.seeder_peak_MiB)}`)
  console.log(`member 1 -> ${r.members}: ${r.member_peak_MiB} MiB (target < ${TARGET_MIB}): ${ok(r.member_peak_MiB)}`)
}
const dir = new URL('./results/', import.meta.url)
mkdirSync(dir, { recursive: true })
writeFileSync(
  new URL('memory.json', dir),
  JSON.stringify({ date: new Date().toISOString(), gib: GIB, loader: LOADER, results }, null, 2) + '\n',
)
console.log('wrote bench/results/memory.json')
