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
]

/** The newest schema this code reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError'
  constructor(readonly found: number) {
    super(`the provider database has schema version ${found}; this Coterie reads up to ${SCHEMA_VERSION}`)
  }
}

/** Applies the migrations the database has not had yet; returns the versions applied. */
export async function migrate(db: Database, now = Date.now()): Promise<number[]> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
  )
  const { rows } = await db.query(`SELECT MAX(version) AS v FROM schema_migrations`)
  const current = rows[0] === undefined || isNull(rows[0]['v']) ? 0 : int(rows[0]['v'])
  if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current)
  const applied: number[] = []
  for (const m of MIGRATIONS.filter((x) => x.version > current)) {
    await db.transaction(async (tx) => {
      for (const sql of m.sql) await tx.query(sql)
      await tx.query(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [m.version, now])
    })
    applied.push(m.version)
  }
  return applied
}
