/**
 * `npm run bench`: measures, prints a table, and writes bench/results/latest.json (git-ignored).
 * Targets are checked here, never in timed unit tests: these machines are noisy.
 *
 * 1. Protocol costs (bench/protocol.ts): pure-JS then native curves.
 * 2. One seeder process to one leecher process, 256 MiB, closed vs gate vs open vs libtorrent over
 *    TCP, then closed vs open over uTP (bench/transfer.ts; every peer is its own process,
 *    bench/peer.ts, bench/libtorrent-peer.py). libtorrent runs when `/usr/bin/python3 -c "import
 *    libtorrent"` works (Debian's python3-libtorrent), and is skipped with a line saying why otherwise.
 *    Every path is reported as a ratio to plain WebTorrent and to libtorrent, with CPU ms per MiB
 *    on each side and the peak RSS of each process.
 * 3. One seeder to 8 leecher processes, 64 MiB, the same four kinds, over TCP.
 * 4. UI lag: the event loop of the process answering the UI while it hashes a 2 GiB share and
 *    serves a peer (bench/ui-lag.ts; BENCH_UI_GIB=0 skips it; `npm run bench:ui` runs it alone).
 * 5. Starting a seeding node with resume records and without (bench/start.ts; BENCH_START_GIB=1,
 *    0 skips it), and sharing on a running node.
 * About 3.5 minutes on this 2-core machine (measured 3.2-3.6 min while other work shared it).
 *
 * Knobs (defaults are what the targets mean; turn them down for a quick look):
 *   BENCH_MIB=256 BENCH_RUNS=5 BENCH_UTP_RUNS=3 (0: no uTP)
 *   BENCH_SWARM_MIB=64 BENCH_SWARM_RUNS=3 BENCH_SWARM_PEERS=8 (0: no swarm)
 *   BENCH_DEBUG=1 per-peer byte counts and progress traces on stderr
 *   BENCH_PROF=<dir> a V8 CPU profile of every peer process (where the swarm's CPU goes)
 *   BENCH_LOADER=tsx peers from source under tsx (default: bundled as the app ships, bench/bundle.ts)
 * Experiments (recorded in the results, never the default):
 *   BENCH_PIN=1 seeders on CPU 0, leechers on CPU 1 (as if each side had a machine of its own)
 *   BENCH_NODELAY=1 Nagle off on every peer socket; BENCH_ENGINE=<engine.ts> another engine copy
 *   BENCH_SEND_BUDGET=<bytes>|off the closed peers' send budget per connection (off: unbounded, as before)
 *   BENCH_TLS=1|0 closed peers offer the TLS switch (PROTOCOL.md §5.6.2) or keep sealed records (default:
 *   TLS_SWITCH_ENABLED, gate/tls-switch.ts)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { benchProtocol } from './protocol.js'
import { benchPair, benchSwarm, cleanup, randomFile, tempRoot, type ComparisonResult } from './transfer.js'
import { round } from './stats.js'
import { benchUiLag, printUiLag, uiLagFields, type UiLagResult } from './ui-lag.js'
import { benchStart, type StartResult } from './start.js'
import { installNativePrimitives } from '../electron/core/platform/native-primitives.js'
import { LOADER } from './bundle.js'

const env = (name: string, fallback: number): number => {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} must be a non-negative number`)
  return n
}
const MiB = 1024 * 1024
const cfg = {
  pairBytes: Math.round(env('BENCH_MIB', 256) * MiB),
  tcpRuns: env('BENCH_RUNS', 5),
  utpRuns: env('BENCH_UTP_RUNS', 3),
  swarmBytes: Math.round(env('BENCH_SWARM_MIB', 64) * MiB),
  swarmRuns: env('BENCH_SWARM_RUNS', 3),
  swarmPeers: env('BENCH_SWARM_PEERS', 8),
}
const experiments = {
  ...(process.env.BENCH_NODELAY === '1' && {
    nodelay: 'BENCH_NODELAY=1: TCP_NODELAY on every peer socket (the engine does not set it)',
  }),
  ...(process.env.BENCH_PIN === '1' && { pin: 'BENCH_PIN=1: seeders on CPU 0, leechers on CPU 1 (taskset)' }),
  ...(process.env.BENCH_TLS !== undefined &&
    process.env.BENCH_TLS !== '' && {
      tls: `BENCH_TLS=${process.env.BENCH_TLS}: closed peers ${process.env.BENCH_TLS === '1' ? 'offer the TLS switch' : 'keep sealed records'}`,
    }),
  ...(process.env.BENCH_SEND_BUDGET !== undefined &&
    process.env.BENCH_SEND_BUDGET !== '' && {
      send_budget: `BENCH_SEND_BUDGET=${process.env.BENCH_SEND_BUDGET}: closed peers' send budget per connection (off: unbounded)`,
    }),
  ...(process.env.BENCH_ENGINE !== undefined &&
    process.env.BENCH_ENGINE !== '' && { engine: process.env.BENCH_ENGINE }),
  loader: LOADER === 'bundle' ? 'peers bundled as the app ships (bench/bundle.ts)' : 'peers from source under tsx',
}

// Child processes and temp files go whatever happens: errors, Ctrl-C, a kill.
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up\n`)
    process.exit(130)
  })
}

const began = performance.now()
const secs = () => `${((performance.now() - began) / 1000).toFixed(0)} s`
const say = (s: string) => process.stderr.write(`${s}\n`)
// Other work on the machine skews every throughput figure: the load averages go into the results.
const loadBefore = loadavg().map((x) => round(x, 2))
if (loadBefore[0]! > 1)
  say(`warning: load average ${loadBefore.join(' ')} before the bench; throughput figures will be noisy`)
for (const [k, v] of Object.entries(experiments)) say(`experiment (${k}): ${v}`)

// Pure-JS curves first (what a renderer or a runtime without native curves gets), then native
// (what the engine installs): both in one run, so the ratio is meaningful on a noisy machine.
say('protocol: certificate verification and handshakes')
const pure = await benchProtocol()
if (!installNativePrimitives().curves) throw new Error('native curve primitives unavailable')
const native = await benchProtocol()

let transfer
try {
  const root = tempRoot()
  say(`transfer: writing ${cfg.pairBytes / MiB} MiB of random data (${secs()})`)
  const file = randomFile(join(root, 'src'), 'bench.bin', cfg.pairBytes)
  say(`transfer: 1 seeder -> 1 leecher, TCP, ${cfg.tcpRuns} runs each (${secs()})`)
  const tcp = await benchPair({
    root,
    file,
    bytes: cfg.pairBytes,
    runs: cfg.tcpRuns,
    utp: false,
    kinds: ['closed', 'records', 'gate', 'open', 'libtorrent'],
  })
  let utp
  if (cfg.utpRuns > 0) {
    say(`transfer: 1 seeder -> 1 leecher, uTP, ${cfg.utpRuns} runs each (${secs()})`)
    utp = await benchPair({ root, file, bytes: cfg.pairBytes, runs: cfg.utpRuns, utp: true })
  }
  let swarm
  if (cfg.swarmPeers > 0 && cfg.swarmRuns > 0) {
    const swarmFile = randomFile(join(root, 'swarm-src'), 'swarm.bin', cfg.swarmBytes)
    say(
      `transfer: 1 seeder -> ${cfg.swarmPeers} leechers, TCP, ${cfg.swarmBytes / MiB} MiB, ${cfg.swarmRuns} runs each (${secs()})`,
    )
    swarm = await benchSwarm({
      root,
      file: swarmFile,
      bytes: cfg.swarmBytes,
      runs: cfg.swarmRuns,
      leechers: cfg.swarmPeers,
      kinds: ['closed', 'records', 'gate', 'open', 'libtorrent'],
    })
  }
  transfer = { tcp, utp, swarm }
} catch (err) {
  say(`\nbench FAILED: ${err instanceof Error ? err.message : String(err)}`)
  cleanup()
  process.exit(1)
}
cleanup()
const { tcp, utp, swarm } = transfer

let uiLag: UiLagResult | undefined
if (env('BENCH_UI_GIB', 2) > 0) {
  say(`ui lag: hashing while serving (${secs()})`)
  uiLag = await benchUiLag(say)
}

let start: StartResult | undefined
if (env('BENCH_START_GIB', 1) > 0) {
  say(`start: a seeding node, with and without resume records (${secs()})`)
  start = await benchStart(env('BENCH_START_GIB', 1), env('BENCH_START_RUNS', 3), say)
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  ...native,
  pure_js: pure,
  native_speedup_cert_verify: Number((native.cert_verify_per_s / pure.cert_verify_per_s).toFixed(1)),
  // 1 -> 1 over TCP: medians of the runs, MB = 10^6 bytes, addPeer to done; ratio = closed / open.
  // closed is the engine as shipped (gate + sealed transfers); gate is the gate alone, unsealed.
  closed_MBps: tcp.closed.MBps_median,
  open_MBps: tcp.open.MBps_median,
  ratio: tcp.ratio,
  sealed_MBps: tcp.closed.MBps_median,
  sealed_ratio: tcp.ratio,
  gate_MBps: tcp.gate?.MBps_median,
  gate_ratio: tcp.gate_ratio,
  sealed_vs_gate: tcp.sealed_vs_gate,
  ...(utp && { utp_closed_MBps: utp.closed.MBps_median, utp_open_MBps: utp.open.MBps_median, utp_ratio: utp.ratio }),
  ...(swarm && {
    // Aggregate throughput: leechers x file size / (first addPeer to last 'done'); ratio = closed / open.
    swarm8_closed_MBps: swarm.closed.MBps_median,
    swarm8_open_MBps: swarm.open.MBps_median,
    swarm8_ratio: swarm.ratio,
    swarm8_gate_MBps: swarm.gate?.MBps_median,
    swarm8_gate_ratio: swarm.gate_ratio,
    ...(swarm.vs_libtorrent && {
      swarm8_libtorrent_MBps: swarm.kinds.libtorrent?.MBps_median,
      swarm8_sealed_vs_libtorrent: swarm.vs_libtorrent.closed,
    }),
    swarm8_cpu_sealed_vs_open: swarm.cpu_vs_open.closed,
  }),
  ...(tcp.vs_libtorrent && {
    libtorrent_MBps: tcp.kinds.libtorrent?.MBps_median,
    sealed_vs_libtorrent: tcp.vs_libtorrent.closed,
  }),
  cpu_sealed_vs_open: tcp.cpu_vs_open.closed,
  transfer: { mib: cfg.pairBytes / MiB, tcp, ...(utp && { utp }) },
  ...(swarm && { swarm: { mib: cfg.swarmBytes / MiB, ...swarm } }),
  ...(uiLag && uiLagFields(uiLag)),
  ...(start && { start }),
  bench_seconds: round((performance.now() - began) / 1000, 1),
  loadavg_before: loadBefore,
  loadavg_after: loadavg().map((x) => round(x, 2)),
  ...(Object.keys(experiments).length > 0 && { experiments }),
}

console.log('\nProtocol')
console.table(
  Object.keys(native).map((metric) => ({
    metric,
    '@noble/curves': pure[metric as keyof typeof pure],
    'node:crypto': native[metric as keyof typeof native],
  })),
)

const rows: Record<string, string | number>[] = []
const row = (name: string, r: ComparisonResult) => {
  for (const [kind, k] of Object.entries(r.kinds)) {
    const cpu = r.cpu_vs_open[kind as keyof typeof r.cpu_vs_open]
    rows.push({
      transfer: name,
      path: kind,
      'MB/s': k.MBps_median,
      'min-max': `${k.MBps_min}-${k.MBps_max}`,
      'x plain': r.vs_open[kind as keyof typeof r.vs_open] ?? '-',
      'x libtorrent': r.vs_libtorrent?.[kind as keyof typeof r.vs_libtorrent] ?? '-',
      'cpu ms/MiB s/l': `${k.seeder_cpu_ms_per_MiB}/${k.leecher_cpu_ms_per_MiB}`,
      'cpu x plain s/l': cpu === undefined ? '-' : `${cpu.seeder}/${cpu.leecher}`,
      'peak RSS MiB s/l': `${k.seeder_peak_rss_MiB ?? '?'}/${k.leecher_peak_rss_MiB ?? '?'}`,
      'queued MiB': k.seeder_peak_queued_MiB ?? '-',
      '1st byte ms': k.first_byte_ms_median,
    })
  }
}
row(`1->1 TCP ${cfg.pairBytes / MiB} MiB`, tcp)
if (utp) row(`1->1 uTP ${cfg.pairBytes / MiB} MiB`, utp)
if (swarm) row(`1->${swarm.leechers} TCP ${cfg.swarmBytes / MiB} MiB, aggregate`, swarm)
console.log(
  '\nTransfer (medians; MB = 10^6 bytes; addPeer to done; closed = gate + sealed transfers, gate = unsealed, open = plain WebTorrent; x plain / x libtorrent: MB/s ratios; cpu: every thread, per MiB delivered, seeder/leechers; peak RSS: largest process of the side over the runs; queued: the largest seeder upload queue, bytes read from disk and not yet sent, sampled every 20 ms; runs back to back)',
)
console.table(rows)
console.log(
  `closed/open within each pair: 1->1 ${tcp.pair_ratios.join(' ')}${swarm ? `; 1->${swarm.leechers} ${swarm.pair_ratios.join(' ')}` : ''}`,
)

if (uiLag) printUiLag(uiLag)
if (start) {
  console.log(`\nStarting a node seeding ${start.gib} GiB in ${start.files} files (medians; page cache warm)`)
  console.table([
    { start: 'with resume records', ms: start.start_resume_ms },
    { start: 'verifying every piece (no records)', ms: start.start_verify_ms },
  ])
  console.log(
    `sharing them on a running node: ${start.share_to_seeding_ms} ms from share() to seeding, of which ${start.share_node_ms} ms the node's`,
  )
}

const dir = new URL('./results/', import.meta.url)
mkdirSync(dir, { recursive: true })
writeFileSync(new URL('latest.json', dir), JSON.stringify(results, null, 2) + '\n')

const targets: [string, number | undefined, string, (x: number) => boolean][] = [
  ['ratio (TCP 1->1, closed/open: gate + sealed transfers)', results.ratio, '>= 0.97 (sealed)', (x) => x >= 0.97],
  ['sealed_vs_libtorrent (TCP 1->1)', tcp.vs_libtorrent?.closed, '>= 1.0', (x) => x >= 1],
  ['cpu sealed/open, seeder (TCP 1->1, ms per MiB)', tcp.cpu_vs_open.closed?.seeder, '<= 1.15', (x) => x <= 1.15],
  ['cpu sealed/open, leecher (TCP 1->1, ms per MiB)', tcp.cpu_vs_open.closed?.leecher, '<= 1.15', (x) => x <= 1.15],
  ['gate_ratio (TCP 1->1, unsealed gate/open)', results.gate_ratio, '>= 0.97', (x) => x >= 0.97],
  ['swarm8_ratio (1->8, sealed/open)', swarm?.ratio, '>= 0.97 (sealed)', (x) => x >= 0.97],
  ['swarm8 sealed_vs_libtorrent (1->8)', swarm?.vs_libtorrent?.closed, '>= 1.0', (x) => x >= 1],
  ['swarm8 cpu sealed/open, seeder', swarm?.cpu_vs_open.closed?.seeder, '<= 1.15', (x) => x <= 1.15],
  ['swarm8 cpu sealed/open, leechers', swarm?.cpu_vs_open.closed?.leecher, '<= 1.15', (x) => x <= 1.15],
  ['swarm8_gate_ratio (1->8, unsealed gate/open)', swarm?.gate_ratio, '>= 0.97', (x) => x >= 0.97],
  ['handshake_ms_median', results.handshake_ms_median, '< 10', (x) => x < 10],
  ['ui_lag_p99_ms', uiLag?.lag_p99_ms, '< 50', (x) => x < 50],
  ['start_resume_ratio (start with records / verifying)', start?.start_resume_ratio, '< 0.1', (x) => x < 0.1],
]
console.log('')
for (const [name, value, target, ok] of targets) {
  console.log(
    `${name} ${value ?? '-'} (target ${target}): ${value === undefined ? 'not measured' : ok(value) ? 'met' : 'MISSED'}`,
  )
}
if (loadBefore[0]! > 1) console.log(`(load average ${loadBefore.join(' ')} at the start: other work shared the cores)`)
console.log(`\nbench took ${results.bench_seconds} s; wrote bench/results/latest.json`)
