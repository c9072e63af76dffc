// Renewal without the password (docs/PROVIDER.md): a subscription's refresh token, on a real SQLite
// file, earns new certificates only for the key it is bound to and only while the account is
// active; a thief holding the token but not the key gets nothing, and a refused renewal writes nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyPair } from '../testing/fixtures.js'
import { signLoginChallenge, verifyCertificate } from '../service/index.js'
import { openSqlite } from './sqlite.js'
import { migrate } from './migrations.js'
import { addAccount, disableAccount } from './accounts.js'
import { Issuer, REFRESH_LIFETIME_MS } from './issuance.js'
import { int } from './database.js'

const swarm = keyPair('refresh test swarm')
const member = keyPair('refresh test member')
const thief = keyPair('refresh test thief')
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const answer = (who: typeof member, challenge: string) =>
  hex(signLoginChallenge(who.secretKey, Buffer.from(challenge, 'hex'), swarm.publicKey))

test('a refresh token renews for its own key, not for a thief, and not once the account is disabled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'coterie-refresh-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const db = openSqlite(join(dir, 'provider.sqlite3'))
  t.after(() => db.close())
  await migrate(db)
  await addAccount(db, 'alice', 'alice password')
  const issuer = new Issuer(db, swarm)
  const now = Date.now()

  const session = await issuer.login('alice', 'alice password', '127.0.0.1', now)
  assert.ok(session.ok)
  const c = await issuer.challenge(session.value.token, hex(member.publicKey), now)
  assert.ok(c.ok)
  const sub = await issuer.subscribe(session.value.token, c.value.challenge, answer(member, c.value.challenge), now)
  assert.ok(sub.ok, JSON.stringify(sub))
  assert.equal(sub.value.member, hex(member.publicKey))
  const stored = await db.query(`SELECT token_hash, expires_at FROM refresh_tokens`)
  assert.equal(stored.rows.length, 1)
  assert.notEqual(stored.rows[0]!['token_hash'], sub.value.refresh, 'only a hash of the token is kept')

  // Thirteen hours later the node renews: a challenge for the bound key, signed by it.
  const later = now + 13 * 3600_000
  const rc = await issuer.renewalChallenge(sub.value.refresh, later)
  assert.ok(rc.ok)
  const renewed = await issuer.renew(sub.value.refresh, rc.value.challenge, answer(member, rc.value.challenge), later)
  assert.ok(renewed.ok, JSON.stringify(renewed))
  const cert = verifyCertificate(Buffer.from(renewed.value.certificate, 'hex'), {
    swarm: swarm.publicKey,
    now: Math.floor(later / 1000),
  })
  assert.ok(cert.ok)
  assert.equal(hex(cert.value.member), hex(member.publicKey))
  const slid = await db.query(`SELECT expires_at FROM refresh_tokens`)
  assert.equal(int(slid.rows[0]!['expires_at']), later + REFRESH_LIFETIME_MS, 'each renewal moves its end ahead')

  // A thief with the token but not the key: the challenge is for the bound key, which it cannot sign for.
  const tc = await issuer.renewalChallenge(sub.value.refresh, later)
  assert.ok(tc.ok)
  const before = JSON.stringify((await db.query(`SELECT * FROM certificates ORDER BY id`)).rows)
  assert.deepEqual(
    await issuer.renew(sub.value.refresh, tc.value.challenge, answer(thief, tc.value.challenge), later),
    {
      ok: false,
      error: { code: 'bad-signature' },
    },
  )
  // A challenge the session asked for another key does not pass as the token's.
  const again = await issuer.login('alice', 'alice password', '127.0.0.1', later)
  assert.ok(again.ok)
  const other = await issuer.challenge(again.value.token, hex(thief.publicKey), later)
  assert.ok(other.ok)
  assert.deepEqual(
    await issuer.renew(sub.value.refresh, other.value.challenge, answer(thief, other.value.challenge), later),
    { ok: false, error: { code: 'unknown-challenge' } },
  )
  assert.deepEqual(await issuer.renewalChallenge('00'.repeat(32), later), { ok: false, error: { code: 'no-session' } })
  assert.equal(
    JSON.stringify((await db.query(`SELECT * FROM certificates ORDER BY id`)).rows),
    before,
    'nothing issued',
  )

  // Disabled: the token is gone with the account's sessions.
  await disableAccount(db, 'alice', later)
  assert.equal((await db.query(`SELECT * FROM refresh_tokens`)).rows.length, 0)
  assert.deepEqual(await issuer.renewalChallenge(sub.value.refresh, later), {
    ok: false,
    error: { code: 'no-session' },
  })
  const s2 = await issuer.login('alice', 'alice password', '127.0.0.2', later)
  assert.deepEqual(s2, { ok: false, error: { code: 'account-disabled' } })
})
