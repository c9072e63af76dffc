/**
 * The content provider's issuance service, on each database engine (`npm run bench` runs it;
 * `npm run bench:provider` runs it alone and merges its figures into bench/results/latest.json):
 *
 * - certificates issued per second: CERT_CLIENTS subscribers, each logged in once, asking for
 *   challenge after challenge and answering each (challenge + signed answer + certificate: two
 *   requests and two transactions a certificate), for BENCH_PROVIDER_SECONDS (5) seconds;
 * - login latency: logins one at a time (p50), then LOGIN_CLIENTS at once (p50, p95): Argon2id
 *   (m = 19 MiB, t = 2) dominates, and at most MAX_CONCURRENT_HASHES run at once, so concurrent
 *   logins queue; the ratio p95(concurrent) / p50(alone) says how much.
 *
 * The service is a real `coterie provider serve` process over a real database: the profile's
 * SQLite file, and a throwaway PostgreSQL cluster with its default durability (fsync on, as
 * SQLite's is), started as testing/postgres.ts does for the tests (skipped with its reason where
 * it cannot run). Clients run in this process over loopback, each login from its own address of
 * 127/8 so the per-address limit (20 a minute) is not what is measured. Both engines in one run,
 * so their ratio means something on a noisy machine.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mergeIntoLatest } from './results.js'
import { median, percentile, round } from './stats.js'
import { installNativePrimitives, ProfileStore } from '../electron/core/service/index.js'
import { addAccount, initProvider, ProviderClient } from '../electron/core/provider/index.js'
import { MAX_CONCURRENT_HASHES } from '../electron/core/provider/issuance.js'
import { keyPair } from '../electron/core/testing/fixtures.js'
import { startTestPostgres } from '../electron/core/testing/postgres.js'
import { eventually } from '../electron/core/testing/wait.js'

const CLI = fileURLToPath(new URL('../electron/core/cli/coterie.mjs', import.meta.url))
/** Subscribers asking for certificates at once. */
const CERT_CLIENTS = 8
/** Logins timed one at a time, then logins at once by this many clients, ROUNDS each. */
const SOLO_LOGINS = 10
const LOGIN_CLIENTS = 4
const LOGIN_ROUNDS = 5
const PASSWORD = 'bench password'
/** Linux's USER_HZ, the unit of /proc/PID/stat's times (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_S = 100

export interface EngineFigures {
  readonly certificates: number
  readonly seconds: number
  readonly certificates_per_s: number
  /**
   * CPU time of the `serve` process per certificate (every thread; PostgreSQL's own processes not
   * counted): what the machine's load does not change, unlike certificates_per_s.
   */
  readonly serve_cpu_ms_per_certificate: number
  readonly login_solo_p50_ms: number
  readonly login_concurrent_p50_ms: number
  readonly login_concurrent_p95_ms: number
  /** login_concurrent_p95_ms / login_solo_p50_ms. */
  readonly login_p95_vs_solo: number
}

export interface ProviderBenchResult {
  readonly cert_clients: number
  readonly login_clients: number
  readonly sqlite: EngineFigures
  readonly postgres?: EngineFigures
  readonly postgres_skipped?: string
  /** PostgreSQL's certificates per second / SQLite's. */
  readonly postgres_vs_sqlite?: number
}

/** One login over its own source address; its latency in ms, or throws with the refusal. */
function timedLogin(base: string, localAddress: string, user: string): Promise<number> {
  const body = JSON.stringify({ user, password: PASSWORD })
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/v1/login', base),
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`login ${user}: ${text}`)),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** CPU time (user + system, every thread) a process has used, ms, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 of proc(5), so indexes 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S
}

async function serve(profile: string): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  // The provider's node (its seeder) runs too, as deployed, but stays on loopback.
  const offline = ['--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping']
  const proc = spawn(
    process.execPath,
    [CLI, '--profile', profile, 'provider', 'serve', '--listen', '127.0.0.1:0', ...offline],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  proc.stdout!.on('data', (d) => (output += d))
  proc.stderr!.on('data', (d) => (output += d))
  await eventually(() => /listening on (http:\S+)/.test(output), 60_000, `provider serve to listen (${output})`)
  return { proc, url: /listening on (http:\S+)/.exec(output)![1]!, output: () => output }
}

async function benchEngine(
  root: string,
  database: string | undefined,
  seconds: number,
  say: (s: string) => void,
): Promise<EngineFigures> {
  const profile = join(root, database === undefined ? 'sqlite' : 'postgres')
  const store = await ProfileStore.open(profile, { create: true, displayName: 'Provider' })
  const provider = await initProvider(store, profile, 'Bench', database)
  const names = [
    ...Array.from({ length: CERT_CLIENTS }, (_, i) => `cert${i}`),
    ...Array.from({ length: SOLO_LOGINS }, (_, i) => `solo${i}`),
    ...Array.from({ length: LOGIN_CLIENTS * LOGIN_ROUNDS }, (_, i) => `many${i}`),
  ]
  // Argon2 runs on libuv's pool: a few at a time is as fast as it goes.
  for (let i = 0; i < names.length; i += 4)
    await Promise.all(names.slice(i, i + 4).map((n) => addAccount(provider.db, n, PASSWORD)))
  await provider.db.close()
  const swarmKey = Buffer.from(provider.swarm.publicKey).toString('hex')
  const { proc, url, output } = await serve(profile)
  try {
    say(
      `provider (${database === undefined ? 'sqlite' : 'postgres'}): ${CERT_CLIENTS} clients issuing for ${seconds} s`,
    )
    const clients = await Promise.all(
      Array.from({ length: CERT_CLIENTS }, async (_, i) => {
        const c = new ProviderClient(url)
        const r = await c.login(`cert${i}`, PASSWORD)
        if (!r.ok) throw new Error(`bench login: ${r.error.code}`)
        return { c, key: keyPair(`bench subscriber ${i}`) }
      }),
    )
    const one = async ({ c, key }: (typeof clients)[number]) => {
      const r = await c.obtainCertificate(key, swarmKey)
      if (!r.ok) throw new Error(`bench certificate: ${r.error.code}`)
    }
    for (const cl of clients) await one(cl) // warm: connections, statement caches
    let issued = 0
    const cpu0 = processCpuMs(proc.pid!)
    const t0 = performance.now()
    const end = t0 + seconds * 1000
    await Promise.all(
      clients.map(async (cl) => {
        while (performance.now() < end) {
          await one(cl)
          issued += 1
        }
      }),
    )
    const elapsed = (performance.now() - t0) / 1000
    const cpuPerCertificate = (processCpuMs(proc.pid!) - cpu0) / issued

    say(`provider: ${SOLO_LOGINS} logins one at a time, then ${LOGIN_CLIENTS} clients at once`)
    const solo: number[] = []
    for (let i = 0; i < SOLO_LOGINS; i++) solo.push(await timedLogin(url, '127.0.4.1', `solo${i}`))
    const many: number[] = []
    await Promise.all(
      Array.from({ length: LOGIN_CLIENTS }, async (_, c) => {
        for (let r = 0; r < LOGIN_ROUNDS; r++)
          many.push(await timedLogin(url, `127.0.5.${c + 1}`, `many${c * LOGIN_ROUNDS + r}`))
      }),
    )
    const soloP50 = median(solo)
    const p95 = percentile(many, 95)
    return {
      certificates: issued,
      seconds: round(elapsed, 2),
      certificates_per_s: round(issued / elapsed, 1),
      serve_cpu_ms_per_certificate: round(cpuPerCertificate, 2),
      login_solo_p50_ms: round(soloP50, 1),
      login_concurrent_p50_ms: round(median(many), 1),
      login_concurrent_p95_ms: round(p95, 1),
      login_p95_vs_solo: round(p95 / soloP50, 2),
    }
  } catch (e) {
    say(`provider serve said:\n${output().slice(-4000)}`)
    throw e
  } finally {
    proc.kill('SIGTERM')
    await new Promise((r) => (proc.exitCode === null ? proc.once('exit', r) : r(undefined)))
  }
}

export async function benchProvider(
  seconds: number,
  say: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
): Promise<ProviderBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'coterie-bench-provider-'))
  try {
    const sqlite = await benchEngine(root, undefined, seconds, say)
    say('provider: starting a throwaway PostgreSQL cluster')
    const pg = await startTestPostgres({ durable: true })
    if (!pg.ok) {
      say(`provider: PostgreSQL skipped: ${pg.reason}`)
      return { cert_clients: CERT_CLIENTS, login_clients: LOGIN_CLIENTS, sqlite, postgres_skipped: pg.reason }
    }
    try {
      const postgres = await benchEngine(root, await pg.pg.database('bench'), seconds, say)
      return {
        cert_clients: CERT_CLIENTS,
        login_clients: LOGIN_CLIENTS,
        sqlite,
        postgres,
        postgres_vs_sqlite: round(postgres.certificates_per_s / sqlite.certificates_per_s, 2),
      }
    } finally {
      pg.pg.stop()
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

export function printProvider(r: ProviderBenchResult): void {
  console.log(
    `\nProvider issuance (a real \`provider serve\`; ${r.cert_clients} clients for certificates, ` +
      `${r.login_clients} for concurrent logins; Argon2id at most ${MAX_CONCURRENT_HASHES} at once)`,
  )
  const row = (engine: string, f: EngineFigures) => ({
    engine,
    'certificates/s': f.certificates_per_s,
    'serve cpu ms/cert': f.serve_cpu_ms_per_certificate,
    'login alone p50 ms': f.login_solo_p50_ms,
    [`login x${r.login_clients} p50 ms`]: f.login_concurrent_p50_ms,
    [`login x${r.login_clients} p95 ms`]: f.login_concurrent_p95_ms,
    'p95 / alone': f.login_p95_vs_solo,
  })
  console.table([row('sqlite', r.sqlite), ...(r.postgres ? [row('postgres', r.postgres)] : [])])
  if (r.postgres_vs_sqlite !== undefined) console.log(`certificates/s, postgres / sqlite: ${r.postgres_vs_sqlite}`)
  if (r.postgres_skipped !== undefined) console.log(`postgres: skipped (${r.postgres_skipped})`)
}

/** The flat fields bench/results/latest.json carries for the provider. */
export const providerFields = (r: ProviderBenchResult) => ({
  provider_certs_per_s_sqlite: r.sqlite.certificates_per_s,
  provider_certs_per_s_postgres: r.postgres?.certificates_per_s,
  provider_postgres_vs_sqlite: r.postgres_vs_sqlite,
  provider_serve_cpu_ms_per_cert_sqlite: r.sqlite.serve_cpu_ms_per_certificate,
  provider_serve_cpu_ms_per_cert_postgres: r.postgres?.serve_cpu_ms_per_certificate,
  provider_login_p95_ms: r.sqlite.login_concurrent_p95_ms,
  provider_login_p95_ms_postgres: r.postgres?.login_concurrent_p95_ms,
  provider: r,
})

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The clients sign with native curves, as run.ts's other benches do after their pure-JS figures.
  installNativePrimitives()
  const load = loadavg().map((x) => round(x, 2))
  const r = await benchProvider(Number(process.env['BENCH_PROVIDER_SECONDS'] ?? 5))
  printProvider(r)
  mergeIntoLatest(providerFields(r), 'provider', load)
}
