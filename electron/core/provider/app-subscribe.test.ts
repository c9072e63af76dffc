// "Subscribe to a provider…" in the app (issue 18), through the contract: a real `provider serve`
// process on 127.0.0.1 over a real SQLite file, and the app's backend (a real profile and engine)
// calling providers.subscribe, the operation `coterie subscribe` calls too. A wrong password, an
// address with nothing there and one that is not a provider are refused with their codes and
// change nothing in the profile; the right one joins the provider's group, whose item downloads by
// itself; the password is kept nowhere; subscribing again is refused `already-subscribed`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { eventually } from '../testing/wait.js'
import { LOOPBACK, randomFile, tempDirs } from '../testing/swarm.js'
import { startTestApp } from '../testing/app.js'
import { assertErr } from '../testing/assert-result.js'

const BIN = new URL('../cli/coterie.mjs', import.meta.url).pathname
const LOOPBACK_NODE = ['--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping']
/** Every wait: generous, for a loaded machine (2 cores shared by several test runs). */
const WAIT_MS = 90_000
const PASSWORD = 'dana correct horse'
/** Where a profile keeps its subscriptions (docs/PROVIDER.md, "Renewal without the password"). */
const subscriptionsDir = (profileDir: string): string => join(profileDir, 'subscriptions')
/** Every file under `dir`, depth-first. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
      )
    : []

const { temp, cleanup } = tempDirs()
const provider = temp('provider-profile')
const item = randomFile(temp('provider-content'), 'episode1.bin', 700_000)
let serve: ChildProcess | undefined
let url = ''
let infoHash = ''
let notProvider: Server | undefined

function coterie(input: string | undefined, ...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, '--profile', provider, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    ...(input !== undefined && { input }),
  })
  assert.equal(r.status, 0, `coterie ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

before(async () => {
  coterie(undefined, 'provider', 'init', 'Series')
  coterie(`${PASSWORD}\n`, 'provider', 'user', 'add', 'dana')
  infoHash = coterie(undefined, 'provider', 'publish', item.path, '--title', 'Episode 1').trim().split('\n').at(-1)!
  serve = spawn(
    process.execPath,
    [BIN, '--profile', provider, 'provider', 'serve', '--listen', `${LOOPBACK}:0`, ...LOOPBACK_NODE],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  serve.stdout!.on('data', (d) => (output += d))
  serve.stderr!.on('data', (d) => (output += d))
  await eventually(() => /listening on (http:\S+)/.test(output), WAIT_MS, `provider serve to listen (${output})`)
  url = /listening on (http:\S+)/.exec(output)![1]!
  // An HTTP server that is not a provider: every path is "not found".
  notProvider = createServer((_, res) => res.writeHead(404).end('no'))
  await new Promise<void>((resolve) => notProvider!.listen(0, LOOPBACK, resolve))
})

after(async () => {
  serve?.kill('SIGKILL')
  await new Promise((resolve) => notProvider?.close(resolve))
  cleanup()
})

test('the app subscribes through providers.subscribe: refusals change nothing, the item downloads', async (t) => {
  const app = await startTestApp(t, 'subscriber', { lsd: false, trackers: false, portMapping: false })
  const before = await app.store.read()
  const unchanged = async (what: string) => {
    const now = await app.store.read()
    assert.equal(now.revision, before.revision, `${what}: the profile was not written`)
    assert.deepEqual(now.groups, before.groups, what)
    assert.ok(!existsSync(subscriptionsDir(app.store.dir)), `${what}: no subscription kept`)
  }

  const wrong = await app.invoke('providers.subscribe', { url, user: 'dana', password: 'not the password' })
  assertErr(wrong, 'wrong-password')
  assert.match(wrong.error.message, /Wrong account name or password/)
  await unchanged('a wrong password')
  assertErr(await app.invoke('providers.subscribe', { url, user: 'nobody', password: PASSWORD }), 'wrong-password')
  await unchanged('an unknown account')

  const port = (notProvider!.address() as AddressInfo).port
  const other = await app.invoke('providers.subscribe', {
    url: `http://${LOOPBACK}:${port}/`,
    user: 'dana',
    password: PASSWORD,
  })
  assertErr(other, 'not-a-provider')
  await unchanged('an address that is not a provider')
  // Nothing listens there any more once the server is closed: unreachable.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, LOOPBACK, resolve))
  const gone = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const unreachable = await app.invoke('providers.subscribe', {
    url: `http://${LOOPBACK}:${gone}/`,
    user: 'dana',
    password: PASSWORD,
  })
  assertErr(unreachable, 'provider-unreachable')
  assertErr(
    await app.invoke('providers.subscribe', { url: 'ftp://x/', user: 'dana', password: PASSWORD }),
    'bad-provider-url',
  )
  await unchanged('an unreachable or malformed address')

  const r = await app.call('providers.subscribe', { url, user: 'dana', password: PASSWORD })
  assert.equal(r.provider, 'Series')
  assert.deepEqual(r.torrents, [infoHash])
  const groups = await app.call('groups.list', {})
  const group = groups.find((g) => g.id === r.group)
  assert.ok(group !== undefined && !group.owner, 'the provider owns the new group; the subscriber is its member')
  assert.equal(group.name, 'Series')
  assert.equal(group.provider, new URL(url).href, "the group's view names its provider")

  // The item downloads by itself, from the provider's seeder.
  const done = () =>
    filesUnder(app.downloads).some((f) => f.endsWith('episode1.bin') && readFileSync(f).equals(item.data))
  await eventually(done, WAIT_MS, `the provider's item under ${app.downloads}`)

  // What is kept is a refresh token, never the password.
  const files = readdirSync(subscriptionsDir(app.store.dir))
  assert.equal(files.length, 1)
  const kept = readFileSync(join(subscriptionsDir(app.store.dir), files[0]!), 'utf8')
  assert.match(kept, /"refresh": "[0-9a-f]{64}"/)
  assert.ok(!kept.includes(PASSWORD), 'the password is not in the subscription file')
  for (const f of readdirSync(app.store.dir))
    if (f.endsWith('.json')) assert.ok(!readFileSync(join(app.store.dir, f), 'utf8').includes(PASSWORD), f)
  assert.ok(!app.logged.some((l) => l.includes(PASSWORD)), 'nor in the log')

  const again = await app.invoke('providers.subscribe', { url, user: 'dana', password: PASSWORD })
  assertErr(again, 'already-subscribed')
  assert.match(again.error.message, /Series/)
})
