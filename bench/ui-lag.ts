/**
 * UI lag: how late the process that answers the UI gets, while it hashes a large share and
 * serves a peer at the same time. That process is the one holding the backend (engine +
 * profile): the desktop app's main process, or `coterie run --ui`. Target: p99 < 50 ms.
 *
 * Measured in this process on a real AppBackend: Alice shares a 2 GiB file (groups.share, as a
 * drop onto a group does) while Bob, a separate `coterie run` process, downloads another file
 * from her. Two figures: the event loop's delay beyond its timer (perf_hooks.monitorEventLoopDelay,
 * 10 ms resolution), and the round trip of a `torrents.list` request every 100 ms (what a screen
 * refresh waits for). Both only while the hashing runs.
 *
 * Then, for comparison, the same hashing on the main thread (what the engine did before
 * hash-worker.mjs), unless BENCH_UI_COMPARE=0.
 *
 * Knobs: BENCH_UI_GIB=2 (size of the share), BENCH_UI_SERVE_MIB=256 (what Bob downloads),
 * BENCH_UI_RANDOM=1 (random bytes on disk instead of a sparse file: slower to set up; SHA-1
 * costs the same either way, only the reads differ).
 * Standalone: `npm run bench:ui` merges its figures into bench/results/latest.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  mkdtempSync,
  rmSync,
  openSync,
  ftruncateSync,
  closeSync,
  writeFileSync,
  createWriteStream,
  mkdirSync,
} from 'node:fs'
import { randomBytes } from 'node:crypto'
import { cpus, tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { mergeIntoLatest } from './results.js'
import { ProfileStore } from '../electron/core/profile/index.js'
import { AppBackend } from '../electron/core/service/contract/backend.js'
import { percentile, round } from './stats.js'

const MiB = 1024 * 1024
const CLI = fileURLToPath(new URL('../electron/core/cli/coterie.mjs', import.meta.url))
const TARGET_P99_MS = 50
const RESOLUTION_MS = 10
const BASELINE_MS = 10_000

export interface UiLagResult {
  readonly share_gib: number
  readonly sparse: boolean
  readonly hash_seconds: number
  readonly hash_MBps: number
  readonly lag_p50_ms: number
  readonly lag_p99_ms: number
  readonly lag_max_ms: number
  readonly invoke_p50_ms: number
  readonly invoke_p99_ms: number
  readonly invoke_max_ms: number
  readonly invokes: number
  /** The same process serving the peer without hashing, just before: the machine's own floor. */
  readonly baseline_lag_p50_ms: number
  readonly baseline_lag_p99_ms: number
  readonly baseline_lag_max_ms: number
  readonly baseline_invoke_p99_ms: number
  /** The same hashing on the UI's thread (the engine before hash-worker.mjs). */
  readonly in_thread_lag_p99_ms?: number
  readonly in_thread_lag_max_ms?: number
  readonly in_thread_invoke_p99_ms?: number
  /** Other work on the machine delays every process: shown with the figures. */
  readonly loadavg_1min: number
  /** Bytes Alice uploaded to Bob while hashing: proof the peer was being served meanwhile. */
  readonly served_during_hash_bytes: number
  readonly target_p99_ms: number
}

const env = (name: string, fallback: number): number => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}

async function writeRandom(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path)
  for (let left = bytes; left > 0; left -= 4 * MiB) {
    if (!out.write(randomBytes(Math.min(4 * MiB, left)))) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
}

function cli(profile: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, '--profile', profile, ...args], { encoding: 'utf8', timeout: 60_000 })
  if (r.status !== 0) throw new Error(`coterie ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export async function benchUiLag(
  say: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<UiLagResult> {
  const shareBytes = Math.round(env('BENCH_UI_GIB', 2) * 1024 * MiB)
  const serveBytes = Math.round(env('BENCH_UI_SERVE_MIB', 256) * MiB)
  const sparse = process.env.BENCH_UI_RANDOM !== '1'
  const root = mkdtempSync(join(tmpdir(), 'coterie-bench-ui-'))
  let bob: ChildProcess | undefined
  let alice: AppBackend | undefined
  try {
    const files = join(root, 'files')
    mkdirSync(files)
    const big = join(files, 'big.bin')
    if (sparse) {
      const fd = openSync(big, 'w')
      ftruncateSync(fd, shareBytes)
      closeSync(fd)
    } else {
      say(`ui lag: writing ${shareBytes / MiB} MiB of random data`)
      await writeRandom(big, shareBytes)
    }
    await writeRandom(join(files, 'served.bin'), serveBytes)

    const store = await ProfileStore.open(join(root, 'alice'), { create: true, displayName: 'Alice' })
    alice = await AppBackend.start(store, {
      mode: 'browser',
      version: 'bench',
      secretStorage: 'file',
      dht: false,
      log: () => {},
      defaultDownloadDir: join(root, 'alice-dl'),
    })
    const call = async (channel: Parameters<AppBackend['dispatch']>[0], request: unknown) => {
      const r = await alice!.dispatch(channel, request)
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`)
      return r.value as never
    }
    // Bob, in his own process: a friend who joins and downloads, throttled so he is still
    // downloading while Alice hashes.
    const bobDir = join(root, 'bob')
    const bobKey = cli(bobDir, 'id').split('\n')[0]!.trim()
    await call('friends.add', { key: bobKey, name: 'Bob' })
    const group = (await call('groups.create', { name: 'Bench', members: [bobKey] })) as { id: string }
    const served = (
      (await call('groups.share', { group: group.id, paths: [join(files, 'served.bin')] })) as { infoHashes: string[] }
    ).infoHashes[0]!
    const invite = (await call('invites.create', { group: group.id, friend: bobKey })) as { data: string }
    writeFileSync(join(root, 'bob.coterie'), Buffer.from(invite.data, 'base64'))
    cli(bobDir, 'join', join(root, 'bob.coterie'), '--download-dir', join(root, 'bob-dl'))
    bob = spawn(
      process.execPath,
      [
        CLI,
        '--profile',
        bobDir,
        'run',
        '--no-dht',
        '--peer',
        `127.0.0.1:${alice.node.port}`,
        '--download-limit',
        String(Math.round(serveBytes / 90)),
      ],
      { stdio: 'ignore' },
    )
    const uploaded = () => alice!.node.engine.torrentSummary(served).uploaded
    await until(() => uploaded() > 0, 30_000, 'Bob to start downloading')

    // The UI's side: a listener for every event (as the window has), and a request every 100 ms.
    let events = 0
    alice.on(() => void events++)
    const invokeMs: number[] = []
    let probing = true
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now()
        await alice!.dispatch('torrents.list', {})
        invokeMs.push(performance.now() - t0)
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    // The histogram records the whole interval between two ticks of its timer: the lag is what
    // exceeds the resolution.
    const ms = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS), 1)
    // First the same process serving Bob without hashing: the floor this machine's load sets
    // (other work on its cores delays every process, hashing or not).
    say(`ui lag: ${BASELINE_MS / 1000} s serving Bob without hashing (baseline)`)
    const base = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    base.enable()
    await new Promise((r) => setTimeout(r, BASELINE_MS))
    base.disable()
    const baseInvokes = invokeMs.splice(0)
    const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    const servedBefore = uploaded()
    say(`ui lag: hashing ${shareBytes / MiB} MiB (${sparse ? 'sparse' : 'random'}) while serving Bob`)
    h.enable()
    const t0 = performance.now()
    await call('groups.share', { group: group.id, paths: [big] })
    const seconds = (performance.now() - t0) / 1000
    h.disable()
    const servedDuring = uploaded() - servedBefore
    const workerInvokes = invokeMs.splice(0)
    // For comparison, what the engine did before hash-worker.mjs: the same hashing on this
    // thread (create-torrent called here, as create.ts used to), same peer, same probe.
    let inThread: { p99: number; max: number; invokeP99: number } | undefined
    if (process.env.BENCH_UI_COMPARE !== '0') {
      say('ui lag: the same hashing on the main thread, for comparison')
      const { default: createTorrent } = await import('create-torrent')
      const m = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
      m.enable()
      await new Promise<void>((resolve, reject) =>
        createTorrent(big, { name: 'big.bin', private: true, announceList: [] }, (e) => (e ? reject(e) : resolve())),
      )
      m.disable()
      inThread = { p99: ms(m.percentile(99)), max: ms(m.max), invokeP99: round(percentile(invokeMs.splice(0), 99), 1) }
    }
    probing = false
    await probe
    invokeMs.push(...workerInvokes)
    return {
      share_gib: round(shareBytes / 1024 / MiB, 2),
      sparse,
      hash_seconds: round(seconds, 1),
      hash_MBps: round(shareBytes / 1e6 / seconds, 1),
      lag_p50_ms: ms(h.percentile(50)),
      lag_p99_ms: ms(h.percentile(99)),
      lag_max_ms: ms(h.max),
      invoke_p50_ms: round(percentile(invokeMs, 50), 1),
      invoke_p99_ms: round(percentile(invokeMs, 99), 1),
      invoke_max_ms: round(Math.max(...invokeMs), 1),
      invokes: invokeMs.length,
      baseline_lag_p50_ms: ms(base.percentile(50)),
      baseline_lag_p99_ms: ms(base.percentile(99)),
      baseline_lag_max_ms: ms(base.max),
      baseline_invoke_p99_ms: round(percentile(baseInvokes, 99), 1),
      loadavg_1min: round(loadavg()[0]!, 2),
      ...(inThread !== undefined && {
        in_thread_lag_p99_ms: inThread.p99,
        in_thread_lag_max_ms: inThread.max,
        in_thread_invoke_p99_ms: inThread.invokeP99,
      }),
      served_during_hash_bytes: servedDuring,
      target_p99_ms: TARGET_P99_MS,
    }
  } finally {
    bob?.kill('SIGKILL')
    await alice?.stop().catch(() => {})
    rmSync(root, { recursive: true, force: true })
  }
}

export function printUiLag(r: UiLagResult): void {
  console.log(
    `\nUI lag (event loop of the process answering the UI, while hashing ${r.share_gib} GiB at ${r.hash_MBps} MB/s and serving a peer ${r.served_during_hash_bytes} bytes)`,
  )
  console.table([
    { measure: 'event-loop delay, hashing', 'p50 ms': r.lag_p50_ms, 'p99 ms': r.lag_p99_ms, 'max ms': r.lag_max_ms },
    {
      measure: `torrents.list round trip, hashing (${r.invokes})`,
      'p50 ms': r.invoke_p50_ms,
      'p99 ms': r.invoke_p99_ms,
      'max ms': r.invoke_max_ms,
    },
    {
      measure: 'event-loop delay, baseline (serving only)',
      'p50 ms': r.baseline_lag_p50_ms,
      'p99 ms': r.baseline_lag_p99_ms,
      'max ms': r.baseline_lag_max_ms,
    },
    ...(r.in_thread_lag_p99_ms !== undefined
      ? [
          {
            measure: 'event-loop delay, hashing on the main thread (before)',
            'p50 ms': '',
            'p99 ms': r.in_thread_lag_p99_ms,
            'max ms': r.in_thread_lag_max_ms,
          },
        ]
      : []),
  ])
  console.log(`load average (1 min) at the end: ${r.loadavg_1min} on ${cpus().length} cores`)
  console.log(
    `ui_lag_p99_ms ${r.lag_p99_ms} (target < ${r.target_p99_ms}): ${r.lag_p99_ms < r.target_p99_ms ? 'met' : 'MISSED'}`,
  )
}

/** The figures as bench/results/latest.json keys. */
export const uiLagFields = (r: UiLagResult) => ({
  ui_lag_p50_ms: r.lag_p50_ms,
  ui_lag_p99_ms: r.lag_p99_ms,
  ui_lag_max_ms: r.lag_max_ms,
  ui_lag: r,
})

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const load = loadavg().map((x) => round(x, 2))
  const r = await benchUiLag()
  printUiLag(r)
  mergeIntoLatest(uiLagFields(r), 'ui_lag', load)
}
