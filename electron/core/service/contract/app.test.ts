// The backend over real profiles and real engines on 127.0.0.1: what the UI relies on, channel
// by channel, and a whole first share from Alice to Bob through nothing but the contract.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { eventChannels, invokeChannels, type InvokeChannel } from '../../../../shared/ipc/contract.js'
import { torrentView, type GroupView } from '../../../../shared/ipc/views.js'
import { until } from '../../testing/swarm.js'
import { eventually } from '../../testing/wait.js'
import { startTestApp } from '../../testing/app.js'
import { dispatcher } from './dispatch.js'
import type { Handlers } from './context.js'
import { assertErr } from '../../testing/assert-result.js'

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const valid = <C extends InvokeChannel>(channel: C, value: unknown) => {
  const r = invokeChannels[channel].res.safeParse(value)
  assert.ok(r.success, `${channel} answered outside its schema: ${r.success ? '' : r.error.message}`)
}

describe('app backend: the dispatcher', () => {
  it('refuses unknown channels and malformed requests as values, before any handler runs', async (t) => {
    const app = await startTestApp(t, 'dispatch')
    assertErr(await app.invoke('nope' as InvokeChannel, {}), 'unknown-channel')
    const bad = await app.invoke('friends.add', { key: 'x', name: '', extra: 1 })
    assertErr(bad, 'bad-request', 'a request outside its schema is refused before any handler runs')
    assert.ok(bad.error.message.includes('name'), bad.error.message)
    const notHex = await app.invoke('torrents.pause', { infoHash: 'ZZ' })
    assertErr(notHex, 'bad-request')
    const unknown = await app.invoke('torrents.pause', { infoHash: 'a'.repeat(40) })
    assertErr(unknown, 'unknown-torrent')
  })

  it('checks a pasted key as it is typed: the reason when wrong, the fingerprint and the friend when right', async (t) => {
    const [alice, bob] = await Promise.all([startTestApp(t, 'keys-a'), startTestApp(t, 'keys-b')])
    const bobId = await bob.call('identity.get', {})
    const typo = bobId.key.slice(0, 20) + (bobId.key[20] === 'q' ? 'p' : 'q') + bobId.key.slice(21)
    const wrong = await alice.call('keys.check', { text: typo })
    assert.ok(!wrong.valid && wrong.code === 'bad-checksum', JSON.stringify(wrong))
    const right = await alice.call('keys.check', { text: ` ${bobId.key}\n` })
    assert.deepEqual(right, { valid: true, fingerprint: bobId.fingerprint, self: false })
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    assert.deepEqual(await alice.call('keys.check', { text: bobId.key }), {
      valid: true,
      fingerprint: bobId.fingerprint,
      friend: 'Bob',
      self: false,
    })
    const own = await alice.call('keys.check', { text: (await alice.call('identity.get', {})).key })
    assert.ok(own.valid && own.self)
    const dup = await alice.invoke('friends.add', { key: bobId.key, name: 'Bobby' })
    assertErr(dup, 'duplicate-friend')
    assert.ok(dup.error.message.includes('Bob'), dup.error.message)
    const mistyped = await alice.invoke('friends.add', { key: typo, name: 'Robert' })
    assertErr(mistyped, 'bad-key')
    assert.ok(mistyped.error.message.includes('checksum'), mistyped.error.message)
    const list = await alice.call('friends.list', {})
    valid('friends.list', list)
    assert.deepEqual(
      list.map((f) => [f.name, f.key, f.fingerprint]),
      [['Bob', bobId.key, bobId.fingerprint]],
    )
    await alice.call('friends.remove', { key: bobId.key })
    assert.deepEqual(await alice.call('friends.list', {}), [])
  })

  it('removes a member from a group it owns; a stranger or a non-member is refused as a value', async (t) => {
    const [alice, bob] = await Promise.all([startTestApp(t, 'rm-a'), startTestApp(t, 'rm-b')])
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Club', members: [bobId.key] })
    const after = await alice.call('groups.removeMember', { group: group.id, friend: bobId.key })
    valid('groups.removeMember', after)
    assert.deepEqual(
      after.members.map((m) => m.self),
      [true],
      'only the owner is left',
    )
    const again = await alice.invoke('groups.removeMember', { group: group.id, friend: bobId.key })
    assertErr(again, 'not-member')
    const notOwner = await bob.invoke('groups.removeMember', { group: group.id, friend: bobId.key })
    assertErr(notOwner, 'unknown-group')
  })
})

describe('app backend: unexpected failures', () => {
  it("answers 'internal' without the details, which go to the log", async () => {
    const logged: unknown[] = []
    const handlers = {
      'identity.get': async () => {
        throw new Error('secret detail /home/x')
      },
    } as unknown as Handlers
    const r = await dispatcher(handlers, (m, d) => void logged.push(m, d))('identity.get', {})
    assertErr(r, 'internal')
    assert.ok(!r.error.message.includes('secret detail'), r.error.message)
    assert.ok(logged.some((d) => d instanceof Error && d.message === 'secret detail /home/x'))
  })
})

describe('app backend: settings', () => {
  it('keeps settings in the profile and applies them to the running engine', async (t) => {
    const app = await startTestApp(t, 'settings')
    const before = await app.call('settings.get', {})
    assert.deepEqual(before, {
      downloadDir: app.downloads,
      port: 0,
      uploadLimit: null,
      downloadLimit: null,
      seedingPaused: false,
      startAtLogin: false,
    })
    const after = await app.call('settings.set', {
      seedingPaused: true,
      uploadLimit: 100_000,
      downloadDir: path.join(app.root, 'elsewhere'),
    })
    assert.equal(after.seedingPaused, true)
    assert.equal(
      app.backend.node.engine.uploadsPaused,
      true,
      '"don\'t seed on this network" reaches the engine at once',
    )
    assert.equal((await app.store.read()).settings.uploadLimit, 100_000, 'persisted in the profile')
    assert.equal((await app.store.read()).settings.downloadDir, path.join(app.root, 'elsewhere'))
    const relative = await app.invoke('settings.set', { downloadDir: 'downloads' })
    assertErr(relative, 'bad-setting')
    const profileFolder = await app.invoke('settings.set', { downloadDir: app.store.dir })
    assertErr(profileFolder, 'in-profile-folder')
    const login = await app.invoke('settings.set', { startAtLogin: true })
    assertErr(login, 'unavailable', 'browser mode says start at login needs the desktop app')
    const negative = await app.invoke('settings.set', { uploadLimit: -5 })
    assertErr(negative, 'bad-request')
    await app.call('settings.set', { seedingPaused: false })
    assert.equal(app.backend.node.engine.uploadsPaused, false)
  })

  it('applies start at login through the platform where there is one', async (t) => {
    const calls: boolean[] = []
    const app = await startTestApp(t, 'login', { platform: { setStartAtLogin: (on) => void calls.push(on) } })
    assert.equal((await app.call('settings.set', { startAtLogin: true })).startAtLogin, true)
    assert.deepEqual(calls, [true])
  })
})

describe('app backend: per-group speed limits', () => {
  it("sets and lifts a group's limits in the profile and the running engine; bad input is refused and changes nothing", async (t) => {
    const app = await startTestApp(t, 'group-limits')
    const group = await app.call('groups.create', { name: 'Club', members: [] })
    assert.deepEqual([group.uploadLimit, group.downloadLimit], [null, null], 'no limit until one is set')
    const swarm = Buffer.from(app.store.current.groups[0]!.swarmPublicKey, 'hex')
    const set = await app.call('groups.setLimits', { group: group.id, uploadLimit: 262_144, downloadLimit: 1_048_576 })
    valid('groups.setLimits', set)
    assert.deepEqual([set.uploadLimit, set.downloadLimit], [262_144, 1_048_576])
    assert.deepEqual(
      app.backend.node.engine.groupLimits(swarm),
      { upload: 262_144, download: 1_048_576 },
      'the running engine follows at once',
    )
    const listed = (await app.call('groups.list', {})).find((g) => g.id === group.id)!
    assert.deepEqual([listed.uploadLimit, listed.downloadLimit], [262_144, 1_048_576])

    const bad: [unknown, string][] = [
      [{ group: group.id, uploadLimit: -5 }, 'uploadLimit'],
      [{ group: group.id, uploadLimit: 0 }, 'uploadLimit'],
      [{ group: group.id, downloadLimit: 1.5 }, 'downloadLimit'],
      [{ group: group.id, downloadLimit: '100' }, 'downloadLimit'],
      [{ group: group.id, uploadLimit: Number.MAX_SAFE_INTEGER + 1 }, 'uploadLimit'],
      [{ group: group.id, uploadLimit: 5, extra: 1 }, 'extra'],
      [{ group: 'Not An Id', uploadLimit: 5 }, 'group'],
    ]
    for (const [request, field] of bad) {
      const r = await app.invoke('groups.setLimits', request)
      assertErr(r, 'bad-request', JSON.stringify(request))
      assert.ok(r.error.message.includes(field), `${JSON.stringify(request)}: ${r.error.message}`)
    }
    const unknown = await app.invoke('groups.setLimits', { group: 'nope', uploadLimit: 5 })
    assertErr(unknown, 'unknown-group')
    const g = (await app.store.read()).groups[0]!
    assert.deepEqual([g.uploadLimit, g.downloadLimit], [262_144, 1_048_576], 'nothing changed')

    const lifted = await app.call('groups.setLimits', { group: group.id, uploadLimit: null })
    assert.deepEqual(
      [lifted.uploadLimit, lifted.downloadLimit],
      [null, 1_048_576],
      'null lifts one; absent leaves the other',
    )
    assert.deepEqual(app.backend.node.engine.groupLimits(swarm), { upload: undefined, download: 1_048_576 })
  })
})

describe('app backend: identity', () => {
  it('backs the identity up under a passphrase and restores it elsewhere; a wrong passphrase says so and changes nothing', async (t) => {
    const [alice, fresh] = await Promise.all([startTestApp(t, 'backup-a'), startTestApp(t, 'backup-b')])
    await alice.call('identity.setName', { name: '  Alice  ' })
    const id = await alice.call('identity.get', {})
    assert.equal(id.displayName, 'Alice')
    const short = await alice.invoke('identity.backup', { passphrase: 'short' })
    assertErr(short, 'bad-request', 'a passphrase of fewer than 8 characters is refused')
    const file = await alice.call('identity.backup', { passphrase: 'correct horse battery' })
    valid('identity.backup', file)
    const text = Buffer.from(file.data, 'base64').toString('utf8')
    assert.ok(!text.includes(alice.store.current.identity.secretKey), 'the secret key is not in the file in clear')
    assert.match(file.fileName, /\.coterie-backup$/)

    const freshId = await fresh.call('identity.get', {})
    const wrong = await fresh.invoke('identity.restore', { data: file.data, passphrase: 'wrong horse battery' })
    assertErr(wrong, 'bad-backup')
    assert.ok(wrong.error.message.includes('Wrong passphrase'), wrong.error.message)
    assert.equal((await fresh.call('identity.get', {})).key, freshId.key, 'nothing changed')

    const tampered = JSON.parse(text)
    tampered.kdf.N = 2 ** 30
    const huge = await fresh.invoke('identity.restore', {
      data: b64(Buffer.from(JSON.stringify(tampered))),
      passphrase: 'correct horse battery',
    })
    assertErr(huge, 'bad-backup', 'a cost beyond the bounds is refused before it runs')
    tampered.kdf.N = 2 ** 16 // within bounds, but not what the file was sealed with: authenticated
    const altered = await fresh.invoke('identity.restore', {
      data: b64(Buffer.from(JSON.stringify(tampered))),
      passphrase: 'correct horse battery',
    })
    assertErr(altered, 'bad-backup')
    const garbage = await fresh.invoke('identity.restore', { data: b64(randomBytes(100)), passphrase: 'x' })
    assertErr(garbage)
    assert.ok(garbage.error.message.includes('not a Coterie identity backup'), garbage.error.message)

    const restored = await fresh.call('identity.restore', { data: file.data, passphrase: 'correct horse battery' })
    assert.equal(restored.key, id.key)
    assert.equal(restored.fingerprint, id.fingerprint)
    assert.equal((await fresh.store.read()).identity.secretKey, alice.store.current.identity.secretKey)
  })
})

describe('app backend: a first share, Alice to Bob, through the contract only', () => {
  it('Bob gets the file byte-identical; both sides see honest states, peers, events and notices', async (t) => {
    const alice = await startTestApp(t, 'alice', { progressIntervalMs: 100 })
    const bob = await startTestApp(t, 'bob', {
      progressIntervalMs: 100,
      peers: [`127.0.0.1:${alice.backend.node.port}`],
    })
    const bobId = await bob.call('identity.get', {})
    const aliceId = await alice.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    await bob.call('friends.add', { key: aliceId.key, name: 'Alice' })
    const group = await alice.call('groups.create', { name: 'Film club', members: [bobId.key] })
    valid('groups.create', group)
    assert.deepEqual(
      group.members.map((m) => [m.name, m.self]),
      [
        [undefined, true],
        ['Bob', false],
      ],
    )
    assert.equal(group.owner, true)

    const src = path.join(alice.root, 'share')
    await mkdir(src, { recursive: true })
    const data = randomBytes(3 * 1024 * 1024 + 17)
    await writeFile(path.join(src, 'film.bin'), data)
    const { infoHashes } = await alice.call('groups.share', { group: group.id, paths: [path.join(src, 'film.bin')] })
    const infoHash = infoHashes[0]!
    const hashed = alice.events
      .filter((e) => e.event === 'share.progress')
      .map((e) => e.payload as { group: string; name: string; hashed: number; total: number })
    assert.ok(hashed.length >= 1, 'hashing progress is reported')
    assert.deepEqual(hashed.at(-1), { group: group.id, name: 'film.bin', hashed: data.length, total: data.length })
    const missing = await alice.invoke('groups.share', { group: group.id, paths: [path.join(src, 'nope')] })
    assertErr(missing, 'missing-file')

    const invite = await alice.call('invites.create', { group: group.id, friend: bobId.key })
    valid('invites.create', invite)
    assert.equal(invite.fileName, 'Film club for Bob.coterie')

    const foreign = await startTestApp(t, 'carol')
    const notForCarol = await foreign.invoke('invites.preview', invite)
    assertErr(notForCarol, 'bad-invite', 'a foreign invite does not open')

    const preview = await bob.call('invites.preview', invite)
    valid('invites.preview', preview)
    assert.equal(preview.group, 'Film club')
    assert.equal(preview.from, aliceId.key)
    assert.equal(preview.fromFingerprint, aliceId.fingerprint)
    assert.equal(preview.fromFriend, 'Alice')
    // The name she goes by (the test app's, startTestApp) travels in the invite as her claim (PROTOCOL.md §7,
    // fromName), and a new one in the next invite.
    assert.equal(preview.fromName, (await alice.call('identity.get', {})).displayName)
    await alice.call('identity.setName', { name: 'Alice P.' })
    const named = await bob.call(
      'invites.preview',
      await alice.call('invites.create', { group: group.id, friend: bobId.key }),
    )
    assert.equal(named.fromName, 'Alice P.')
    assert.equal(named.fromFingerprint, aliceId.fingerprint)
    assert.deepEqual(preview.torrents, [{ infoHash, name: 'film.bin', length: data.length }], 'each item with its size')
    assert.equal(preview.alreadyMember, false)
    // A folder of the group's own in the download folder (issue 15: groups never share one by default).
    assert.equal(preview.folder, path.join(bob.downloads, 'Film club'))
    const bobFolder = preview.folder!

    const accepted = await bob.call('invites.accept', { data: invite.data })
    assert.deepEqual(accepted.torrents, [infoHash])
    await bob.waitFor('profile.changed', () => true)
    await bob.waitFor('notice', (n) => n.kind === 'download-finished' && n.infoHash === infoHash, 60_000)
    assert.ok((await readFile(path.join(bobFolder, 'film.bin'))).equals(data), 'byte-identical')
    assert.ok(
      !bob.events.some((e) => e.event === 'notice' && (e.payload as { kind: string }).kind === 'new-share'),
      'no "new share" notice for what Bob just accepted himself',
    )

    const [bt] = await bob.call('torrents.list', {})
    valid('torrents.list', [bt])
    assert.equal(bt!.state, 'seeding')
    assert.equal(bt!.progress, 1)
    assert.equal(bt!.eta, null)
    // Every torrents.changed event carries views that match the contract; progress was reported on the way.
    const changes = bob.events
      .filter((e) => e.event === 'torrents.changed')
      .map((e) => e.payload as { changed: unknown[] })
    for (const c of changes) for (const v of c.changed) assert.ok(torrentView.safeParse(v).success)
    const states = new Set(changes.flatMap((c) => c.changed as { state: string }[]).map((v) => v.state))
    assert.ok(states.has('seeding'))

    await until(
      () => alice.backend.node.engine.torrentSummary(infoHash).peers.some((p) => p.state === 'authorized'),
      10_000,
      'Alice to see Bob',
    )
    const [at] = await alice.call('torrents.list', {})
    assert.equal(at!.peers[0]!.member, bobId.fingerprint, "Alice's peer view names Bob by his fingerprint")
    assert.equal(at!.peers[0]!.state, 'authorized')
    // What Bob holds, from what his node announced: all of it, in his peer row and his member row.
    await eventually(
      async () => (await alice.call('torrents.list', {}))[0]!.peers[0]?.holds === 1,
      10_000,
      "Alice's peer row to say Bob holds all of it",
    )
    await eventually(
      async () => {
        const m = (await alice.call('groups.list', {}))[0]!.members.find((x) => x.key === bobId.key)
        return m?.connected === true && m.has === 1 && m.of === 1 && m.progress === 1
      },
      10_000,
      "Alice's member row to say Bob has all 1 item",
    )
    valid('groups.list', await alice.call('groups.list', {}))

    assert.equal((await alice.call('groups.list', {}))[0]!.torrents[0], infoHash)
    const again = await bob.call('invites.preview', invite)
    assert.equal(again.alreadyMember, true)

    // Pause, resume, reveal, remove: the profile and the events follow.
    await bob.call('torrents.pause', { infoHash })
    assert.equal((await bob.call('torrents.list', {}))[0]!.state, 'paused')
    await bob.call('torrents.resume', { infoHash })
    assert.deepEqual(await bob.call('torrents.reveal', { infoHash }), { path: path.join(bobFolder, 'film.bin') })
    await bob.call('torrents.remove', { infoHash })
    await bob.waitFor('torrents.changed', (p) => p.removed.includes(infoHash))
    assert.ok((await readFile(path.join(bobFolder, 'film.bin'))).equals(data), 'removing keeps the files')
  })

  it('uploads nothing while "don\'t seed on this network" is on, and resumes when it is off', async (t) => {
    const alice = await startTestApp(t, 'noseed-a', { progressIntervalMs: 100 })
    const bob = await startTestApp(t, 'noseed-b', {
      progressIntervalMs: 100,
      peers: [`127.0.0.1:${alice.backend.node.port}`],
    })
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Quiet', members: [bobId.key] })
    await writeFile(path.join(alice.root, 'quiet.bin'), randomBytes(2 * 1024 * 1024))
    const [infoHash] = (
      await alice.call('groups.share', { group: group.id, paths: [path.join(alice.root, 'quiet.bin')] })
    ).infoHashes
    await alice.call('settings.set', { seedingPaused: true })
    const invite = await alice.call('invites.create', { group: group.id, friend: bobId.key })
    await bob.call('invites.accept', { data: invite.data })
    await until(
      () =>
        bob.backend.node.engine.has(infoHash!) &&
        bob.backend.node.engine.torrentSummary(infoHash!).peers.some((p) => p.state === 'authorized'),
      15_000,
      'Bob to be authorized by Alice',
    )
    // Proves an absence: Bob is authorized, so with seeding on the first blocks would arrive well within this.
    const PAUSED_QUIET_MS = 1_500
    await new Promise((r) => setTimeout(r, PAUSED_QUIET_MS))
    assert.equal(
      bob.backend.node.engine.torrentSummary(infoHash!).progress,
      0,
      'nothing arrived while seeding is paused',
    )
    await alice.call('settings.set', { seedingPaused: false })
    await bob.waitFor('notice', (n) => n.kind === 'download-finished', 60_000)
  })
})

describe('app backend: honest torrent states', () => {
  it("says 'stalled', not 'downloading', when no one has been there to fetch from for a while", async (t) => {
    const alice = await startTestApp(t, 'stall-a')
    const bob = await startTestApp(t, 'stall-b', { progressIntervalMs: 100, stallMs: 500 }) // no peers: Alice is unreachable
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Far', members: [bobId.key] })
    await writeFile(path.join(alice.root, 'far.bin'), randomBytes(64 * 1024))
    const [infoHash] = (
      await alice.call('groups.share', { group: group.id, paths: [path.join(alice.root, 'far.bin')] })
    ).infoHashes
    await bob.call('invites.accept', {
      data: (await alice.call('invites.create', { group: group.id, friend: bobId.key })).data,
    })
    await bob.waitFor('torrents.changed', (p) =>
      p.changed.some((v) => v.infoHash === infoHash && v.state === 'downloading'),
    )
    const stalled = await bob.waitFor(
      'torrents.changed',
      (p) => p.changed.some((v) => v.infoHash === infoHash && v.state === 'stalled'),
      10_000,
    )
    assert.equal(stalled.changed.find((v) => v.infoHash === infoHash)!.eta, null)
  })
})

describe('app backend: members and their state', () => {
  it("Alice's view of the group shows Bob connected while his node is (on the rendezvous alone), by event, and not connected once he stops", async (t) => {
    const alice = await startTestApp(t, 'presence-a', { progressIntervalMs: 100 })
    const bob = await startTestApp(t, 'presence-b', {
      progressIntervalMs: 100,
      peers: [`127.0.0.1:${alice.backend.node.port}`],
    })
    const [aliceId, bobId] = [await alice.call('identity.get', {}), await bob.call('identity.get', {})]
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Nothing shared yet', members: [bobId.key] })
    const bobIn = (g: GroupView) => g.members.find((m) => m.key === bobId.key)
    assert.deepEqual(
      group.members.map((m) => [m.self, m.connected, m.lastSeen]),
      [
        [true, undefined, undefined],
        [false, false, undefined],
      ],
      'not connected, and no "last seen": this node has not seen him since it started',
    )

    // Nothing is shared: the two nodes can meet only on the group's rendezvous torrent.
    const { group: bobGroup } = await bob.call('invites.accept', {
      data: (await alice.call('invites.create', { group: group.id, friend: bobId.key })).data,
    })
    const on = await alice.waitFor(
      'groups.changed',
      (p) => p.changed.some((g) => g.id === group.id && bobIn(g)?.connected === true),
      30_000,
    )
    assert.ok(eventChannels['groups.changed'].safeParse(on).success, 'the event matches its schema')
    assert.equal(bobIn((await alice.call('groups.list', {}))[0]!)?.connected, true, 'groups.list says so too')
    await eventually(
      async () =>
        (await bob.call('groups.list', {}))
          .find((g) => g.id === bobGroup)!
          .members.some((m) => m.key === aliceId.key && m.connected === true),
      10_000,
      "Bob's view to show Alice connected",
    )

    // Coalesced: while nothing changes, nothing is sent (one look every 100 ms here).
    const count = () => alice.events.filter((e) => e.event === 'groups.changed').length
    const before = count()
    // Proves an absence: fifteen looks of the coalescer with nothing changing, at most one event.
    const UNCHANGED_MS = 1_500
    await new Promise((r) => setTimeout(r, UNCHANGED_MS))
    assert.ok(
      count() - before <= 1,
      `${count() - before} groups.changed events in ${UNCHANGED_MS} ms with nothing changing`,
    )

    await bob.backend.stop()
    const off = await alice.waitFor(
      'groups.changed',
      (p) => p.changed.some((g) => g.id === group.id && bobIn(g)?.connected === false),
      30_000,
    )
    const gone = bobIn(off.changed.find((g) => g.id === group.id)!)!
    assert.ok(
      gone.lastSeen !== undefined && Date.now() - Date.parse(gone.lastSeen) < 60_000,
      `last seen a moment ago: ${gone.lastSeen}`,
    )
    assert.equal(bobIn((await alice.call('groups.list', {}))[0]!)?.connected, false)
  })
})

describe('app backend: auto-join per group', () => {
  it('a member with auto-join off gets later shares listed, not downloaded; Download fetches one, turning it on fetches the rest', async (t) => {
    const alice = await startTestApp(t, 'autojoin-a', { progressIntervalMs: 100 })
    const bob = await startTestApp(t, 'autojoin-b', {
      progressIntervalMs: 100,
      peers: [`127.0.0.1:${alice.backend.node.port}`],
    })
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Series', members: [bobId.key] })
    assert.equal(group.autoJoin, true)
    const share = async (name: string) => {
      const data = randomBytes(256 * 1024 + 7)
      await writeFile(path.join(alice.root, name), data)
      const [infoHash] = (await alice.call('groups.share', { group: group.id, paths: [path.join(alice.root, name)] }))
        .infoHashes
      return { infoHash: infoHash!, data, name }
    }
    const first = await share('ep1.bin')
    const { group: g } = await bob.call('invites.accept', {
      data: (await alice.call('invites.create', { group: group.id, friend: bobId.key })).data,
    })
    // Not the notice: a small file may arrive between two looks, and the notice needs to see it downloading.
    const engine = bob.backend.node.engine
    const finished = (ih: string) =>
      until(() => engine.has(ih) && engine.torrentSummary(ih).state === 'seeding', 60_000, `Bob to have ${ih}`)
    await finished(first.infoHash)
    const view = async () => (await bob.call('groups.list', {})).find((x) => x.id === g)!
    assert.equal((await view()).autoJoin, true, 'on by default')

    const off = await bob.call('groups.setAutoJoin', { group: g, on: false })
    valid('groups.setAutoJoin', off)
    assert.equal(off.autoJoin, false)
    assert.equal(bob.store.current.groups.find((x) => x.id === g)!.autoJoin, false, 'kept in the profile')

    const second = await share('ep2.bin')
    await eventually(
      async () => (await view()).available.some((a) => a.infoHash === second.infoHash),
      30_000,
      'Bob to list ep2',
    )
    // Bob hears of it, once, and is told it is not being downloaded.
    await eventually(
      async () =>
        bob.events.some(
          (e) => e.event === 'notice' && (e.payload as { infoHash?: string }).infoHash === second.infoHash,
        ),
      10_000,
      'a notice for ep2',
    )
    const notices = bob.events.filter(
      (e) => e.event === 'notice' && (e.payload as { infoHash?: string }).infoHash === second.infoHash,
    )
    assert.equal(notices.length, 1, 'one notice for ep2')
    assert.deepEqual(notices[0]!.payload, {
      kind: 'new-share',
      title: 'New in Series',
      body: 'ep2.bin: not downloaded (automatic downloads are off for this group)',
      infoHash: second.infoHash,
    })
    const listed = await view()
    valid('groups.list', [listed])
    assert.deepEqual(listed.available, [{ infoHash: second.infoHash, name: 'ep2.bin', length: second.data.length }])
    assert.ok(!listed.torrents.includes(second.infoHash), 'listed, not joined')
    // Proves an absence: a join would start within this (the notice above came after the index arrived).
    const NOT_JOINED_MS = 1_000
    await new Promise((r) => setTimeout(r, NOT_JOINED_MS))
    assert.ok(!engine.has(second.infoHash), 'nothing of ep2 is fetched while auto-join is off')

    const fetched = await bob.call('groups.download', { group: g, infoHash: second.infoHash })
    valid('groups.download', fetched)
    assert.ok(fetched.torrents.includes(second.infoHash) && fetched.available.length === 0)
    assert.ok(engine.has(second.infoHash), 'the running node started it at once')
    await finished(second.infoHash)
    assert.ok(
      (
        await readFile(
          path.join(bob.store.current.torrents.find((x) => x.infoHash === second.infoHash)!.downloadDir, 'ep2.bin'),
        )
      ).equals(second.data),
    )
    assert.equal((await view()).autoJoin, false, 'Download fetched one; auto-join stays off')

    const third = await share('ep3.bin')
    await eventually(
      async () => (await view()).available.some((a) => a.infoHash === third.infoHash),
      30_000,
      'Bob to list ep3',
    )
    const on = await bob.call('groups.setAutoJoin', { group: g, on: true })
    assert.equal(on.autoJoin, true)
    assert.ok(
      on.torrents.includes(third.infoHash) && on.available.length === 0,
      'turning it on fetches what was listed',
    )
    await finished(third.infoHash)

    const bad: [string, unknown, string][] = [
      ['groups.setAutoJoin', { group: g, on: 'yes' }, 'on'],
      ['groups.setAutoJoin', { group: g }, 'on'],
      ['groups.setAutoJoin', { group: g, on: true, extra: 1 }, 'extra'],
      ['groups.setAutoJoin', { group: 'Not An Id', on: true }, 'group'],
      ['groups.download', { group: g, infoHash: 'ZZ' }, 'infoHash'],
      ['groups.download', { group: g }, 'infoHash'],
    ]
    for (const [channel, request, field] of bad) {
      const r = await bob.invoke(channel as InvokeChannel, request)
      assertErr(r, 'bad-request', `${channel} ${JSON.stringify(request)}`)
      assert.ok(r.error.message.includes(field), `${channel} ${JSON.stringify(request)}: ${r.error.message}`)
    }
    const notListed = await bob.invoke('groups.download', { group: g, infoHash: 'a'.repeat(40) })
    assertErr(notListed, 'unknown-torrent')
    const noGroup = await bob.invoke('groups.setAutoJoin', { group: 'nope', on: false })
    assertErr(noGroup, 'unknown-group')
    assert.equal(bob.store.current.groups.find((x) => x.id === g)!.autoJoin, true, 'refused requests changed nothing')
  })
})

describe('app backend: saving an invite where the person chooses (desktop app)', () => {
  it('writes the invite through the shell and answers where it went; null when cancelled; unavailable in browser mode', async (t) => {
    // The shell's save dialog is the edge: here "the person" picks a folder of the test's own.
    const chosen: string[] = []
    let cancel = false
    const alice = await startTestApp(t, 'save-a', {
      platform: {
        saveFile: async (fileName, bytes) => {
          chosen.push(fileName)
          if (cancel) return undefined
          const to = path.join(alice.root, 'picked', fileName)
          await mkdir(path.dirname(to), { recursive: true })
          await writeFile(to, bytes)
          return to
        },
      },
    })
    const bob = await startTestApp(t, 'save-b')
    const bobKey = (await bob.call('identity.get', {})).key
    await alice.call('friends.add', { key: bobKey, name: 'Bob' })
    const g = await alice.call('groups.create', { name: 'Film club', members: [bobKey] })
    const saved = await alice.call('invites.save', { group: g.id, friend: bobKey })
    valid('invites.save', saved)
    assert.deepEqual(chosen, ['Film club for Bob.coterie'], 'the dialog suggests the group and the member')
    assert.equal(saved.path, path.join(alice.root, 'picked', 'Film club for Bob.coterie'))
    // What was written is Bob's invite: it opens on his side.
    const data = (await readFile(saved.path!)).toString('base64')
    assert.equal((await bob.call('invites.preview', { fileName: 'x.coterie', data })).group, 'Film club')
    cancel = true
    assert.deepEqual(await alice.call('invites.save', { group: g.id, friend: bobKey }), { path: null })
    assertErr(
      await bob.invoke('invites.save', { group: g.id, friend: bobKey }),
      'unavailable',
      'browser mode: the browser saves it',
    )
  })
})
