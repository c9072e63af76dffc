// The provider end to end, as an operator and subscribers meet it: `coterie provider init`, `user
// add` (password on stdin) and `user disable` as real processes, `provider serve` as a real process
// on 127.0.0.1 over a real SQLite file, and subscribers speaking HTTP to it. A certificate it issues
// passes the protocol's own verification; every refused attempt leaves the database as it was.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { keyPair } from '../testing/fixtures.js'
import { eventually } from '../testing/wait.js'
import { keyText, signLoginChallenge, verifyCertificate } from '../service/index.js'
import { ProviderClient } from './client.js'
import { providerDatabasePath } from './provider.js'
import { MAX_BODY_BYTES } from './server.js'
import { ACCOUNT_LOGIN_LIMIT, ADDRESS_LOGIN_LIMIT, PROVIDER_CERTIFICATE_LIFETIME_S } from './issuance.js'

const BIN = new URL('../cli/coterie.mjs', import.meta.url).pathname
const profile = mkdtempSync(join(tmpdir(), 'coterie-provider-'))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

function coterie(input: string | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined && { input }),
  })
  assert.equal(r.status, 0, `coterie ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** Every row of every table, in a stable order: what "the database did not change" compares. */
function dump(): string {
  const db = new BetterSqlite3(providerDatabasePath(profile), { readonly: true, fileMustExist: true })
  try {
    const tables = ['provider', 'accounts', 'sessions', 'challenges', 'certificates', 'schema_migrations']
    return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()))
  } finally {
    db.close()
  }
}

const serving: ChildProcess[] = []
let url = ''
let swarmKey = ''
const alice = keyPair('provider subscriber alice')

before(async () => {
  swarmKey = /swarm key ([0-9a-f]{64})/.exec(coterie(undefined, 'provider', 'init', 'Acme'))![1]!
  for (const [name, password] of [
    ['alice', 'alice password'],
    ['bob', 'bob password'],
    ['carol', 'carol password'],
  ])
    coterie(`${password}\n`, 'provider', 'user', 'add', name!)
  ;({ url } = await startServe())
})

/** `coterie provider serve` on this profile, on a free port of 127.0.0.1. */
async function startServe(...args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    // Its node stays on loopback: no DHT, no multicast, no trackers, no port mapping.
    [
      BIN,
      '--profile',
      profile,
      'provider',
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--no-dht',
      '--no-lsd',
      '--no-tracker',
      '--no-port-mapping',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  serving.push(proc)
  let output = ''
  proc.stdout!.on('data', (d) => (output += d))
  proc.stderr!.on('data', (d) => (output += d))
  await eventually(() => /listening on (http:\S+)/.test(output), 60_000, `provider serve to listen (${output})`)
  return { proc, url: /listening on (http:\S+)/.exec(output)![1]! }
}

after(() => {
  for (const p of serving) p.kill('SIGKILL')
  rmSync(profile, { recursive: true, force: true })
})

test('a user logs in, proves its key, and gets a certificate the protocol accepts', async () => {
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
    [1, 0, 0],
  )
})

test('a wrong password and an unknown name are refused alike, and write nothing', async () => {
  const before = dump()
  const client = new ProviderClient(url)
  assert.deepEqual(await client.login('bob', 'not bob password'), { ok: false, error: { code: 'bad-credentials' } })
  assert.deepEqual(await client.login('nobody', 'bob password'), { ok: false, error: { code: 'bad-credentials' } })
  assert.deepEqual(await client.challenge(hex(alice.publicKey)), { ok: false, error: { code: 'no-session' } })
  assert.equal(dump(), before)
})

test('a replayed answer, a forged one and a stranger session are refused, and write nothing', async () => {
  const client = new ProviderClient(url)
  assert.equal((await client.login('alice', 'alice password')).ok, true)
  const c = await client.challenge(hex(alice.publicKey))
  assert.ok(c.ok)
  const sig = hex(signLoginChallenge(alice.secretKey, Buffer.from(c.value, 'hex'), Buffer.from(swarmKey, 'hex')))
  assert.equal((await client.certificate(c.value, sig)).ok, true)
  const before = dump()
  assert.deepEqual(await client.certificate(c.value, sig), { ok: false, error: { code: 'challenge-used' } })

  // A challenge for alice's key answered by another key (someone claiming a key it does not hold).
  const c2 = await client.challenge(hex(alice.publicKey))
  assert.ok(c2.ok)
  const mallory = keyPair('provider mallory')
  const forged = hex(signLoginChallenge(mallory.secretKey, Buffer.from(c2.value, 'hex'), Buffer.from(swarmKey, 'hex')))
  assert.deepEqual(await client.certificate(c2.value, forged), { ok: false, error: { code: 'bad-signature' } })
  // Signed for another provider's swarm: useless here.
  const elsewhere = hex(signLoginChallenge(alice.secretKey, Buffer.from(c2.value, 'hex'), mallory.publicKey))
  assert.deepEqual(await client.certificate(c2.value, elsewhere), { ok: false, error: { code: 'bad-signature' } })
  // Another account's session cannot spend alice's challenge.
  const bob = new ProviderClient(url)
  assert.equal((await bob.login('bob', 'bob password')).ok, true)
  const afterBobLogin = dump()
  const right = hex(signLoginChallenge(alice.secretKey, Buffer.from(c2.value, 'hex'), Buffer.from(swarmKey, 'hex')))
  assert.deepEqual(await bob.certificate(c2.value, right), { ok: false, error: { code: 'unknown-challenge' } })
  assert.notEqual(afterBobLogin, before, "bob's login and alice's challenge were written")
  assert.equal(dump(), afterBobLogin, 'the refused answers wrote nothing')
  // The challenge was never spent by those: its rightful answer still earns the certificate.
  assert.equal((await client.certificate(c2.value, right)).ok, true)
})

test('a disabled account is refused at login, its sessions end, and its key is revoked in the group', async () => {
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
  const before = dump()
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
  assert.equal(dump(), before)
})

/** A login from one loopback address of 127/8 (each is its own client address to the service). */
function loginFrom(
  localAddress: string,
  user: string,
  password: string,
  o: { base?: string; forwardedFor?: string } = {},
): Promise<{ status: number; error: string | undefined }> {
  const body = JSON.stringify({ user, password })
  const forwarded = o.forwardedFor === undefined ? {} : { 'x-forwarded-for': o.forwardedFor }
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/v1/login', o.base ?? url),
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': body.length, ...forwarded },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, error: (JSON.parse(text) as { error?: string }).error }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

test('a login flood is refused per account and per address, before any password is checked', async () => {
  const before = dump()
  // Concurrent wrong guesses at one account: the account's limit lets exactly that many be checked.
  const flood = await Promise.all(
    Array.from({ length: ACCOUNT_LOGIN_LIMIT.attempts + 7 }, () => loginFrom('127.0.0.2', 'carol', 'guess')),
  )
  const codes = flood.map((r) => r.error)
  assert.equal(codes.filter((c) => c === 'bad-credentials').length, ACCOUNT_LOGIN_LIMIT.attempts, codes.join(' '))
  assert.equal(codes.filter((c) => c === 'rate-limited').length, 7, codes.join(' '))
  assert.ok(flood.every((r) => r.status === (r.error === 'rate-limited' ? 429 : 401)))
  // Even the right password is refused while the account is limited, from any address.
  assert.equal((await loginFrom('127.0.0.3', 'carol', 'carol password')).error, 'rate-limited')
  // Guesses spread over many names from one address stop at the address's limit; then that address
  // gets nothing, alice included, while another address still logs alice in.
  const spread = []
  for (let i = 0; i <= ADDRESS_LOGIN_LIMIT.attempts; i++)
    spread.push((await loginFrom('127.0.0.4', `name${i}`, 'guess')).error)
  assert.deepEqual(spread, [...Array(ADDRESS_LOGIN_LIMIT.attempts).fill('bad-credentials'), 'rate-limited'])
  assert.equal((await loginFrom('127.0.0.4', 'alice', 'alice password')).error, 'rate-limited')
  assert.equal(dump(), before, 'the refused flood wrote nothing')
  const fromElsewhere = await loginFrom('127.0.0.5', 'alice', 'alice password')
  assert.equal(fromElsewhere.status, 200)
})

test('requests are bounded: an oversize body, a malformed one, an unknown path', async () => {
  const post = (path: string, body: string) =>
    fetch(new URL(path, url), { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(
      async (r) => [r.status, ((await r.json()) as { error: string }).error],
    )
  assert.deepEqual(await post('/v1/login', 'x'.repeat(MAX_BODY_BYTES + 1)), [413, 'too-large'])
  assert.deepEqual(await post('/v1/login', '{"user": "alice",'), [400, 'bad-request'])
  assert.deepEqual(await post('/v1/login', '{"user": "alice", "password": "p", "extra": 1}'), [400, 'bad-request'])
  assert.deepEqual(await post('/v1/nothing', '{}'), [404, 'not-found'])
})

test('a second node over the same database serves the same accounts; behind a trusted proxy it counts the client', async () => {
  const certificatesOf = (name: string) =>
    (
      JSON.parse(coterie(undefined, 'provider', 'user', 'list', '--json')) as { name: string; certificates: number }[]
    ).find((a) => a.name === name)?.certificates
  const before = certificatesOf('alice')!
  // Issuance only: the first `serve` runs the provider's node (one node per profile).
  const second = await startServe('--trust-proxy', '127.0.0.7', '--no-seeder')
  const client = new ProviderClient(second.url)
  assert.equal((await client.login('alice', 'alice password')).ok, true)
  const issued = await client.obtainCertificate(keyPair('alice, second device'), swarmKey)
  assert.ok(issued.ok, JSON.stringify(issued))
  assert.equal(certificatesOf('alice'), before + 1, 'both nodes write to the one database')

  // Through the proxy (127.0.0.7), each forwarded client has its own address limit...
  const viaProxy = (client: string, i: number) =>
    loginFrom('127.0.0.7', `someone${i}`, 'guess', { base: second.url, forwardedFor: `203.0.113.1, ${client}` })
  const first = []
  for (let i = 0; i <= ADDRESS_LOGIN_LIMIT.attempts; i++) first.push((await viaProxy('198.51.100.1', i)).error)
  assert.equal(first.at(-1), 'rate-limited')
  assert.equal((await viaProxy('198.51.100.2', 0)).error, 'bad-credentials', 'another client behind the proxy')
  // ...while from anyone else the header is ignored: it cannot choose the address it is counted under.
  const spoofed = await loginFrom('127.0.0.8', 'someone', 'guess', { base: second.url, forwardedFor: '198.51.100.1' })
  assert.equal(spoofed.error, 'bad-credentials')
})
