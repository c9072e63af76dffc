// The provider end to end, as an operator and subscribers meet it, on each database engine:
// `coterie provider init`, `user add` (password on stdin) and `user disable` as real processes,
// `provider serve` as a real process on 127.0.0.1 over a real SQLite file or a real PostgreSQL
// server (a throwaway cluster, testing/postgres.ts; skipped with its reason where none can run),
// and subscribers speaking HTTP to it. A certificate it issues passes the protocol's own
// verification; every refused attempt leaves the database as it was (but for the account's attempt
// count); two issuance nodes over one database serve the same accounts, share their limits, and
// serve the same feed.
import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyPair } from '../testing/fixtures.js'
import { eventually } from '../testing/wait.js'
import { ENGINES, freshPostgresDatabase, stopSharedPostgres, type Engine } from '../testing/postgres.js'
import {
  findGroup,
  keyText,
  ProfileStore,
  ProviderClient,
  signLoginChallenge,
  verifyCertificate,
} from '../service/index.js'
import { REVOCATION_SYNC_MS } from './revocations.js'
import { providerDatabasePath } from './provider.js'
import { MAX_BODY_BYTES } from './server.js'
import { ACCOUNT_LOGIN_LIMIT, ADDRESS_LOGIN_LIMIT, PROVIDER_CERTIFICATE_LIFETIME_S } from './issuance.js'
import { openSqlite } from './sqlite.js'
import { openPostgres } from './postgres.js'
import { int, type Database } from './database.js'

const BIN = new URL('../cli/coterie.mjs', import.meta.url).pathname
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const serving: ChildProcess[] = []
const folders: string[] = []

after(async () => {
  for (const p of serving) p.kill('SIGKILL')
  for (const f of folders) rmSync(f, { recursive: true, force: true })
  await stopSharedPostgres()
})

/** `coterie --profile DIR ...`, its standard input `input`; fails the test unless it exits 0. */
function coterieOn(profile: string, input: string | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined && { input }),
  })
  assert.equal(r.status, 0, `coterie ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** The provider's node stays on loopback: no DHT, no multicast, no trackers, no router. */
const OFFLINE = ['--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping']

/** `coterie provider serve` on a profile, on a free port of 127.0.0.1. */
async function startServe(profile: string, ...args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [BIN, '--profile', profile, 'provider', 'serve', '--listen', '127.0.0.1:0', ...OFFLINE, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  serving.push(proc)
  let output = ''
  proc.stdout!.on('data', (d) => (output += d))
  proc.stderr!.on('data', (d) => (output += d))
  // A serve that dies before the test ends says why (the tests then see `unreachable`).
  proc.on('exit', (code, signal) => {
    if (signal !== 'SIGKILL') process.stderr.write(`provider serve exited (${code ?? signal}):\n${output}\n`)
  })
  await eventually(() => /listening on (http:\S+)/.test(output), 60_000, `provider serve to listen (${output})`)
  return { proc, url: /listening on (http:\S+)/.exec(output)![1]! }
}

/** A login from one loopback address of 127/8 (each is its own client address to the service). */
function loginFrom(
  base: string,
  localAddress: string,
  user: string,
  password: string,
  o: { forwardedFor?: string } = {},
): Promise<{ status: number; error: string | undefined; session: string | undefined }> {
  const body = JSON.stringify({ user, password })
  const forwarded = o.forwardedFor === undefined ? {} : { 'x-forwarded-for': o.forwardedFor }
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/v1/login', base),
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': body.length, ...forwarded },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          const answer = JSON.parse(text) as { error?: string; session?: string }
          resolve({ status: res.statusCode ?? 0, error: answer.error, session: answer.session })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** POST `path` with a JSON body and a session, to any node: for a session made on another node. */
async function postWith(base: string, path: string, session: string, body: unknown) {
  const r = await fetch(new URL(path, base), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
  })
  return { status: r.status, ...((await r.json()) as { error?: string; challenge?: string; certificate?: string }) }
}

for (const engine of ENGINES) describe(engine, () => providerSuite(engine))

test('a --database that is not PostgreSQL, or cannot be reached, is refused in words, its password hidden', () => {
  const profile = mkdtempSync(join(tmpdir(), 'coterie-provider-nodb-'))
  folders.push(profile)
  const init = (url: string) =>
    spawnSync(process.execPath, [BIN, '--profile', profile, 'provider', 'init', 'Acme', '--database', url], {
      encoding: 'utf8',
      timeout: 60_000,
    })
  const notPg = init('mysql://root@localhost/x')
  assert.notEqual(notPg.status, 0)
  assert.match(notPg.stderr, /--database takes a PostgreSQL URL/)
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const down = init('postgres://coterie:hunter2secret@127.0.0.1:1/provider')
  assert.notEqual(down.status, 0)
  assert.match(down.stderr, /could not be reached/)
  assert.match(down.stderr, /postgres:\/\/coterie:\*\*\*@127\.0\.0\.1:1\/provider/)
  assert.doesNotMatch(down.stderr, /hunter2secret/)
  // Nothing was made: the profile is no provider, and no URL was recorded.
  const list = spawnSync(process.execPath, [BIN, '--profile', profile, 'provider', 'user', 'list'], {
    encoding: 'utf8',
  })
  assert.match(list.stderr, /not a content provider/)
})

function providerSuite(engine: Engine): void {
  const profile = mkdtempSync(join(tmpdir(), `coterie-provider-${engine}-`))
  folders.push(profile)
  const coterie = (input: string | undefined, ...args: string[]) => coterieOn(profile, input, ...args)
  let skipped: string | undefined
  let database: string | undefined
  let url = ''
  let swarmKey = ''
  /** The second issuance node of the last test: a copy of the profile over the same PostgreSQL (SQLite: the same profile). */
  let second = ''
  let secondProfile = profile
  const alice = keyPair('provider subscriber alice')

  /** True (and the test skipped, with the reason) where this engine cannot run here. */
  const skip = (t: TestContext): boolean => {
    if (skipped !== undefined) t.skip(skipped)
    return skipped !== undefined
  }

  const open = (): Database =>
    database === undefined ? openSqlite(providerDatabasePath(profile)) : openPostgres(database)

  /** Every row of every table but the attempt counts, in a stable order: what "the database did not change" compares. */
  async function dump(): Promise<string> {
    const db = open()
    try {
      const tables = [
        'provider',
        'accounts',
        'sessions',
        'challenges',
        'certificates',
        'items',
        'refresh_tokens',
        'schema_migrations',
      ]
      const rows = []
      for (const t of tables) rows.push((await db.query(`SELECT * FROM ${t} ORDER BY 1`)).rows)
      return JSON.stringify(rows)
    } finally {
      await db.close()
    }
  }

  /** The account's login attempts in the current window, as the database counts them for every node. */
  async function attemptsOf(account: string): Promise<number> {
    const db = open()
    try {
      const { rows } = await db.query(`SELECT attempts FROM login_attempts WHERE account = $1`, [account])
      return rows[0] === undefined ? 0 : int(rows[0]['attempts'])
    } finally {
      await db.close()
    }
  }

  before(async () => {
    if (engine === 'postgres') {
      const pg = await freshPostgresDatabase()
      if (!pg.ok) {
        skipped = pg.reason
        return
      }
      database = pg.url
    }
    const init = coterie(
      undefined,
      'provider',
      'init',
      'Acme',
      ...(database === undefined ? [] : ['--database', database]),
    )
    swarmKey = /swarm key ([0-9a-f]{64})/.exec(init)![1]!
    for (const [name, password] of [
      ['alice', 'alice password'],
      ['bob', 'bob password'],
      ['carol', 'carol password'],
      ['dave', 'dave password'],
      ['erin', 'erin password'],
      ['frank', 'frank password'],
    ])
      coterie(`${password}\n`, 'provider', 'user', 'add', name!)
    // PostgreSQL: another issuance node is a copy of the profile (the swarm key; the database URL init
    // recorded) and nothing else of its own. SQLite: its file is in the profile, so the same profile.
    if (database !== undefined) {
      secondProfile = mkdtempSync(join(tmpdir(), 'coterie-provider-node-b-'))
      folders.push(secondProfile)
      cpSync(profile, secondProfile, { recursive: true })
    }
    ;({ url } = await startServe(profile))
  })

  test(`${engine}: a user logs in, proves its key, and gets a certificate the protocol accepts`, async (t) => {
    if (skip(t)) return
    const client = new ProviderClient(url)
    const info = await client.info()
    assert.deepEqual(info, { ok: true, value: { name: 'Acme', swarmKey } })
    assert.equal((await client.login('Alice', 'alice password')).ok, true)
    const issued = await client.obtainCertificate(alice, swarmKey)
    assert.ok(issued.ok, JSON.stringify(issued))
    const now = Math.floor(Date.now() / 1000)
    const checked = verifyCertificate(Buffer.from(issued.value, 'hex'), { swarm: Buffer.from(swarmKey, 'hex'), now })
    assert.ok(checked.ok, JSON.stringify(checked))
    assert.equal(hex(checked.value.member), hex(alice.publicKey))
    assert.equal(checked.value.exp - checked.value.iat, PROVIDER_CERTIFICATE_LIFETIME_S + 60)
    const later = verifyCertificate(Buffer.from(issued.value, 'hex'), {
      swarm: Buffer.from(swarmKey, 'hex'),
      now: now + PROVIDER_CERTIFICATE_LIFETIME_S + 3600,
    })
    assert.deepEqual(later, { ok: false, error: { code: 'expired' } }, 'short-lived')
    const listed = JSON.parse(coterie(undefined, 'provider', 'user', 'list', '--json')) as { certificates: number }[]
    assert.deepEqual(
      listed.map((a) => a.certificates),
      [1, 0, 0, 0, 0, 0],
    )
  })

  test(`${engine}: a wrong password and an unknown name are refused alike, and write nothing`, async (t) => {
    if (skip(t)) return
    const before = await dump()
    const client = new ProviderClient(url)
    assert.deepEqual(await client.login('bob', 'not bob password'), { ok: false, error: { code: 'bad-credentials' } })
    assert.deepEqual(await client.login('nobody', 'bob password'), { ok: false, error: { code: 'bad-credentials' } })
    assert.deepEqual(await client.challenge(hex(alice.publicKey)), { ok: false, error: { code: 'no-session' } })
    assert.equal(await dump(), before)
  })

  test(`${engine}: a replayed answer, a forged one and a stranger session are refused, and write nothing`, async (t) => {
    if (skip(t)) return
    const client = new ProviderClient(url)
    assert.equal((await client.login('alice', 'alice password')).ok, true)
    const c = await client.challenge(hex(alice.publicKey))
    assert.ok(c.ok)
    const sig = hex(signLoginChallenge(alice.secretKey, Buffer.from(c.value, 'hex'), Buffer.from(swarmKey, 'hex')))
    assert.equal((await client.certificate(c.value, sig)).ok, true)
    const before = await dump()
    assert.deepEqual(await client.certificate(c.value, sig), { ok: false, error: { code: 'challenge-used' } })

    // A challenge for alice's key answered by another key (someone claiming a key it does not hold).
    const c2 = await client.challenge(hex(alice.publicKey))
    assert.ok(c2.ok)
    const mallory = keyPair('provider mallory')
    const forged = hex(
      signLoginChallenge(mallory.secretKey, Buffer.from(c2.value, 'hex'), Buffer.from(swarmKey, 'hex')),
    )
    assert.deepEqual(await client.certificate(c2.value, forged), { ok: false, error: { code: 'bad-signature' } })
    // Signed for another provider's swarm: useless here.
    const elsewhere = hex(signLoginChallenge(alice.secretKey, Buffer.from(c2.value, 'hex'), mallory.publicKey))
    assert.deepEqual(await client.certificate(c2.value, elsewhere), { ok: false, error: { code: 'bad-signature' } })
    // Another account's session cannot spend alice's challenge.
    const bob = new ProviderClient(url)
    assert.equal((await bob.login('bob', 'bob password')).ok, true)
    const afterBobLogin = await dump()
    const right = hex(signLoginChallenge(alice.secretKey, Buffer.from(c2.value, 'hex'), Buffer.from(swarmKey, 'hex')))
    assert.deepEqual(await bob.certificate(c2.value, right), { ok: false, error: { code: 'unknown-challenge' } })
    assert.notEqual(afterBobLogin, before, "bob's login and alice's challenge were written")
    assert.equal(await dump(), afterBobLogin, 'the refused answers wrote nothing')
    // The challenge was never spent by those: its rightful answer still earns the certificate.
    assert.equal((await client.certificate(c2.value, right)).ok, true)
  })

  test(`${engine}: a disabled account is refused at login, its sessions end, and its key is revoked in the group`, async (t) => {
    if (skip(t)) return
    const bob = new ProviderClient(url)
    assert.equal((await bob.login('bob', 'bob password')).ok, true)
    const bobKey = keyPair('provider subscriber bob')
    assert.equal((await bob.obtainCertificate(bobKey, swarmKey)).ok, true)
    const revokedKeys = () =>
      (JSON.parse(coterie(undefined, 'group', 'show', 'Acme', '--json')) as { revoked: { key: string }[] }).revoked
    assert.equal(revokedKeys().length, 0)
    assert.match(coterie(undefined, 'provider', 'user', 'disable', 'bob'), /disabled bob; 1 key\(s\) revoked/)
    // Its key is on the group's revocation list, which the group index carries to every member's node.
    assert.deepEqual(
      revokedKeys().map((r) => r.key),
      [keyText(hex(bobKey.publicKey))],
    )
    const before = await dump()
    assert.deepEqual(await bob.challenge(hex(keyPair('bob').publicKey)), {
      ok: false,
      error: { code: 'no-session' },
    })
    assert.deepEqual(await new ProviderClient(url).login('bob', 'bob password'), {
      ok: false,
      error: { code: 'account-disabled' },
    })
    assert.deepEqual(await new ProviderClient(url).login('bob', 'wrong password'), {
      ok: false,
      error: { code: 'bad-credentials' },
    })
    assert.equal(await dump(), before)
  })

  test(`${engine}: a login flood is refused per account and per address, before any password is checked`, async (t) => {
    if (skip(t)) return
    const before = await dump()
    // Concurrent wrong guesses at one account: the account's limit lets exactly that many be checked.
    const flood = await Promise.all(
      Array.from({ length: ACCOUNT_LOGIN_LIMIT.attempts + 7 }, () => loginFrom(url, '127.0.0.2', 'carol', 'guess')),
    )
    const codes = flood.map((r) => r.error)
    assert.equal(codes.filter((c) => c === 'bad-credentials').length, ACCOUNT_LOGIN_LIMIT.attempts, codes.join(' '))
    assert.equal(codes.filter((c) => c === 'rate-limited').length, 7, codes.join(' '))
    assert.ok(flood.every((r) => r.status === (r.error === 'rate-limited' ? 429 : 401)))
    assert.equal(
      await attemptsOf('carol'),
      ACCOUNT_LOGIN_LIMIT.attempts,
      "the node's memory let through what the database counted",
    )
    // Even the right password is refused while the account is limited, from any address.
    assert.equal((await loginFrom(url, '127.0.0.3', 'carol', 'carol password')).error, 'rate-limited')
    // Guesses spread over many names from one address stop at the address's limit; then that address
    // gets nothing, alice included, while another address still logs alice in.
    const spread = []
    for (let i = 0; i <= ADDRESS_LOGIN_LIMIT.attempts; i++)
      spread.push((await loginFrom(url, '127.0.0.4', `name${i}`, 'guess')).error)
    assert.deepEqual(spread, [...Array(ADDRESS_LOGIN_LIMIT.attempts).fill('bad-credentials'), 'rate-limited'])
    assert.equal((await loginFrom(url, '127.0.0.4', 'alice', 'alice password')).error, 'rate-limited')
    assert.equal(await dump(), before, 'the refused flood wrote nothing but the attempt counts')
    const fromElsewhere = await loginFrom(url, '127.0.0.5', 'alice', 'alice password')
    assert.equal(fromElsewhere.status, 200)
  })

  test(`${engine}: requests are bounded: an oversize body, a malformed one, an unknown path`, async (t) => {
    if (skip(t)) return
    const post = (path: string, body: string) =>
      fetch(new URL(path, url), { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(
        async (r) => [r.status, ((await r.json()) as { error: string }).error],
      )
    assert.deepEqual(await post('/v1/login', 'x'.repeat(MAX_BODY_BYTES + 1)), [413, 'too-large'])
    assert.deepEqual(await post('/v1/login', '{"user": "alice",'), [400, 'bad-request'])
    assert.deepEqual(await post('/v1/login', '{"user": "alice", "password": "p", "extra": 1}'), [400, 'bad-request'])
    assert.deepEqual(await post('/v1/nothing', '{}'), [404, 'not-found'])
  })

  test(`${engine}: a second node over the same database serves the same accounts; behind a trusted proxy it counts the client`, async (t) => {
    if (skip(t)) return
    const certificatesOf = (name: string) =>
      (
        JSON.parse(coterie(undefined, 'provider', 'user', 'list', '--json')) as { name: string; certificates: number }[]
      ).find((a) => a.name === name)?.certificates
    const before = certificatesOf('alice')!
    second = (await startServe(secondProfile, '--no-seeder', '--trust-proxy', '127.0.0.7')).url
    const client = new ProviderClient(second)
    assert.equal((await client.login('alice', 'alice password')).ok, true)
    const issued = await client.obtainCertificate(keyPair('alice, second device'), swarmKey)
    assert.ok(issued.ok, JSON.stringify(issued))
    assert.equal(certificatesOf('alice'), before + 1, 'both nodes write to the one database')

    // Through the proxy (127.0.0.7), each forwarded client has its own address limit...
    const viaProxy = (client: string, i: number) =>
      loginFrom(second, '127.0.0.7', `someone${i}`, 'guess', { forwardedFor: `203.0.113.1, ${client}` })
    const first = []
    for (let i = 0; i <= ADDRESS_LOGIN_LIMIT.attempts; i++) first.push((await viaProxy('198.51.100.1', i)).error)
    assert.equal(first.at(-1), 'rate-limited')
    assert.equal((await viaProxy('198.51.100.2', 0)).error, 'bad-credentials', 'another client behind the proxy')
    // ...while from anyone else the header is ignored: it cannot choose the address it is counted under.
    const spoofed = await loginFrom(second, '127.0.0.8', 'someone', 'guess', { forwardedFor: '198.51.100.1' })
    assert.equal(spoofed.error, 'bad-credentials')
  })

  test(`${engine}: two issuance nodes: a login on one earns a certificate on the other, a disable on one is seen by the other`, async (t) => {
    if (skip(t)) return
    assert.notEqual(second, '', 'the second node runs (the test before)')
    const login = await loginFrom(url, '127.0.0.9', 'dave', 'dave password')
    assert.equal(login.status, 200)
    const session = login.session!
    const daveKey = keyPair('provider subscriber dave')
    const c = await postWith(second, '/v1/challenge', session, { member: hex(daveKey.publicKey) })
    assert.equal(c.status, 200, JSON.stringify(c))
    const signature = hex(
      signLoginChallenge(daveKey.secretKey, Buffer.from(c.challenge!, 'hex'), Buffer.from(swarmKey, 'hex')),
    )
    // The challenge node B handed out is spent on node A: one database, one set of challenges.
    const issued = await postWith(url, '/v1/certificate', session, { challenge: c.challenge, signature })
    assert.equal(issued.status, 200, JSON.stringify(issued))
    const checked = verifyCertificate(Buffer.from(issued.certificate!, 'hex'), {
      swarm: Buffer.from(swarmKey, 'hex'),
      now: Math.floor(Date.now() / 1000),
    })
    assert.ok(checked.ok, JSON.stringify(checked))
    assert.equal(hex(checked.value.member), hex(daveKey.publicKey))

    // Disabled through the second node's profile: the first node refuses the session and the login at once.
    assert.match(
      coterieOn(secondProfile, undefined, 'provider', 'user', 'disable', 'dave'),
      /disabled dave; 1 key\(s\) revoked/,
    )
    const again = await postWith(url, '/v1/challenge', session, { member: hex(daveKey.publicKey) })
    assert.deepEqual([again.status, again.error], [401, 'no-session'])
    assert.equal((await loginFrom(url, '127.0.0.9', 'dave', 'dave password')).error, 'account-disabled')
    assert.equal((await loginFrom(second, '127.0.0.9', 'dave', 'dave password')).error, 'account-disabled')
    // The first node, which publishes the group index, revokes dave's key in its own profile too
    // (every REVOCATION_SYNC_MS), so the disable reaches peers.
    const first = await ProfileStore.open(profile)
    await eventually(
      async () => (findGroup(await first.read(), 'Acme').revoked ?? []).includes(hex(daveKey.publicKey)),
      REVOCATION_SYNC_MS * 6,
      "dave's key revoked in the first node's profile",
    )
  })

  test(`${engine}: two issuance nodes: subscribed on one, renewed on the other with the refresh token, until disabled`, async (t) => {
    if (skip(t)) return
    assert.notEqual(second, '', 'the second node runs (the tests before)')
    const frank = new ProviderClient(url)
    assert.equal((await frank.login('frank', 'frank password')).ok, true)
    const frankKey = keyPair('provider subscriber frank')
    const sub = await frank.subscribe(frankKey, swarmKey)
    assert.ok(sub.ok, JSON.stringify(sub))
    const renewed = await new ProviderClient(second).renew(sub.value.refresh, frankKey, swarmKey)
    assert.ok(renewed.ok, JSON.stringify(renewed))
    const checked = verifyCertificate(Buffer.from(renewed.value, 'hex'), {
      swarm: Buffer.from(swarmKey, 'hex'),
      now: Math.floor(Date.now() / 1000),
    })
    assert.ok(checked.ok, JSON.stringify(checked))
    assert.equal(hex(checked.value.member), hex(frankKey.publicKey))
    // Disabled through the first node's profile: the second node's next renewal is refused.
    assert.match(coterie(undefined, 'provider', 'user', 'disable', 'frank'), /disabled frank; 1 key\(s\) revoked/)
    assert.deepEqual(await new ProviderClient(second).renew(sub.value.refresh, frankKey, swarmKey), {
      ok: false,
      error: { code: 'no-session' },
    })
  })

  test(`${engine}: two issuance nodes serve one feed: an item published on one is listed and served by the other, until unshared`, async (t) => {
    if (skip(t)) return
    assert.notEqual(second, '', 'the second node runs (the tests before)')
    const folder = mkdtempSync(join(tmpdir(), 'coterie-provider-item-'))
    folders.push(folder)
    const file = join(folder, 'episode-1.bin')
    writeFileSync(file, randomBytes(300_000))
    // Published through the first node's profile, after the second node's copy of it was made.
    const infoHash = coterie(undefined, 'provider', 'publish', file, '--title', 'Episode 1').trim().split('\n').at(-1)!
    assert.match(infoHash, /^[0-9a-f]{40}$/)
    // The items of a node's verified feed; a refusal (a tampered feed, or `unreachable` for a
    // kept-alive connection the node closed as it was reused, seen once under load) as its code,
    // which the polls below wait past and the last assertion would show.
    const feedOf = async (base: string) => {
      const f = await new ProviderClient(base).feed(swarmKey)
      return f.ok ? f.value.items.map((i) => [i.title, i.infoHash, i.size]) : f.error.code
    }
    const torrentOf = (base: string) => fetch(new URL(`/v1/torrents/${infoHash}.torrent`, base))
    // Each node re-signs its feed at most every FEED_CACHE_MS: wait for the next one.
    for (const base of [url, second])
      await eventually(
        async () => JSON.stringify(await feedOf(base)) === JSON.stringify([['Episode 1', infoHash, 300_000]]),
        30_000,
        `the item in ${base}'s feed`,
      )
    const [a, b] = await Promise.all([torrentOf(url), torrentOf(second)])
    assert.deepEqual([a.status, b.status], [200, 200])
    const fromB = new Uint8Array(await b.arrayBuffer())
    assert.deepEqual(fromB, new Uint8Array(await a.arrayBuffer()), 'the same .torrent from either node')

    // Taken out of the group on the first node's profile: it leaves both nodes' feeds.
    assert.match(coterie(undefined, 'unshare', infoHash, '--group', 'Acme'), /taken out of the provider's feed/)
    for (const base of [url, second])
      await eventually(
        async () => JSON.stringify(await feedOf(base)) === '[]',
        30_000,
        `the item gone from ${base}'s feed`,
      )
    assert.equal((await torrentOf(second)).status, 404)
    // Published again, it is back, as first published.
    coterie(undefined, 'provider', 'publish', file)
    await eventually(
      async () => JSON.stringify(await feedOf(second)) === JSON.stringify([['Episode 1', infoHash, 300_000]]),
      30_000,
      'the item back in the feed, with its first title',
    )
  })

  test(`${engine}: an account's login limit is shared by the nodes: a flood spread over both stops at one limit`, async (t) => {
    if (skip(t)) return
    const before = await dump()
    const nodes = [url, second]
    // Each node alone would let ACCOUNT_LOGIN_LIMIT.attempts through; together they must too.
    const flood = await Promise.all(
      Array.from({ length: 2 * ACCOUNT_LOGIN_LIMIT.attempts + 4 }, (_, i) =>
        loginFrom(nodes[i % 2]!, `127.0.1.${1 + (i % 4)}`, 'erin', 'guess'),
      ),
    )
    const codes = flood.map((r) => r.error)
    assert.equal(codes.filter((c) => c === 'bad-credentials').length, ACCOUNT_LOGIN_LIMIT.attempts, codes.join(' '))
    assert.equal(codes.filter((c) => c === 'rate-limited').length, ACCOUNT_LOGIN_LIMIT.attempts + 4, codes.join(' '))
    assert.equal((await loginFrom(second, '127.0.1.9', 'erin', 'erin password')).error, 'rate-limited')
    assert.equal(await dump(), before, 'nothing written but the attempt counts')
  })
}
