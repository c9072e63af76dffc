// The content provider end to end (issue 18), every party a real process on 127.0.0.1 over a real
// SQLite file: a provider (`provider serve`, its node seeding what `provider publish` adds), three
// subscribers (`coterie subscribe`, then `coterie run`), and an outsider holding the leaked feed
// and .torrent in a plain WebTorrent client. Subscribers get new items by themselves; one
// downloads from another with the provider stopped; the outsider gets nothing from enforcing
// peers; a disabled account loses its live connections and gets nothing published after; a
// tampered feed is refused with its code.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { eventually } from '../testing/wait.js'
import { destroyClient, LOOPBACK, plainClient, randomFile, tempDirs } from '../testing/swarm.js'
import { runners, stop, type RunningNode } from '../testing/cli.js'
import { ProfileStore, ProviderClient, renewDue, verifyFeed } from '../service/index.js'

const BIN = new URL('../cli/coterie.mjs', import.meta.url).pathname
const LOOPBACK_NODE = ['--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping']
/** Every wait: generous, for a loaded machine (2 cores shared by several test runs). */
const WAIT_MS = 90_000
/** How often a wait that spawns `coterie status` polls (each is a process start). */
const POLL_MS = 1_000

/** `eventually` over `coterie status`, saying what each profile's node saw when it fails. */
async function until(check: () => boolean, what: string, ...profiles: string[]): Promise<void> {
  try {
    await eventually(check, WAIT_MS, what, POLL_MS)
  } catch (e) {
    const seen = profiles.map((p) =>
      JSON.stringify(status(p).torrents.map((t) => [t.infoHash.slice(0, 8), t.progress, t.peers])),
    )
    throw new Error(`${(e as Error).message}; status: ${seen.join(' | ')}`)
  }
}

const { temp, cleanup } = tempDirs()
const nodes = runners()
const extra: ChildProcess[] = []
const provider = temp('provider-profile')
const subs = { alice: temp('alice-profile'), bob: temp('bob-profile'), carol: temp('carol-profile') }
const dl = { alice: temp('alice-files'), bob: temp('bob-files'), carol: temp('carol-files') }
const content = temp('provider-content')
const items = [1, 2, 3].map((i) => randomFile(content, `item${i}.bin`, 600_000 + i * 1000))
const infoHashes: string[] = []
let serve: { proc: ChildProcess; url: string } | undefined
let swarmKey = ''
const running: Partial<Record<keyof typeof subs, RunningNode>> = {}
const outsider = plainClient()
/** How much the outsider got (checked again at the end, after the swarm worked around it). */
let outsiderGot = (): number => 0

function coterie(profile: string, input: string | undefined, ...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    ...(input !== undefined && { input }),
  })
  assert.equal(r.status, 0, `coterie ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** `provider publish`: the item's infohash (its last line). */
const publish = (i: number): string => {
  const ih = coterie(provider, undefined, 'provider', 'publish', items[i]!.path, '--title', `Item ${i + 1}`)
    .trim()
    .split('\n')
    .at(-1)!
  infoHashes[i] = ih
  return ih
}

interface Status {
  torrents: {
    infoHash: string
    progress: number
    peers: { state: string; self?: string; member?: string; downloaded?: number }[]
  }[]
}
const status = (profile: string): Status => JSON.parse(coterie(profile, undefined, 'status', '--json')) as Status
const has = (who: keyof typeof dl, i: number): boolean => {
  const f = join(dl[who], `item${i + 1}.bin`)
  return existsSync(f) && readFileSync(f).equals(items[i]!.data)
}
const authorizedPeers = (profile: string, infoHash: string): number =>
  status(profile)
    .torrents.find((t) => t.infoHash === infoHash)
    ?.peers.filter((p) => p.state === 'authorized').length ?? 0

async function startServe(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [BIN, '--profile', provider, 'provider', 'serve', '--listen', `${LOOPBACK}:0`, ...LOOPBACK_NODE],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  extra.push(proc)
  let output = ''
  proc.stdout!.on('data', (d) => (output += d))
  proc.stderr!.on('data', (d) => (output += d))
  await eventually(() => /listening on (http:\S+)/.test(output), WAIT_MS, `provider serve to listen (${output})`)
  return { proc, url: /listening on (http:\S+)/.exec(output)![1]! }
}

before(async () => {
  swarmKey = /swarm key ([0-9a-f]{64})/.exec(coterie(provider, undefined, 'provider', 'init', 'Films'))![1]!
  for (const name of Object.keys(subs)) coterie(provider, `${name} password\n`, 'provider', 'user', 'add', name)
  publish(0)
  serve = await startServe()
  for (const name of Object.keys(subs) as (keyof typeof subs)[])
    coterie(subs[name], `${name} password\n`, 'subscribe', serve.url, '--user', name, '--download-dir', dl[name])
})

after(async () => {
  nodes.killAll()
  for (const p of extra) p.kill('SIGKILL')
  await destroyClient(outsider)
  cleanup()
})

test('subscribers get what was published, and new items, by themselves', async () => {
  running.alice = await nodes.run(subs.alice)
  running.carol = await nodes.run(subs.carol)
  await eventually(() => has('alice', 0) && has('carol', 0), WAIT_MS, 'the first item at alice and carol')
  publish(1)
  await eventually(() => has('alice', 1) && has('carol', 1), WAIT_MS, 'the new item at alice and carol')
})

/** A subscriber's certificate of the provider's group, as its profile holds it. */
const heldCertificate = async (store: ProfileStore): Promise<string | undefined> =>
  (await store.read()).groups.find((g) => g.swarmPublicKey === swarmKey)?.certificate
const THIRTEEN_HOURS_MS = 13 * 3600_000

test("a subscriber's certificate is renewed with its refresh token once half its life is gone", async () => {
  const store = await ProfileStore.open(subs.alice)
  const before = await heldCertificate(store)
  assert.deepEqual(await renewDue(store), [], 'a fresh certificate is not renewed')
  const [r] = await renewDue(store, Date.now() + THIRTEEN_HOURS_MS)
  assert.ok(r?.renewed === true, JSON.stringify(r))
  assert.notEqual(await heldCertificate(store), before)
  // The node took the renewed certificate on the profile change and still downloads (the next tests).
})

test('an outsider with the leaked feed and .torrent gets nothing from an enforcing subscriber', async () => {
  const feedBytes = new Uint8Array(await (await fetch(new URL('/v1/feed', serve!.url))).arrayBuffer())
  const torrentUrl = /<link>(http[^<]+\.torrent)<\/link>/.exec(Buffer.from(feedBytes).toString('utf8'))![1]!
  const torrent = Buffer.from(await (await fetch(torrentUrl)).arrayBuffer())
  const ot = outsider.add(torrent, { path: temp('outsider-files') })
  await eventually(() => ot.infoHash !== undefined, WAIT_MS, 'the outsider to read the leaked .torrent')
  ot.addPeer(`${LOOPBACK}:${running.alice!.port}`)
  await until(
    () =>
      status(subs.alice)
        .torrents.find((t) => t.infoHash === ot.infoHash)
        ?.peers.some((p) => p.state === 'no-extension') === true,
    'alice to see the outsider connected',
    subs.alice,
  )
  // Alice holds every byte and serves carol meanwhile (the tests below); the outsider stays at zero.
  assert.equal(ot.downloaded, 0)
  outsiderGot = () => ot.downloaded
})

test('a tampered feed is refused with its code; the real one verifies', async () => {
  const client = new ProviderClient(serve!.url)
  const real = await client.feed(swarmKey)
  assert.ok(real.ok, JSON.stringify(real))
  assert.deepEqual(
    real.value.items.map((i) => i.infoHash),
    [infoHashes[1], infoHashes[0]],
  )
  // A mirror between the provider and the reader that changes one title: the signature is the provider's.
  const mirror: Server = createServer((req, res) => {
    void (async () => {
      const upstream = Buffer.from(await (await fetch(new URL(req.url!, serve!.url))).arrayBuffer())
      res.end(req.url === '/v1/feed' ? Buffer.from(upstream.toString('utf8').replace('Item 1', 'Item X')) : upstream)
    })()
  })
  await new Promise<void>((r) => mirror.listen(0, LOOPBACK, () => r()))
  try {
    const port = (mirror.address() as AddressInfo).port
    const tampered = await new ProviderClient(`http://${LOOPBACK}:${port}/`).feed(swarmKey)
    assert.deepEqual(tampered, { ok: false, error: { code: 'bad-signature', feed: true } })
    // Another provider's key: the same real feed is not its.
    const other = await client.feed('11'.repeat(32))
    assert.equal(other.ok, false)
  } finally {
    await new Promise((r) => mirror.close(r))
  }
  // The bytes alone, with the detached signature from /v1/feed.sig: the pure check agrees.
  const bytes = new Uint8Array(await (await fetch(new URL('/v1/feed', serve!.url))).arrayBuffer())
  const sig = Buffer.from((await (await fetch(new URL('/v1/feed.sig', serve!.url))).text()).trim(), 'hex')
  assert.equal(verifyFeed(bytes, sig, Buffer.from(swarmKey, 'hex')).ok, true)
  bytes[bytes.length - 20]! ^= 1
  const r = verifyFeed(bytes, sig, Buffer.from(swarmKey, 'hex'))
  assert.equal(r.ok ? 'ok' : r.error.code, 'bad-signature')
})

test('a disabled account loses its live connections and gets nothing published after', async () => {
  await until(() => authorizedPeers(subs.carol, infoHashes[0]!) > 0, 'carol connected to the swarm', subs.carol)
  coterie(provider, undefined, 'provider', 'user', 'disable', 'carol')
  // The provider's node publishes the index with carol's key revoked; every node holding it cuts her.
  // From her side: no peer accepts her proof any longer (`self`); the connections on which she was
  // accepted are closed by the revocation's re-check, and every new one refuses her at the handshake.
  await until(
    () => status(subs.carol).torrents.every((t) => t.peers.every((p) => p.self !== 'accepted')),
    'every peer to stop accepting carol',
    subs.carol,
    subs.alice,
  )
  publish(2)
  await eventually(() => has('alice', 2), WAIT_MS, 'the item published after the disable at alice')
  // Alice has it, from the provider; carol, still running and dialling, has none of it.
  assert.equal(has('carol', 2), false)
  assert.ok(!status(subs.carol).torrents.some((t) => t.infoHash === infoHashes[2]), 'carol was not even told of it')
  // Her renewal is refused too: the refresh token went with the account.
  const client = new ProviderClient(serve!.url)
  assert.deepEqual(await client.login('carol', 'carol password'), { ok: false, error: { code: 'account-disabled' } })
  const [r] = await renewDue(await ProfileStore.open(subs.carol), Date.now() + THIRTEEN_HOURS_MS)
  assert.equal(r?.renewed, false, 'no renewal for a disabled account')
})

test("a subscriber downloads from another with the provider's seeder stopped", async () => {
  assert.equal(await stop(serve!.proc), 0)
  // Bob subscribed before items 2 and 3: he learns of them from alice's group index, and gets all from her.
  running.bob = await nodes.run(subs.bob, '--peer', `${LOOPBACK}:${running.alice!.port}`)
  await until(() => [0, 1, 2].every((i) => has('bob', i)), 'every item at bob, from alice', subs.bob, subs.alice).catch(
    (e: Error) => {
      throw new Error(
        `${e.message}; bob's node said: ${running.bob!.output()}; alice's: ${running.alice!.output().slice(-3000)}`,
      )
    },
  )
  assert.equal(has('carol', 2), false)
  assert.equal(outsiderGot(), 0, 'the outsider got nothing while the swarm worked around it')
})
