/**
 * A throwaway PostgreSQL cluster for tests and the bench: initdb into a temp folder, a server that
 * listens only on a unix socket in that folder (no port to collide with, nothing on the network),
 * stopped and deleted when the test is done, or when the process exits. PostgreSQL refuses to run
 * as root, so under root (CI, this machine) the cluster belongs to the `postgres` user Debian's
 * package creates; otherwise to the current user. Where none of that can be done the caller gets a
 * one-line reason to skip with.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Debian's `postgresql` package puts its server binaries, one folder per major version. */
const DEBIAN_PG_LIB = '/usr/lib/postgresql'
/** How long initdb, a start or a stop may take on a loaded machine. */
const PG_CTL_TIMEOUT_S = 120

export interface TestPostgres {
  /** A URL for a fresh, empty database of this cluster (created by this call). */
  database(name: string): Promise<string>
  /** Stops the server and deletes its folder; safe to call twice. */
  stop(): void
}

export type Started = { ok: true; pg: TestPostgres } | { ok: false; reason: string }

function binDir(): string | undefined {
  const fromEnv = process.env['COTERIE_PG_BIN']
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (!existsSync(DEBIAN_PG_LIB)) return undefined
  const versions = readdirSync(DEBIAN_PG_LIB)
    .filter((v) => existsSync(join(DEBIAN_PG_LIB, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(DEBIAN_PG_LIB, versions[0], 'bin')
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim())
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined
  } catch {
    return undefined
  }
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? ''

/**
 * Starts a cluster. `durable: false` (tests) turns fsync off: a test's data need not survive a
 * power cut. The bench keeps PostgreSQL's defaults, as SQLite keeps its own.
 */
export async function startTestPostgres(o: { durable?: boolean } = {}): Promise<Started> {
  const bin = binDir()
  if (bin === undefined) return { ok: false, reason: "PostgreSQL is not installed (Debian's postgresql package)" }
  const root = process.getuid?.() === 0
  const owner = root ? userIds('postgres') : undefined
  if (root && owner === undefined) return { ok: false, reason: 'running as root and there is no postgres user' }
  const dir = mkdtempSync(join(tmpdir(), 'coterie-pg-'))
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid)
  const data = join(dir, 'data')
  const as = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }
  const run = (tool: string, args: string[]) =>
    spawnSync(join(bin, tool), args, { encoding: 'utf8', cwd: dir, timeout: PG_CTL_TIMEOUT_S * 1000, ...as })

  let running = false
  const stop = () => {
    if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
    running = false
    rmSync(dir, { recursive: true, force: true })
    process.off('exit', stop)
  }
  process.on('exit', stop)

  const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
  if (init.status !== 0) {
    stop()
    return { ok: false, reason: `initdb failed: ${firstLine(init.stderr || String(init.error))}` }
  }
  const settings = [
    `-k ${dir}`,
    "-c listen_addresses=''",
    ...(o.durable === true ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ')
  const start = run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    String(PG_CTL_TIMEOUT_S),
    '-o',
    settings,
    'start',
  ])
  if (start.status !== 0) {
    stop()
    return { ok: false, reason: `the PostgreSQL server did not start: ${firstLine(start.stderr || start.stdout)}` }
  }
  running = true
  const url = (db: string) => `postgres://postgres@/${db}?host=${encodeURIComponent(dir)}`
  const { default: pg } = await import('pg')
  return {
    ok: true,
    pg: {
      async database(name) {
        if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`not a plain database name: ${name}`)
        const admin = new pg.Client({ connectionString: url('postgres') })
        await admin.connect()
        try {
          await admin.query(`CREATE DATABASE ${name}`)
        } finally {
          await admin.end()
        }
        return url(name)
      },
      stop,
    },
  }
}

/** The database engines a provider test runs against: the same test, once per engine. */
export const ENGINES = ['sqlite', 'postgres'] as const
export type Engine = (typeof ENGINES)[number]

let shared: Promise<Started> | undefined
let databases = 0

/**
 * One cluster for the whole test file, started by its first PostgreSQL test and stopped when the
 * process exits (or by `stopSharedPostgres` in an `after`); each caller gets a fresh database of
 * it, or the reason PostgreSQL cannot run here.
 */
export async function freshPostgresDatabase(): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
  shared ??= startTestPostgres()
  const s = await shared
  if (!s.ok) return s
  databases += 1
  return { ok: true, url: await s.pg.database(`coterie_${process.pid}_${databases}`) }
}

export async function stopSharedPostgres(): Promise<void> {
  const s = await shared
  if (s?.ok === true) s.pg.stop()
  shared = undefined
}
