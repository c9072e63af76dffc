/**
 * Transfer throughput over 127.0.0.1, closed (Coterie Engine seeder and member leechers, behind
 * the gate) against open (plain WebTorrent seeder and leechers, a plain public torrent made by
 * `client.seed`), with the same transport and options. Every peer is its own process
 * (bench/peer.ts), driven over IPC; every wait is bounded.
 *
 * Timing: from the leecher's addPeer to its 'done', measured inside the leecher process.
 * MB = 10^6 bytes. One untimed warm-up run of each kind, then closed and open runs alternate
 * (C O, O C, C O, ...) so drift and order effects fall on both alike; each pair gives one ratio.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GoResult, Kind, PeerInfo, Request } from './peer.js'
import { median, round } from './stats.js'
import { bundledPeer, LOADER } from './bundle.js'

const LOOPBACK = '127.0.0.1'
/** BENCH_DEBUG=1: per-peer byte counts and progress traces on stderr. */
const DEBUG = process.env.BENCH_DEBUG !== undefined && process.env.BENCH_DEBUG !== ''
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PEER_SCRIPT = fileURLToPath(new URL('./peer.ts', import.meta.url))
/** The libtorrent peer: Debian's python3-libtorrent is for the system Python, whatever python3 is on PATH. */
const PYTHON = '/usr/bin/python3'
const LIBTORRENT_SCRIPT = fileURLToPath(new URL('./libtorrent-peer.py', import.meta.url))
/** BENCH_PROF=<dir>: a V8 CPU profile of every peer process, written there when it exits. */
const PROFILE_ARGS = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []
/**
 * BENCH_PIN=1: each seeder on CPU 0, each leecher on CPU 1 (taskset), so that a side's sealing
 * cannot take the other side's core: the nearest this 2-core machine comes to two machines.
 */
const PIN = process.env.BENCH_PIN === '1'
const MB = 1e6
const MiB = 1024 * 1024

/** Bounds on every wait (ms). A stalled transfer fails the bench with a message, never hangs it. */
export const LIMIT = { spawn: 90_000, start: 30_000, seed: 180_000, add: 60_000, stall: 20_000, stop: 30_000 }

// ---------------------------------------------------------------------------------------------
// Child peers and temp files, all cleaned up by cleanup() (also on SIGINT/SIGTERM and errors).

const live = new Set<Peer>()
const temps = new Set<string>()

export class Peer {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>()
  #next = 1
  #exited: string | undefined

  /** Forks the peer and waits until it has loaded (on a busy 2-core machine that takes seconds). */
  static async spawn(name: string, kind?: Kind): Promise<Peer> {
    const p = new Peer(name, kind === 'libtorrent')
    await p.#ready
    return p
  }

  readonly #ready: Promise<void>

  private constructor(
    readonly name: string,
    python: boolean,
  ) {
    // The Python peer speaks Node's IPC channel too (NODE_CHANNEL_FD, JSON lines).
    this.#child = python
      ? spawn(PYTHON, [LIBTORRENT_SCRIPT], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : LOADER === 'bundle'
        ? fork(bundledPeer().peer, [], {
            cwd: ROOT,
            execArgv: PROFILE_ARGS,
            env: { ...process.env, BENCH_ENGINE: bundledPeer().engine },
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          })
        : fork(PEER_SCRIPT, [], {
            cwd: ROOT,
            execArgv: ['--import', 'tsx', ...PROFILE_ARGS],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          })
    live.add(this)
    if (PIN && this.#child.pid !== undefined) {
      const cpu = name.includes('seeder') ? '0' : '1'
      const r = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(this.#child.pid)], { stdio: 'ignore' })
      if (r.status !== 0) throw new Error('BENCH_PIN=1 needs taskset (util-linux)')
    }
    this.#ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: not loaded within ${LIMIT.spawn} ms`)), LIMIT.spawn)
      this.#child.once('message', () => {
        clearTimeout(timer)
        resolve()
      })
      this.#child.once('exit', () => {
        clearTimeout(timer)
        reject(new Error(`${name} exited while loading`))
      })
    })
    this.#child.on('message', (m: { id: number; ok: boolean; error?: string }) => {
      const p = this.#pending.get(m.id)
      if (p === undefined) return
      this.#pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.ok) p.resolve(m)
      else p.reject(new Error(`${this.name}: ${m.error}`))
    })
    this.#child.on('exit', (code, signal) => {
      live.delete(this)
      this.#exited = `${this.name} exited (${signal ?? `code ${code}`})`
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer)
        p.reject(new Error(this.#exited))
      }
      this.#pending.clear()
    })
  }

  req<T>(r: Request, timeoutMs: number): Promise<T> {
    if (this.#exited !== undefined) return Promise.reject(new Error(this.#exited))
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${this.name}: no answer to '${r.cmd}' within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      this.#child.send({ id, ...r })
    })
  }

  /** Stops its node, then lets the process go (it exits when the IPC channel closes). */
  async close(): Promise<void> {
    if (this.#exited !== undefined) return
    try {
      await this.req({ cmd: 'stop' }, LIMIT.stop)
    } finally {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
      if (this.#child.connected) this.#child.disconnect()
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`${this.name}: no process id`)
    return this.#child.pid
  }

  kill(): void {
    if (this.#exited === undefined) this.#child.kill('SIGKILL')
  }

  /**
   * Linux: starts a new peak-RSS window (writing 5 to clear_refs resets VmHWM to the current RSS),
   * so one long-lived process gives the peak of each run. Returns false where that cannot be done.
   */
  resetPeakRss(): boolean {
    try {
      writeFileSync(`/proc/${this.#child.pid}/clear_refs`, '5')
      return true
    } catch {
      return false
    }
  }

  /** Peak RSS in MiB since the last resetPeakRss (VmHWM), or undefined off Linux. */
  peakRssMiB(): number | undefined {
    try {
      const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.#child.pid}/status`, 'utf8'))
      return m === null ? undefined : round(Number(m[1]) / 1024, 1)
    } catch {
      return undefined
    }
  }
}

/**
 * Whether libtorrent can run here (Debian's python3-libtorrent for the system Python), and if not,
 * why: the bench then skips its libtorrent runs with that line.
 */
export function libtorrentAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(PYTHON, ['-c', 'import libtorrent; print(libtorrent.__version__)'], {
    encoding: 'utf8',
    timeout: LIMIT.start,
  })
  if (r.error !== undefined) return { ok: false, reason: `${PYTHON}: ${r.error.message}` }
  if (r.status !== 0)
    return { ok: false, reason: `${PYTHON} -c "import libtorrent" failed (install python3-libtorrent)` }
  return { ok: true, version: r.stdout.trim() }
}

/** Kills every peer process still running and removes every temp dir. Synchronous: safe in 'exit'. */
export function cleanup(): void {
  for (const p of live) p.kill()
  for (const d of temps) rmSync(d, { recursive: true, force: true })
  temps.clear()
}

export function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'coterie-bench-'))
  temps.add(d)
  return d
}

/** A real file of random bytes, written in 4 MiB chunks. */
export function randomFile(dir: string, name: string, bytes: number): string {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, name)
  const fd = openSync(path, 'w')
  try {
    for (let left = bytes; left > 0; left -= 4 * MiB) writeSync(fd, randomBytes(Math.min(left, 4 * MiB)))
  } finally {
    closeSync(fd)
  }
  return path
}

// ---------------------------------------------------------------------------------------------

export interface Seeded {
  peer: Peer
  port: number
  infoHash: string
  /** Hex of what a leecher adds: the raw info dictionary (closed) or the .torrent file (open). */
  meta: string
  hashMs: number
}

export async function startSeeder(kind: Kind, utp: boolean, path: string): Promise<Seeded> {
  const peer = await Peer.spawn(`${kind} seeder`, kind)
  const { port } = await peer.req<{ port: number }>({ cmd: 'start', kind, utp, who: 'owner' }, LIMIT.start)
  const t0 = performance.now()
  const { infoHash, meta } = await peer.req<{ infoHash: string; meta: string }>({ cmd: 'seed', path }, LIMIT.seed)
  return { peer, port, infoHash, meta, hashMs: performance.now() - t0 }
}

const cpuOf = (p: Peer) => p.req<{ cpuMs: number }>({ cmd: 'cpu' }, LIMIT.start).then((r) => r.cpuMs)
/** The seeder's largest sampled upload queue since the last call, in MiB (not sampled for libtorrent). */
const queuePeakOf = (p: Peer) =>
  p
    .req<{ peakBytes?: number }>({ cmd: 'queue' }, LIMIT.start)
    .then((r) => (r.peakBytes === undefined ? undefined : round(r.peakBytes / MiB, 1)))

/**
 * One untimed run of each kind first (the first full-size transfer of a process is slower: JIT,
 * heap growth, buffers), then the kinds back to back in a rotating order (C O, O C, ... or
 * C G O, G O C, O C G, ...): each group of runs is one "pair", compared within itself.
 */
function schedule(runs: number, kinds: readonly Kind[]): { kind: Kind; warmUp: boolean; pair: number }[] {
  const order: { kind: Kind; warmUp: boolean; pair: number }[] = kinds.map((kind) => ({ kind, warmUp: true, pair: -1 }))
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < kinds.length; j++) order.push({ kind: kinds[(i + j) % kinds.length]!, warmUp: false, pair: i })
  }
  return order
}

export interface PairRun {
  kind: Kind
  ms: number
  MBps: number
  /** addPeer to the first byte of piece data (in a swarm: the median over the leechers). */
  first_byte_ms: number
  transport?: string
  leecher_cpu_pct: number
  seeder_cpu_pct: number
  /** CPU ms (every thread) per MiB delivered: the seeder's, and the leechers' together. */
  seeder_cpu_ms_per_MiB: number
  leecher_cpu_ms_per_MiB: number
  /** Peak RSS during the run (MiB, Linux): the seeder process's, and the largest leecher's. */
  seeder_peak_rss_MiB?: number
  leecher_peak_rss_MiB?: number
  /** The seeder's largest upload queue (bytes read from disk, not yet sent), sampled every 20 ms. */
  seeder_peak_queued_MiB?: number
}

export interface KindSummary {
  MBps_median: number
  first_byte_ms_median: number
  MBps_min: number
  MBps_max: number
  /** (max - min) / median of the throughputs, in percent. */
  spread_pct: number
  /** Medians over the runs. */
  seeder_cpu_ms_per_MiB: number
  leecher_cpu_ms_per_MiB: number
  /** The largest over the runs (MiB). */
  seeder_peak_rss_MiB?: number
  leecher_peak_rss_MiB?: number
  seeder_peak_queued_MiB?: number
}

export interface ComparisonResult {
  bytes: number
  runs: PairRun[]
  /** Every kind that ran (libtorrent when it can run here). */
  kinds: Partial<Record<Kind, KindSummary>>
  /** Median MB/s of each kind over plain WebTorrent's, and over libtorrent's when it ran. */
  vs_open: Partial<Record<Kind, number>>
  vs_libtorrent?: Partial<Record<Kind, number>>
  /** CPU ms per MiB of each kind over plain WebTorrent's, on each side. */
  cpu_vs_open: Partial<Record<Kind, { seeder: number; leecher: number }>>
  closed: KindSummary
  open: KindSummary
  /** median closed MB/s / median open MB/s */
  ratio: number
  /** When measured: the gate without sealed transfers, gate / open, and closed (sealed) / gate. */
  gate?: KindSummary
  gate_ratio?: number
  sealed_vs_gate?: number
  /** closed / open within each back-to-back pair, and their median */
  pair_ratios: number[]
  pair_ratio_median: number
}

/** Every kind of peer, in the order they are reported. */
const ALL_KINDS: readonly Kind[] = ['closed', 'records', 'gate', 'open', 'libtorrent']

const maxOf = (xs: (number | undefined)[]): number | undefined => {
  const ys = xs.filter((x): x is number => x !== undefined)
  return ys.length === 0 ? undefined : Math.max(...ys)
}

function summarize(runs: PairRun[]): KindSummary {
  const xs = runs.map((r) => r.MBps)
  const m = median(xs)
  const seederRss = maxOf(runs.map((r) => r.seeder_peak_rss_MiB))
  const leecherRss = maxOf(runs.map((r) => r.leecher_peak_rss_MiB))
  const queued = maxOf(runs.map((r) => r.seeder_peak_queued_MiB))
  return {
    MBps_median: round(m),
    first_byte_ms_median: round(median(runs.map((r) => r.first_byte_ms)), 1),
    MBps_min: round(Math.min(...xs)),
    MBps_max: round(Math.max(...xs)),
    spread_pct: round((100 * (Math.max(...xs) - Math.min(...xs))) / m, 1),
    seeder_cpu_ms_per_MiB: round(median(runs.map((r) => r.seeder_cpu_ms_per_MiB)), 2),
    leecher_cpu_ms_per_MiB: round(median(runs.map((r) => r.leecher_cpu_ms_per_MiB)), 2),
    ...(seederRss !== undefined && { seeder_peak_rss_MiB: seederRss }),
    ...(leecherRss !== undefined && { leecher_peak_rss_MiB: leecherRss }),
    ...(queued !== undefined && { seeder_peak_queued_MiB: queued }),
  }
}

function compare<R extends PairRun>(
  bytes: number,
  runs: { run: R; pair: number }[],
): Omit<ComparisonResult, 'runs'> & { runs: R[] } {
  const of = (k: Kind) => runs.filter((r) => r.run.kind === k).map((r) => r.run)
  const kinds: Partial<Record<Kind, KindSummary>> = {}
  for (const k of ALL_KINDS) if (of(k).length > 0) kinds[k] = summarize(of(k))
  const closed = kinds.closed!
  const open = kinds.open!
  const gate = kinds.gate
  const lt = kinds.libtorrent
  const over = (base: KindSummary) =>
    Object.fromEntries(
      Object.entries(kinds).map(([k, v]) => [k, round(v.MBps_median / base.MBps_median, 3)]),
    ) as Partial<Record<Kind, number>>
  const cpuVsOpen = Object.fromEntries(
    Object.entries(kinds).map(([k, v]) => [
      k,
      {
        seeder: round(v.seeder_cpu_ms_per_MiB / open.seeder_cpu_ms_per_MiB, 3),
        leecher: round(v.leecher_cpu_ms_per_MiB / open.leecher_cpu_ms_per_MiB, 3),
      },
    ]),
  ) as Partial<Record<Kind, { seeder: number; leecher: number }>>
  const pairs = [...new Set(runs.map((r) => r.pair))].map((p) => {
    const [c, o] = (['closed', 'open'] as const).map(
      (k) => runs.find((r) => r.pair === p && r.run.kind === k)!.run.MBps,
    )
    return c! / o!
  })
  return {
    bytes,
    runs: runs.map((r) => r.run),
    kinds,
    vs_open: over(open),
    ...(lt && { vs_libtorrent: over(lt) }),
    cpu_vs_open: cpuVsOpen,
    closed,
    open,
    ratio: round(closed.MBps_median / open.MBps_median, 3),
    ...(gate && {
      gate,
      gate_ratio: round(gate.MBps_median / open.MBps_median, 3),
      sealed_vs_gate: round(closed.MBps_median / gate.MBps_median, 3),
    }),
    pair_ratios: pairs.map((x) => round(x, 3)),
    pair_ratio_median: round(median(pairs), 3),
  }
}

const log = (s: string) => process.stderr.write(`  ${s}\n`)

/** libtorrent is a process of its own kind: the leecher for a run of kind k. */
const runtimeOf = (k: Kind) => (k === 'libtorrent' ? 'python' : 'node')

/** The kinds asked for, less libtorrent when it cannot run here (said once, with the reason). */
function runnable(kinds: readonly Kind[]): Kind[] {
  if (!kinds.includes('libtorrent')) return [...kinds]
  const lt = libtorrentAvailable()
  if (lt.ok) return [...kinds]
  log(`libtorrent skipped: ${lt.reason}`)
  return kinds.filter((k) => k !== 'libtorrent')
}

/** One seeder process to one leecher process: `runs` closed/open pairs after one warm-up of each. */
export async function benchPair(o: {
  root: string
  file: string
  bytes: number
  runs: number
  utp: boolean
  kinds?: readonly Kind[]
}): Promise<ComparisonResult> {
  const label = o.utp ? 'uTP' : 'TCP'
  const kinds = runnable(o.kinds ?? ['closed', 'open'])
  const seeders = {} as Record<Kind, Seeded>
  const leechers = new Map<'node' | 'python', Peer>()
  try {
    for (const kind of kinds) {
      const rt = runtimeOf(kind)
      if (!leechers.has(rt)) leechers.set(rt, await Peer.spawn(`${kind} leecher`, kind))
    }
    for (const kind of kinds) {
      seeders[kind] = await startSeeder(kind, o.utp, o.file)
      log(
        `${label} ${kind} seeder on port ${seeders[kind].port}: hashed ${(o.bytes / MiB).toFixed(0)} MiB in ${(seeders[kind].hashMs / 1000).toFixed(1)} s`,
      )
    }
    const limitMs = Math.max(60_000, (o.bytes / (2 * MB)) * 1000) // fails below 2 MB/s
    const runs: { run: PairRun; pair: number }[] = []
    let n = 0
    for (const { kind, warmUp, pair } of schedule(o.runs, kinds)) {
      const s = seeders[kind]
      const leecher = leechers.get(runtimeOf(kind))!
      const dir = join(o.root, `pair-${++n}-${kind}`)
      mkdirSync(dir)
      await leecher.req({ cmd: 'start', kind, utp: o.utp, who: 'member 1' }, LIMIT.start)
      await leecher.req({ cmd: 'add', meta: s.meta, dir }, LIMIT.add)
      const seederCpu0 = await cpuOf(s.peer)
      await queuePeakOf(s.peer)
      s.peer.resetPeakRss()
      leecher.resetPeakRss()
      const g = await leecher.req<GoResult>(
        {
          cmd: 'go',
          infoHash: s.infoHash,
          peers: [`${LOOPBACK}:${s.port}`],
          stallMs: LIMIT.stall,
          limitMs,
          watchPort: s.port,
          trace: DEBUG,
        },
        limitMs + 15_000,
      )
      const seederCpu = (await cpuOf(s.peer)) - seederCpu0
      const seederRss = s.peer.peakRssMiB()
      const leecherRss = leecher.peakRssMiB()
      const queued = await queuePeakOf(s.peer)
      const { peers } = await s.peer.req<{ peers: PeerInfo[] }>({ cmd: 'peers', infoHash: s.infoHash }, LIMIT.start)
      // The closed figures must be the gated path: the seeder served an authorized member.
      if (
        (kind === 'closed' || kind === 'records' || kind === 'gate') &&
        !peers.some((p) => p.state === 'authorized' && p.uploaded >= o.bytes)
      ) {
        throw new Error(`closed seeder did not upload the file to an authorized member: ${JSON.stringify(peers)}`)
      }
      await leecher.req({ cmd: 'stop' }, LIMIT.stop)
      rmSync(dir, { recursive: true, force: true })
      const run: PairRun = {
        kind,
        ms: round(g.ms, 1),
        MBps: round(o.bytes / MB / (g.ms / 1000)),
        first_byte_ms: round(g.firstByteMs, 1),
        ...(g.transport && { transport: g.transport }),
        leecher_cpu_pct: round((100 * g.cpuMs) / g.ms, 0),
        seeder_cpu_pct: round((100 * seederCpu) / g.ms, 0),
        seeder_cpu_ms_per_MiB: round(seederCpu / (o.bytes / MiB), 2),
        leecher_cpu_ms_per_MiB: round(g.cpuMs / (o.bytes / MiB), 2),
        ...(seederRss !== undefined && { seeder_peak_rss_MiB: seederRss }),
        ...(leecherRss !== undefined && { leecher_peak_rss_MiB: leecherRss }),
        ...(queued !== undefined && { seeder_peak_queued_MiB: queued }),
      }
      if (g.transport !== undefined && g.transport !== 'unknown' && g.transport !== (o.utp ? 'utp' : 'tcp')) {
        log(`warning: ${kind} run over ${g.transport}, expected ${label}`)
      }
      if (!warmUp) runs.push({ run, pair })
      if (DEBUG) log(`trace: ${JSON.stringify({ ...g.trace, samples: g.trace?.samples.slice(0, 12) })}`)
      log(
        `${label} ${kind.padEnd(10)} ${run.MBps.toFixed(1).padStart(6)} MB/s  ${(run.ms / 1000).toFixed(2)} s  first byte ${run.first_byte_ms.toFixed(0)} ms  cpu ms/MiB seeder ${run.seeder_cpu_ms_per_MiB} leecher ${run.leecher_cpu_ms_per_MiB}  peak RSS MiB seeder ${seederRss ?? '?'} leecher ${leecherRss ?? '?'}  seeder queue ${queued ?? '-'} MiB  (${run.transport ?? '?'})${warmUp ? '  warm-up, not counted' : ''}`,
      )
    }
    return compare(o.bytes, runs)
  } finally {
    await Promise.allSettled([
      ...[...leechers.values()].map((l) => l.close()),
      ...Object.values(seeders).map((s) => s.peer.close()),
    ])
  }
}

export interface SwarmRun extends PairRun {
  /** From the first addPeer of any leecher to the last 'done': aggregate = n * bytes / that. */
  last_done_ms: number
  first_done_ms: number
  /** Share of all bytes delivered that the seeder uploaded (the rest went member to member). */
  seeder_share_pct: number
}

export interface SwarmResult extends Omit<ComparisonResult, 'runs'> {
  leechers: number
  runs: SwarmRun[]
}

/**
 * One seeder to `leechers` leechers, each its own process. Every leecher dials the seeder and
 * every leecher before it (one connection per pair), so pieces also flow member to member, as
 * in a real swarm; closed members authorize each other on each of those connections.
 */
export async function benchSwarm(o: {
  root: string
  file: string
  bytes: number
  runs: number
  leechers: number
  kinds?: readonly Kind[]
}): Promise<SwarmResult> {
  const kinds = runnable(o.kinds ?? ['closed', 'open'])
  const seeders = {} as Record<Kind, Seeded>
  const groups = new Map<'node' | 'python', Peer[]>()
  try {
    // One at a time: nine processes loading at once starve each other on two cores.
    for (const kind of kinds) {
      const rt = runtimeOf(kind)
      if (groups.has(rt)) continue
      const group: Peer[] = []
      groups.set(rt, group)
      for (let i = 0; i < o.leechers; i++) group.push(await Peer.spawn(`${rt} leecher ${i + 1}`, kind))
    }
    for (const kind of kinds) {
      seeders[kind] = await startSeeder(kind, false, o.file)
      log(
        `swarm ${kind} seeder on port ${seeders[kind].port}: hashed ${(o.bytes / MiB).toFixed(0)} MiB in ${(seeders[kind].hashMs / 1000).toFixed(1)} s`,
      )
    }
    const limitMs = Math.max(90_000, ((o.leechers * o.bytes) / (2 * MB)) * 1000)
    const runs: { run: SwarmRun; pair: number }[] = []
    let n = 0
    for (const { kind, warmUp, pair } of schedule(o.runs, kinds)) {
      const s = seeders[kind]
      const leechers = groups.get(runtimeOf(kind))!
      const run = ++n
      const dirs = leechers.map((_, i) => join(o.root, `swarm-${run}-${kind}-${i + 1}`))
      dirs.forEach((d) => mkdirSync(d))
      const ports = await Promise.all(
        leechers.map((l, i) =>
          l
            .req<{ port: number }>({ cmd: 'start', kind, utp: false, who: `member ${i + 1}` }, LIMIT.start)
            .then((r) => r.port),
        ),
      )
      await Promise.all(leechers.map((l, i) => l.req({ cmd: 'add', meta: s.meta, dir: dirs[i]! }, LIMIT.add)))
      const seederCpu0 = await cpuOf(s.peer)
      await queuePeakOf(s.peer)
      for (const p of [s.peer, ...leechers]) p.resetPeakRss()
      const gos = await Promise.all(
        leechers.map((l, i) => {
          const peers = [`${LOOPBACK}:${s.port}`, ...ports.slice(0, i).map((p) => `${LOOPBACK}:${p}`)]
          return l.req<GoResult>(
            { cmd: 'go', infoHash: s.infoHash, peers, stallMs: LIMIT.stall, limitMs, trace: DEBUG },
            limitMs + 15_000,
          )
        }),
      )
      const seederCpu = (await cpuOf(s.peer)) - seederCpu0
      const seederRss = s.peer.peakRssMiB()
      const leecherRss = maxOf(leechers.map((l) => l.peakRssMiB()))
      const queued = await queuePeakOf(s.peer)
      const { peers } = await s.peer.req<{ peers: PeerInfo[] }>({ cmd: 'peers', infoHash: s.infoHash }, LIMIT.start)
      if (
        (kind === 'closed' || kind === 'records' || kind === 'gate') &&
        peers.filter((p) => p.state === 'authorized').length !== o.leechers
      ) {
        throw new Error(`closed swarm seeder: expected ${o.leechers} authorized members, saw ${JSON.stringify(peers)}`)
      }
      const seederUploaded = peers.reduce((a, p) => a + p.uploaded, 0)
      if (DEBUG) {
        const leecherPeers = await Promise.all(
          leechers.map((l) => l.req<{ peers: PeerInfo[] }>({ cmd: 'peers', infoHash: s.infoHash }, LIMIT.start)),
        )
        leecherPeers.forEach((lp, i) => log(`leecher ${i + 1} port ${ports[i]} peers: ${JSON.stringify(lp.peers)}`))
        gos.forEach((g, i) => log(`leecher ${i + 1} trace: ${JSON.stringify(g.trace)}`))
      }
      await Promise.all(leechers.map((l) => l.req({ cmd: 'stop' }, LIMIT.stop)))
      dirs.forEach((d) => rmSync(d, { recursive: true, force: true }))
      const t0 = Math.min(...gos.map((g) => g.start))
      const last = Math.max(...gos.map((g) => g.end)) - t0
      const first = Math.min(...gos.map((g) => g.end)) - t0
      const leecherCpu = gos.reduce((a, g) => a + g.cpuMs, 0)
      const r: SwarmRun = {
        kind,
        ms: round(last, 1),
        MBps: round((o.leechers * o.bytes) / MB / (last / 1000)),
        first_byte_ms: round(median(gos.map((g) => g.start + g.firstByteMs - t0)), 1),
        last_done_ms: round(last, 1),
        first_done_ms: round(first, 1),
        leecher_cpu_pct: round((100 * leecherCpu) / last, 0),
        seeder_cpu_pct: round((100 * seederCpu) / last, 0),
        seeder_share_pct: round((100 * seederUploaded) / (o.leechers * o.bytes), 1),
        seeder_cpu_ms_per_MiB: round(seederCpu / ((o.leechers * o.bytes) / MiB), 2),
        leecher_cpu_ms_per_MiB: round(leecherCpu / ((o.leechers * o.bytes) / MiB), 2),
        ...(seederRss !== undefined && { seeder_peak_rss_MiB: seederRss }),
        ...(leecherRss !== undefined && { leecher_peak_rss_MiB: leecherRss }),
        ...(queued !== undefined && { seeder_peak_queued_MiB: queued }),
      }
      if (!warmUp) runs.push({ run: r, pair })
      log(
        `swarm ${kind.padEnd(10)} ${r.MBps.toFixed(1).padStart(6)} MB/s aggregate  last done ${(last / 1000).toFixed(2)} s, first ${(first / 1000).toFixed(2)} s, first byte ${r.first_byte_ms.toFixed(0)} ms  seeder sent ${r.seeder_share_pct}%  cpu ms/MiB seeder ${r.seeder_cpu_ms_per_MiB} leechers ${r.leecher_cpu_ms_per_MiB}  peak RSS MiB seeder ${seederRss ?? '?'} leecher ${leecherRss ?? '?'}  seeder queue ${queued ?? '-'} MiB${warmUp ? '  warm-up, not counted' : ''}`,
      )
    }
    return { ...compare(o.bytes, runs), leechers: o.leechers }
  } finally {
    await Promise.allSettled([
      ...[...groups.values()].flat().map((l) => l.close()),
      ...Object.values(seeders).map((s) => s.peer.close()),
    ])
  }
}
