// The provider's database on a real SQLite file: migrations (applied once, in order, a newer
// schema refused), transactions that roll back, and the accounts the operator manages.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ServiceError } from '../../../shared/service-errors.js'
import { openSqlite } from './sqlite.js'
import { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError } from './migrations.js'
import { addAccount, disableAccount, listAccounts } from './accounts.js'
import { verifyPassword } from './password.js'
import { text } from './database.js'

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'coterie-provider-db-'))
  const file = join(dir, 'provider.sqlite3')
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

const refusedWith = (code: string) => (e: unknown) => e instanceof ServiceError && e.code === code

test('migrations apply once, in order, survive a reopen, and a newer schema is refused', async (t) => {
  const { file, cleanup } = tempDb()
  t.after(cleanup)
  const db = openSqlite(file)
  assert.deepEqual(
    await migrate(db),
    MIGRATIONS.map((m) => m.version),
  )
  assert.deepEqual(await migrate(db), [], 'nothing left to apply')
  await db.close()
  const again = openSqlite(file)
  assert.deepEqual(await migrate(again), [], 'the file remembers its schema')
  const tables = await again.query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
  assert.deepEqual(
    tables.rows.map((r) => r['name']),
    ['accounts', 'certificates', 'challenges', 'items', 'provider', 'refresh_tokens', 'schema_migrations', 'sessions'],
  )
  await again.query(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, [SCHEMA_VERSION + 1, 0])
  await assert.rejects(migrate(again), SchemaTooNewError)
  await again.close()
})

test('a database of schema 1 (made before the feed) is brought forward to 2 with its rows kept', async (t) => {
  const { file, cleanup } = tempDb()
  t.after(cleanup)
  const db = openSqlite(file)
  await db.query(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`)
  await db.transaction(async (tx) => {
    for (const sql of MIGRATIONS[0]!.sql) await tx.query(sql)
    await tx.query(`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)`)
  })
  await db.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ($1, $2, $3)`, ['old', 'h', 1])
  assert.deepEqual(await migrate(db), [2])
  assert.deepEqual((await db.query(`SELECT name FROM accounts`)).rows, [{ name: 'old' }])
  assert.deepEqual((await db.query(`SELECT info_hash FROM items`)).rows, [])
  await db.close()
})

test('a transaction that throws leaves nothing behind; $n placeholders bind in order', async (t) => {
  const { file, cleanup } = tempDb()
  t.after(cleanup)
  const db = openSqlite(file)
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

test('accounts: added with an Argon2id hash, names checked, disabled once, listed', async (t) => {
  const { file, cleanup } = tempDb()
  t.after(cleanup)
  const db = openSqlite(file)
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
