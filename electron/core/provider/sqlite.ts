/**
 * The SQLite driver behind database.ts, on better-sqlite3: one file, one connection, WAL so a
 * reader (`provider user list` while `serve` runs) never waits on the writer. better-sqlite3 is
 * synchronous; this wraps it in the promise interface PostgreSQL needs, and runs statements and
 * transactions one at a time through a queue, so an `await` inside a transaction can never let
 * another request's statement slip into it.
 */
import BetterSqlite3 from 'better-sqlite3'
import type { Database, Queryable, Row } from './database.js'

/** How long a statement waits for another process's write lock (the CLI beside `serve`) before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000

/** `$1` -> `@p1`: better-sqlite3 binds named parameters, PostgreSQL numbered ones; the queries are written for both. */
const PLACEHOLDER = /\$(\d+)/g

export function openSqlite(file: string): Database {
  const db = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS })
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  const statements = new Map<string, ReturnType<typeof db.prepare>>()
  const run: Queryable['query'] = (sql, params = []) => {
    let st = statements.get(sql)
    if (st === undefined) {
      st = db.prepare(sql.replace(PLACEHOLDER, '@p$1'))
      statements.set(sql, st)
    }
    const named = Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]))
    if (st.reader) return Promise.resolve({ rows: st.all(named) as Row[], changes: 0 })
    return Promise.resolve({ rows: [], changes: st.run(named).changes })
  }
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <R>(job: () => Promise<R>): Promise<R> => {
    const next = queue.then(job, job)
    queue = next.catch(() => undefined)
    return next
  }
  let closed = false
  return {
    query: (sql, params) => serial(() => run(sql, params)),
    transaction: (work) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE')
        try {
          const r = await work({ query: run })
          db.exec('COMMIT')
          return r
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw e
        }
      }),
    close: () =>
      serial(async () => {
        if (!closed) db.close()
        closed = true
      }),
  }
}
