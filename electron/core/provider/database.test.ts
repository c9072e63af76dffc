// The provider's database on each engine it runs on: a real SQLite file, and a real PostgreSQL
// server (a throwaway cluster, testing/postgres.ts; skipped with its reason where none can run).
// Migrations (applied once, in order, a newer schema refused, two nodes migrating at once),
// transactions that roll back and that stay serial under concurrency, the accounts the operator
// manages, and the login attempts every issuance node shares.
import { after, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServiceError } from '../../../shared/service-errors.js'
import { ENGINES, freshPostgresDatabase, stopSharedPostgres, type Engine } from '../testing/postgres.js'
import { openSqlite } from './sqlite.js'
import { openPostgres } from './postgres.js'
import { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError } from './migrations.js'
import { addAccount, disableAccount, listAccounts } from './accounts.js'
import { verifyPassword } from './password.js'
import { countAccountAttempt } from './rate-limit.js'
import { int, text, type Database } from './database.js'

after(stopSharedPostgres)

interface Fresh {
  /** A new connection (SQLite) or pool (PostgreSQL) to the test's one database. */
  open(): Database
  /**
   * Two nodes over the database. PostgreSQL: two pools, as two issuance nodes have. SQLite: one
   * connection twice, its queue interleaving them: better-sqlite3 is synchronous, so a second
   * connection in this process would block, in a busy wait, the very thread the first needs to end
   * its transaction; SQLite's second writer is another process (service.test.ts runs two `serve`).
   */
  pair(): [Database, Database]
  /** The database's table names, sorted. */
  tables(db: Database): Promise<string[]>
}

/** A fresh, empty database of `engine` for this test, removed after it; undefined (and the test skipped) where it cannot run. */
async function fresh(t: TestContext, engine: Engine): Promise<Fresh | undefined> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coterie-provider-db-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'provider.sqlite3')
    return {
      open: () => openSqlite(file),
      pair() {
        const one = openSqlite(file)
        return [one, one]
      },
      tables: async (db) =>
        (await db.query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)).rows.map((r) =>
          text(r['name']),
        ),
    }
  }
  const pg = await freshPostgresDatabase()
  if (!pg.ok) {
    t.skip(pg.reason)
    return undefined
  }
  return {
    open: () => openPostgres(pg.url),
    pair: () => [openPostgres(pg.url), openPostgres(pg.url)],
    tables: async (db) =>
      (
        await db.query(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
        )
      ).rows.map((r) => text(r['name'])),
  }
}

const refusedWith = (code: string) => (e: unknown) => e instanceof ServiceError && e.code === code
const ALL_TABLES = [
  'accounts',
  'certificates',
  'challenges',
  'items',
  'login_attempts',
  'provider',
  'refresh_tokens',
  'schema_migrations',
  'sessions',
]

for (const engine of ENGINES) {
  test(`${engine}: migrations apply once, in order, survive a reopen, and a newer schema is refused`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const db = f.open()
    assert.deepEqual(
      await migrate(db),
      MIGRATIONS.map((m) => m.version),
    )
    assert.deepEqual(await migrate(db), [], 'nothing left to apply')
    await db.close()
    const again = f.open()
    assert.deepEqual(await migrate(again), [], 'the database remembers its schema')
    assert.deepEqual(await f.tables(again), ALL_TABLES)
    await again.query(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [SCHEMA_VERSION + 1, 0])
    await assert.rejects(migrate(again), SchemaTooNewError)
    await again.close()
  })

  test(`${engine}: a transaction that throws leaves nothing behind; $n placeholders bind in order`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const db = f.open()
    await migrate(db)
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ($1, $2, $3)`, ['x', 'h', 1])
        throw new Error('midway')
      }),
      /midway/,
    )
    assert.equal((await db.query(`SELECT name FROM accounts`)).rows.length, 0)
    await db.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ($2, $1, $3)`, ['hash', 'name', 7])
    assert.deepEqual((await db.query(`SELECT name, password_hash FROM accounts`)).rows, [
      { name: 'name', password_hash: 'hash' },
    ])
    await db.close()
  })

  test(`${engine}: a database of schema 1 (made before the feed) is brought forward with its rows kept`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const db = f.open()
    await db.query(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`)
    await db.transaction(async (tx) => {
      for (const sql of MIGRATIONS[0]!.sql) await tx.query(sql)
      await tx.query(`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)`)
    })
    await db.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ($1, $2, $3)`, ['old', 'h', 1])
    assert.deepEqual(
      await migrate(db),
      MIGRATIONS.slice(1).map((m) => m.version),
    )
    assert.deepEqual((await db.query(`SELECT name FROM accounts`)).rows, [{ name: 'old' }])
    assert.deepEqual((await db.query(`SELECT info_hash FROM items`)).rows, [])
    await db.close()
  })

  test(`${engine}: accounts: added with an Argon2id hash, names checked, disabled once, listed`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const db = f.open()
    await migrate(db)
    assert.equal(await addAccount(db, ' Alice ', 'correct horse'), 'alice')
    await assert.rejects(addAccount(db, 'ALICE', 'another password'), refusedWith('duplicate-account'))
    await assert.rejects(addAccount(db, 'bad name', 'correct horse'), refusedWith('bad-account-name'))
    await assert.rejects(addAccount(db, 'bob', 'short'), refusedWith('bad-password'))
    await assert.rejects(addAccount(db, 'bob', 'x'.repeat(1025)), refusedWith('bad-password'))
    const stored = text(
      (await db.query(`SELECT password_hash FROM accounts WHERE name = $1`, ['alice'])).rows[0]!['password_hash'],
    )
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    assert.equal(await verifyPassword(stored, 'correct horse'), true)
    assert.equal(await verifyPassword(stored, 'correct horsf'), false)
    assert.equal(await verifyPassword('not a hash', 'correct horse'), false)

    await db.query(`INSERT INTO sessions (token_hash, account, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
      'h',
      'alice',
      1,
      Date.now() + 60_000,
    ])
    await disableAccount(db, 'alice', 1_000)
    await disableAccount(db, 'alice', 2_000) // already disabled: the first time stays on record
    await assert.rejects(disableAccount(db, 'carol'), refusedWith('unknown-account'))
    assert.equal((await db.query(`SELECT * FROM sessions`)).rows.length, 0, 'its sessions ended')
    assert.deepEqual(await listAccounts(db), [
      {
        name: 'alice',
        createdAt: (await listAccounts(db))[0]!.createdAt,
        disabledAt: new Date(1_000).toISOString(),
        certificates: 0,
      },
    ])
    await db.close()
  })

  test(`${engine}: two nodes migrating one new database at once both end on the newest schema`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const [a, b] = f.pair()
    const [fromA, fromB] = await Promise.all([migrate(a), migrate(b)])
    assert.deepEqual(
      [...fromA, ...fromB].sort((x, y) => x - y),
      MIGRATIONS.map((m) => m.version),
      'each version applied by exactly one of them',
    )
    assert.deepEqual(await f.tables(a), ALL_TABLES)
    await Promise.all([a.close(), b.close()])
  })

  test(`${engine}: a count-then-insert transaction stays serial across connections (open challenges stop at their cap)`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const nodes = f.pair()
    await migrate(nodes[0]!)
    await nodes[0]!.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ('a', 'h', 0)`)
    const CAP = 8
    // What issuance.ts's challenge() does: count the open ones, insert if under the cap. Under
    // PostgreSQL's default READ COMMITTED, concurrent runs would all count the same and overshoot.
    const inserted = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        nodes[i % 2]!.transaction(async (tx) => {
          const { rows } = await tx.query(`SELECT COUNT(*) AS n FROM challenges WHERE account = $1`, ['a'])
          if (int(rows[0]!['n']) >= CAP) return false
          await tx.query(
            `INSERT INTO challenges (challenge, account, member_key, created_at, expires_at) VALUES ($1, 'a', 'k', 0, 1)`,
            [`c${i}`],
          )
          return true
        }),
      ),
    )
    assert.equal(inserted.filter(Boolean).length, CAP)
    assert.equal(int((await nodes[1]!.query(`SELECT COUNT(*) AS n FROM challenges`)).rows[0]!['n']), CAP)
    await Promise.all(nodes.map((n) => n.close()))
  })

  test(`${engine}: login attempts per account are counted exactly across connections, per window, only for real accounts`, async (t) => {
    const f = await fresh(t, engine)
    if (f === undefined) return
    const nodes = f.pair()
    await migrate(nodes[0]!)
    await nodes[0]!.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ('carol', 'h', 0)`)
    const limit = { attempts: 5, windowMs: 60_000 }
    const counts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => countAccountAttempt(nodes[i % 2]!, 'carol', limit, 1_000 + i)),
    )
    assert.deepEqual(
      counts.map((c) => c!.attempts).sort((x, y) => x - y),
      Array.from({ length: 12 }, (_, i) => i + 1),
      'every attempt counted once, none lost to a race',
    )
    const over = counts.filter((c) => c!.attempts > limit.attempts)
    assert.equal(over.length, 12 - limit.attempts)
    assert.ok(over.every((c) => c!.retryAfterMs > 0 && c!.retryAfterMs <= limit.windowMs))
    assert.equal(counts.filter((c) => c!.retryAfterMs === 0).length, limit.attempts)
    // The window's end starts a new count.
    assert.deepEqual(await countAccountAttempt(nodes[1]!, 'carol', limit, 1_000 + limit.windowMs), {
      attempts: 1,
      retryAfterMs: 0,
    })
    // A name with no account is not counted here (each node's memory counts it) and writes nothing.
    assert.equal(await countAccountAttempt(nodes[0]!, 'nobody', limit, 2_000), undefined)
    assert.deepEqual(
      (await nodes[0]!.query(`SELECT account FROM login_attempts`)).rows.map((r) => r['account']),
      ['carol'],
    )
    await Promise.all(nodes.map((n) => n.close()))
  })
}
