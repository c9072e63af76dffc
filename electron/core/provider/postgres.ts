/**
 * The PostgreSQL driver behind database.ts, on node-postgres (`pg`): what several issuance nodes
 * behind a load balancer share (docs/PROVIDER.md, "Scaling"). A pool of connections per node;
 * every transaction runs at SERIALIZABLE, so the queries written for SQLite (where one writer at a
 * time makes every transaction serial) mean the same here: a count-then-insert (open challenges)
 * or a check-then-spend (a challenge) cannot interleave with another node's. PostgreSQL answers
 * a conflict between two such transactions with a serialization failure; the transaction is run
 * again, a bounded number of times (database.ts: `work` may run more than once).
 */
import pg from 'pg'
import type { Database, Queryable, Row } from './database.js'

/** Connections one node holds at most (Argon2, not the database, bounds a node's logins). */
export const PG_POOL_SIZE = 8
/** How long to wait for a connection (a new one, or a free one of the pool) before failing the request. */
export const PG_CONNECT_TIMEOUT_MS = 10_000
/** The server cancels a statement that runs longer, and ends a session idle inside a transaction as long. */
export const PG_STATEMENT_TIMEOUT_MS = 10_000
/** An idle pooled connection is closed after this. */
export const PG_IDLE_TIMEOUT_MS = 30_000
/** Runs of one transaction that PostgreSQL cancelled for a conflict with another before the error is thrown. */
export const PG_TRANSACTION_ATTEMPTS = 8
/** Upper bound of the random pause before a retry, times the attempt number: conflicting nodes spread out. */
export const PG_RETRY_JITTER_MS = 5

/** SQLSTATEs that mean "run the transaction again": serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01'])

/** Whether a --database value names PostgreSQL (the URL forms node-postgres reads). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

const sqlState = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

/** A URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}

export function openPostgres(url: string): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: PG_POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: PG_IDLE_TIMEOUT_MS,
    statement_timeout: PG_STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: PG_STATEMENT_TIMEOUT_MS,
    application_name: 'coterie-provider',
  })
  // An idle connection the server closed (a restart, a failover) is dropped by the pool; without a
  // listener node would treat the event as an uncaught error and end the process.
  pool.on('error', (e) => console.error(`provider: a pooled database connection failed: ${e.message}`))

  const on =
    (c: pg.Pool | pg.PoolClient): Queryable['query'] =>
    async (sql, params = []) => {
      const r = await c.query(sql, params as unknown[])
      return { rows: r.rows as Row[], changes: r.command === 'SELECT' ? 0 : (r.rowCount ?? 0) }
    }

  let ending: Promise<void> | undefined
  return {
    query: on(pool),
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect()
        let broken: Error | undefined
        try {
          await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
          const r = await work({ query: on(client) })
          await client.query('COMMIT')
          return r
        } catch (e) {
          await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback))
          if (!RETRYABLE.has(sqlState(e) ?? '') || attempt >= PG_TRANSACTION_ATTEMPTS) throw e
        } finally {
          // A connection that could not even roll back is discarded rather than handed to the next request.
          client.release(broken)
        }
        await new Promise((r) => setTimeout(r, Math.random() * PG_RETRY_JITTER_MS * attempt))
      }
    },
    close() {
      // pg's Pool.end() throws when called twice; SQLite's close is idempotent, and so is this.
      ending ??= pool.end()
      return ending
    },
  }
}
