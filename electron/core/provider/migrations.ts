/**
 * The provider database's schema, as numbered migrations applied in order, each in its own
 * transaction and recorded in `schema_migrations`, so a database made by an older Coterie is
 * brought forward and a newer one is refused rather than misread. Plain SQL both SQLite and
 * PostgreSQL run unchanged (database.ts says which types); a migration, once released, never
 * changes: a new one follows it.
 */
import { int, isNull, type Database } from './database.js'

export interface Migration {
  readonly version: number
  readonly why: string
  readonly sql: readonly string[]
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: 'the provider, its accounts, their sessions, login challenges and the certificates issued',
    sql: [
      // One row: which of the profile's groups is the provider's swarm (its key stays in the profile).
      `CREATE TABLE provider (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         name TEXT NOT NULL,
         group_id TEXT NOT NULL,
         swarm_key TEXT NOT NULL,
         created_at BIGINT NOT NULL)`,
      `CREATE TABLE accounts (
         name TEXT PRIMARY KEY,
         password_hash TEXT NOT NULL,
         created_at BIGINT NOT NULL,
         disabled_at BIGINT)`,
      // Only a hash of each session token is kept: a copy of the database logs no one in.
      `CREATE TABLE sessions (
         token_hash TEXT PRIMARY KEY,
         account TEXT NOT NULL REFERENCES accounts (name),
         created_at BIGINT NOT NULL,
         expires_at BIGINT NOT NULL)`,
      `CREATE INDEX sessions_account ON sessions (account)`,
      // A challenge is spent (used_at set) by the certificate it earns: a replayed answer finds it spent.
      `CREATE TABLE challenges (
         challenge TEXT PRIMARY KEY,
         account TEXT NOT NULL REFERENCES accounts (name),
         member_key TEXT NOT NULL,
         created_at BIGINT NOT NULL,
         expires_at BIGINT NOT NULL,
         used_at BIGINT)`,
      `CREATE TABLE certificates (
         id TEXT PRIMARY KEY,
         account TEXT NOT NULL REFERENCES accounts (name),
         member_key TEXT NOT NULL,
         issued_at BIGINT NOT NULL,
         expires_at BIGINT NOT NULL)`,
      `CREATE INDEX certificates_account ON certificates (account)`,
    ],
  },
  {
    version: 2,
    why: "the provider's published items (its feed) and subscribers' refresh tokens (renewal without the password)",
    sql: [
      // One row per `provider publish`: the item is a share of the provider's group (the profile holds
      // its torrent); this is what the feed lists, in the order it was published.
      `CREATE TABLE items (
         info_hash TEXT PRIMARY KEY,
         title TEXT NOT NULL,
         name TEXT NOT NULL,
         size BIGINT NOT NULL,
         published_at BIGINT NOT NULL)`,
      `CREATE INDEX items_published ON items (published_at)`,
      // A subscriber's node renews its certificate with one of these instead of a stored password.
      // Only a hash is kept; each is bound to the account and the member key it was issued to, and
      // disabling the account deletes them.
      `CREATE TABLE refresh_tokens (
         token_hash TEXT PRIMARY KEY,
         account TEXT NOT NULL REFERENCES accounts (name),
         member_key TEXT NOT NULL,
         created_at BIGINT NOT NULL,
         expires_at BIGINT NOT NULL)`,
      `CREATE INDEX refresh_tokens_account ON refresh_tokens (account)`,
    ],
  },
  {
    version: 3,
    why: "each account's login attempts in the current window, counted in the database so that every issuance node shares them",
    sql: [
      // One row per account that has tried to log in (never per guessed name or per address: those are
      // unbounded, and stay in each node's memory, rate-limit.ts). Rewritten by each attempt.
      `CREATE TABLE login_attempts (
         account TEXT PRIMARY KEY REFERENCES accounts (name),
         window_start BIGINT NOT NULL,
         attempts INTEGER NOT NULL)`,
      // The open-challenge count and the sweep at login read one account's challenges. On PostgreSQL,
      // whose serializable transactions (postgres.ts) lock what they read, a scan of the whole table
      // would conflict with every other account's challenge and fail those transactions; through this
      // index each reads, and locks, only its own account's rows.
      `CREATE INDEX challenges_account ON challenges (account)`,
    ],
  },
  {
    version: 4,
    why: "each item's info dictionary and its withdrawal, so that every issuance node serves the same feed",
    sql: [
      // The feed and an item's .torrent were built from the profile's copy of the torrent, which only
      // the node that published holds: another issuance node over the same PostgreSQL (a copy of the
      // profile made earlier) listed none of the later items. The info dictionary, hex (database.ts:
      // no BLOB), is what both need; an item published before this migration gets it from the
      // publishing profile when that node next serves (items.ts, fillItemInfo), and stays out of the
      // feed until then.
      `ALTER TABLE items ADD COLUMN info TEXT`,
      // Set by `coterie unshare` on the provider's profile: the item leaves every node's feed.
      `ALTER TABLE items ADD COLUMN withdrawn_at BIGINT`,
    ],
  },
]

/** The newest schema this code reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError'
  constructor(readonly found: number) {
    super(`the provider database has schema version ${found}; this Coterie reads up to ${SCHEMA_VERSION}`)
  }
}

async function currentVersion(db: Database): Promise<number> {
  const { rows } = await db.query(`SELECT MAX(version) AS v FROM schema_migrations`)
  return rows[0] === undefined || isNull(rows[0]['v']) ? 0 : int(rows[0]['v'])
}

/**
 * Applies the migrations the database has not had yet; returns the versions applied. Several
 * issuance nodes may start at once over one PostgreSQL database: a node whose migration failed
 * because another applied it first (its CREATE TABLE or its schema_migrations row collides) finds
 * the version recorded and goes on; any other failure is thrown.
 */
export async function migrate(db: Database, now = Date.now()): Promise<number[]> {
  const ledger = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`
  // PostgreSQL's IF NOT EXISTS is not atomic against a concurrent creator: the loser fails once, then finds it made.
  await db.query(ledger).catch(() => db.query(ledger))
  const current = await currentVersion(db)
  if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current)
  const applied: number[] = []
  for (const m of MIGRATIONS.filter((x) => x.version > current)) {
    try {
      await db.transaction(async (tx) => {
        for (const sql of m.sql) await tx.query(sql)
        await tx.query(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [m.version, now])
      })
      applied.push(m.version)
    } catch (e) {
      if ((await currentVersion(db)) < m.version) throw e
    }
  }
  return applied
}
