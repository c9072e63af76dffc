// Downloads that cannot clobber (issue 15) and one path, one torrent (issue 20), as an attacker
// would try them: real profiles, real nodes on 127.0.0.1, real files. A malicious owner of one
// group names a share like a file of another group the member is in; a share named identity.json
// reaches a profile made before groups had folders; one owner shares two files of one name; a
// shared file is edited under the running node.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CoterieNode } from './node.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, readInvite, refusedNames, writeInvite } from '../operations/invites.js'
import { encode } from '../../protocol/canonical.js'
import { utf8 } from '../../protocol/bytes.js'
import { INFO_SWARM_KEY } from '../../protocol/constants.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { createClosedTorrent } from '../../engine/create.js'
import { ProfileStore } from '../../profile/index.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, testProfile, type TestProfile } from '../../testing/profiles.js'
import { ServiceError } from '../../../../shared/service-errors.js'

const { temp, cleanup } = tempDirs()
const nodes: CoterieNode[] = []
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()))
  cleanup()
})

/** A node on loopback; `base` is where groups without a folder of their own get one. */
async function start(p: TestProfile, peers: CoterieNode[] = [], base = p.downloads): Promise<CoterieNode> {
  const n = await CoterieNode.start(p.store, {
    dht: false,
    peers: peers.map((x) => `${LOOPBACK}:${x.port}`),
    downloadDir: base,
  })
  nodes.push(n)
  return n
}

const profile = (name: string) => testProfile(temp, name)

async function inviteTo(owner: TestProfile, group: string, friend: string, label: string): Promise<string> {
  const file = join(temp(`${label}-inv`), 'x.coterie')
  await writeInvite(owner.store, group, friend, file)
  return file
}

const infoHashOf = (p: TestProfile, groupName: string, name: string): string | undefined => {
  const g = p.store.current.groups.find((x) => x.name === groupName)
  return p.store.current.torrents.find((t) => t.groupId === g?.id && t.name === name)?.infoHash
}

describe('downloads that cannot clobber', () => {
  it('a malicious owner of group B shares a file named like one of group A: the member’s A copy is untouched and still served right', async () => {
    const [alice, mallory, bob, carol] = await Promise.all([
      profile('Alice'),
      profile('Mallory'),
      profile('Bob'),
      profile('Carol'),
    ])
    await addFriend(alice.store, bob.key, 'Bob')
    await addFriend(alice.store, carol.key, 'Carol')
    await addFriend(mallory.store, bob.key, 'Bob')
    await createGroup(alice.store, 'A', { members: ['Bob', 'Carol'] })
    await createGroup(mallory.store, 'B', { members: ['Bob'] })
    const a = randomFile(temp('a-src'), 'notes.bin', 300_000)
    await share(alice.store, a.path, 'A')
    // Bob joins both with the defaults: each group gets a folder of its own under his base.
    await joinInvite(bob.store, await inviteTo(alice, 'A', 'Bob', 'a'), { base: bob.downloads })
    await joinInvite(bob.store, await inviteTo(mallory, 'B', 'Bob', 'b'), { base: bob.downloads })
    await joinInvite(carol.store, await inviteTo(alice, 'A', 'Carol', 'c'), carol.downloads)
    const folderOf = (name: string) => bob.store.current.groups.find((g) => g.name === name)!.downloadDir!
    assert.notEqual(folderOf('A'), folderOf('B'), 'each group has its own folder')
    assert.equal(dirname(folderOf('A')), bob.downloads)

    const aliceNode = await start(alice)
    const malloryNode = await start(mallory)
    const bobNode = await start(bob, [aliceNode, malloryNode])
    const bobsA = join(folderOf('A'), 'notes.bin')
    await until(fileDone(bobsA, a.data), 30_000, 'bob to get A’s notes.bin')

    // Mallory shares her own notes.bin into B; Bob's node follows B's index and fetches it.
    const m = randomFile(temp('m-src'), 'notes.bin', 300_000)
    await share(mallory.store, m.path, 'B')
    await malloryNode.reload()
    await until(fileDone(join(folderOf('B'), 'notes.bin'), m.data), 30_000, 'bob to get B’s notes.bin, in B’s folder')
    assert.ok(readFileSync(bobsA).equals(a.data), 'A’s copy is untouched')

    // With Alice gone, Carol gets A's file from Bob alone: the A torrent serves A's bytes.
    await aliceNode.stop()
    await start(carol, [bobNode])
    await until(fileDone(join(carol.downloads, 'notes.bin'), a.data), 30_000, 'carol to get A’s bytes from bob')
    const ih = infoHashOf(bob, 'A', 'notes.bin')!
    assert.equal(bobNode.engine.torrentSummary(ih).progress, 1)
  })

  it('two groups in one folder the member chose: the later torrent on a taken path is refused, the first keeps its file', async () => {
    const [alice, mallory, bob] = await Promise.all([profile('Alice'), profile('Mallory'), profile('Bob')])
    await addFriend(alice.store, bob.key, 'Bob')
    await addFriend(mallory.store, bob.key, 'Bob')
    await createGroup(alice.store, 'A', { members: ['Bob'] })
    await createGroup(mallory.store, 'B', { members: ['Bob'] })
    const a = randomFile(temp('a2-src'), 'notes.bin', 200_000)
    await share(alice.store, a.path, 'A')
    const shared = temp('one-folder')
    await joinInvite(bob.store, await inviteTo(alice, 'A', 'Bob', 'a2'), shared)
    await joinInvite(bob.store, await inviteTo(mallory, 'B', 'Bob', 'b2'), shared)
    const aliceNode = await start(alice)
    const malloryNode = await start(mallory)
    const bobNode = await start(bob, [aliceNode, malloryNode])
    await until(fileDone(join(shared, 'notes.bin'), a.data), 30_000, 'bob to get A’s notes.bin')

    const m = randomFile(temp('m2-src'), 'notes.bin', 200_000)
    await share(mallory.store, m.path, 'B')
    await malloryNode.reload()
    await until(() => infoHashOf(bob, 'B', 'notes.bin') !== undefined, 30_000, 'bob to join B’s share from the index')
    const ihB = infoHashOf(bob, 'B', 'notes.bin')!
    await until(() => bobNode.refusal(ihB) !== undefined, 30_000, 'bob’s node to refuse B’s share')
    assert.equal(bobNode.refusal(ihB)!.code, 'path-taken')
    const line = bobNode.status().find((t) => t.infoHash === ihB)!
    assert.equal(line.state, 'refused')
    assert.match(line.error!, /notes\.bin/)
    assert.equal(bobNode.engine.has(ihB), false, 'the refused torrent never runs')
    assert.ok(readFileSync(join(shared, 'notes.bin')).equals(a.data), 'A’s copy is untouched')
  })

  it('a share named identity.json reaching a profile made before groups had folders lands in the group’s folder; the identity stays', async () => {
    const [mallory, bob] = await Promise.all([profile('Mallory'), profile('Bob')])
    await addFriend(mallory.store, bob.key, 'Bob')
    await createGroup(mallory.store, 'M', { members: ['Bob'] })
    await joinInvite(bob.store, await inviteTo(mallory, 'M', 'Bob', 'id'), bob.downloads)
    // What an older version left: a member group with no folder, and no download folder in the settings.
    await bob.store.update((d) => {
      delete d.groups[0]!.downloadDir
      delete d.settings.downloadDir
    })
    const identityBefore = readFileSync(bob.store.layout.identity)
    const base = temp('id-base')
    const malloryNode = await start(mallory)
    const bobNode = await start(bob, [malloryNode], base)
    const folder = bob.store.current.groups[0]!.downloadDir
    assert.equal(folder, join(base, 'M'), 'the group was given a folder of its own at start')

    const bait = temp('id-src')
    mkdirSync(bait, { recursive: true })
    const evil = join(bait, 'identity.json')
    writeFileSync(evil, readFileSync(mallory.store.layout.identity)) // Mallory's own identity, as an attacker would
    await share(mallory.store, evil, 'M')
    await malloryNode.reload()
    await until(
      fileDone(join(folder!, 'identity.json'), readFileSync(evil)),
      30_000,
      'bob to get the share in M’s folder',
    )
    assert.ok(readFileSync(bob.store.layout.identity).equals(identityBefore), 'bob’s identity file is unchanged')
    const reopened = await ProfileStore.open(bob.store.dir)
    assert.equal(reopened.current.identity.publicKey, bob.store.current.identity.publicKey)
    assert.ok(bobNode.status().some((t) => t.name === 'identity.json' && t.state === 'seeding'))
  })

  it('refuses to join into the profile folder, and to share from it', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const inv = await inviteTo(owner, 'G', 'Bob', 'pf')
    for (const dir of [bob.store.dir, join(bob.store.dir, 'torrents')])
      await assert.rejects(
        joinInvite(bob.store, inv, dir),
        (e: unknown) => e instanceof ServiceError && e.code === 'in-profile-folder',
      )
    assert.equal(bob.store.current.groups.length, 0, 'nothing was joined')
    for (const path of [owner.store.layout.identity, dirname(owner.store.dir)])
      await assert.rejects(
        share(owner.store, path, 'G'),
        (e: unknown) => e instanceof ServiceError && e.code === 'in-profile-folder',
        path,
      )
  })
})

describe('names a member never writes (PROTOCOL.md §4.6)', () => {
  it('a torrent named to escape the folder or to read as another name is joined, said before, and never written', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const swarm = Uint8Array.from(Buffer.from(owner.store.current.groups[0]!.swarmPublicKey, 'hex'))
    // What a modified client can put in an invite: share() refuses both names.
    const names = ['../../escape.bin', 'photo\u202egpj.exe']
    await owner.store.update((d, ctx) => {
      for (const name of names) {
        const info = encode({
          length: 1000,
          name: utf8(name),
          'piece length': 16384,
          pieces: new Uint8Array(20).fill(7),
          [INFO_SWARM_KEY]: swarm,
        })
        d.torrents.push({
          infoHash: ctx.putTorrentInfo(info),
          groupId: d.groups[0]!.id,
          name,
          downloadDir: temp('forged'),
          addedAt: new Date().toISOString(),
          paused: false,
        })
      }
    })
    const inv = await inviteTo(owner, 'G', 'Bob', 'names')
    const preview = await readInvite(bob.store, inv)
    assert.deepEqual(
      refusedNames(preview.invite).map((r) => r.reason),
      [NAME_REASONS.separator, NAME_REASONS.bidi],
    )
    await joinInvite(bob.store, inv, { base: bob.downloads })
    const folder = bob.store.current.groups[0]!.downloadDir!
    const bobNode = await start(bob)
    for (const t of bob.store.current.torrents) {
      await until(() => bobNode.refusal(t.infoHash) !== undefined, 30_000, `the refusal of ${t.name}`)
      assert.equal(bobNode.refusal(t.infoHash)!.code, 'unsafe-name')
      assert.equal(bobNode.engine.has(t.infoHash), false)
    }
    assert.equal(existsSync(join(folder, '..', '..', 'escape.bin')), false)
    assert.equal(existsSync(join(bob.downloads, 'escape.bin')), false)
  })
})

describe('one path, one torrent', () => {
  it('an owner cannot share two files of one name into a group; a member whose owner did anyway keeps the first', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const one = randomFile(temp('same-1'), 'notes.bin', 150_000)
    const two = randomFile(temp('same-2'), 'notes.bin', 150_000)
    await share(owner.store, one.path, 'G')
    await assert.rejects(
      share(owner.store, two.path, 'G'),
      (e: unknown) => e instanceof ServiceError && e.code === 'name-taken',
    )
    assert.equal(owner.store.current.torrents.length, 1)
    await share(owner.store, one.path, 'G') // the same bytes again are the same torrent: no refusal

    // A modified client adds the second one anyway (what an index may carry).
    const forged = await createClosedTorrent(
      two.path,
      Buffer.from(owner.store.current.groups[0]!.swarmPublicKey, 'hex'),
    )
    await owner.store.update((d, ctx) => {
      ctx.putTorrentInfo(forged.info)
      d.torrents.push({
        infoHash: forged.infoHash,
        groupId: d.groups[0]!.id,
        name: 'notes.bin',
        downloadDir: dirname(two.path),
        addedAt: new Date().toISOString(),
        paused: false,
      })
    })
    await joinInvite(bob.store, await inviteTo(owner, 'G', 'Bob', 'same'), bob.downloads)
    assert.equal(bob.store.current.torrents.length, 2)
    const ownerNode = await start(owner)
    const bobNode = await start(bob, [ownerNode])
    const [first, second] = bob.store.current.torrents
    await until(() => bobNode.refusal(second!.infoHash) !== undefined, 30_000, 'bob’s node to refuse the second')
    assert.equal(bobNode.refusal(second!.infoHash)!.code, 'path-taken')
    assert.equal(bobNode.refusal(first!.infoHash), undefined)
    const firstData = first!.infoHash === forged.infoHash ? two.data : one.data
    await until(fileDone(join(bob.downloads, 'notes.bin'), firstData), 30_000, 'bob to get the first share')
    await until(() => bobNode.engine.torrentSummary(first!.infoHash).state === 'seeding', 30_000, 'the first to seed')
    assert.ok(readFileSync(join(bob.downloads, 'notes.bin')).equals(firstData), 'never a mix of both')
  })

  it('a download whose file is already there, not made by it, is refused; once it has claimed its paths, its own partial files are its own', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const f = randomFile(temp('exists-src'), 'report.bin', 100_000)
    await share(owner.store, f.path, 'G')
    await joinInvite(bob.store, await inviteTo(owner, 'G', 'Bob', 'exists'), bob.downloads)
    const mine = Buffer.from('the user’s own report, which must survive\n')
    writeFileSync(join(bob.downloads, 'report.bin'), mine)
    const ownerNode = await start(owner)
    const bobNode = await start(bob, [ownerNode])
    const ih = bob.store.current.torrents[0]!.infoHash
    await until(() => bobNode.refusal(ih) !== undefined, 30_000, 'the refusal')
    assert.equal(bobNode.refusal(ih)!.code, 'file-exists')
    assert.ok(readFileSync(join(bob.downloads, 'report.bin')).equals(mine), 'the user’s file is untouched')
    assert.equal(existsSync(bob.store.layout.resumeRecord(ih)), false, 'no claim on a path it did not get')
  })
})

describe('a file that changes under a seeding torrent', () => {
  it('is hashed again before its pieces are served, and no longer counts as held', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const f = randomFile(temp('edit-src'), 'video.bin', 2_000_000)
    await share(owner.store, f.path, 'G')
    await joinInvite(bob.store, await inviteTo(owner, 'G', 'Bob', 'edit'), bob.downloads)
    const ownerNode = await start(owner)
    const ih = owner.store.current.torrents[0]!.infoHash
    await until(() => ownerNode.engine.torrentSummary(ih).state === 'seeding', 30_000, 'the owner to seed')
    const warnings: string[] = []
    ownerNode.engine.on('warning', (e: Error) => warnings.push(e.message))

    // Someone edits the first bytes in place: same size, new modification time.
    const h = await open(f.path, 'r+')
    await h.write(Buffer.alloc(1000, 0x41), 0, 1000, 0)
    await h.close()
    assert.equal(ownerNode.engine.torrentSummary(ih).progress, 1, 'nothing has asked yet')

    const bobNode = await start(bob, [ownerNode])
    await until(() => warnings.some((w) => w.includes('changed on disk')), 30_000, 'the owner to notice the edit')
    await until(() => ownerNode.engine.torrentSummary(ih).state !== 'checking', 30_000, 'the check to end')
    const after = ownerNode.engine.torrentSummary(ih)
    assert.ok(after.progress < 1, `no longer shown as complete (${after.progress})`)
    assert.notEqual(after.state, 'seeding')
    const held = ownerNode.engine.bitfield(ih)!
    assert.equal(held[0]! & 0x80, 0, 'the edited first piece is not held')
    // Bob gets every piece but the edited one, never a wrong one: webtorrent would count a bad
    // piece as a hash failure, and he never completes.
    await until(() => bobNode.engine.torrentSummary(ih).progress > 0.9, 30_000, 'bob to get the rest')
    assert.ok(bobNode.engine.torrentSummary(ih).progress < 1, 'bob cannot complete from the owner alone')
    assert.match(
      warnings.find((w) => w.includes('changed on disk'))!,
      /video\.bin/,
    )

    // Put back as it was: the next request for it has the file hashed again, and served.
    const back = await open(f.path, 'r+')
    await back.write(f.data.subarray(0, 1000), 0, 1000, 0)
    await back.close()
    await until(fileDone(join(bob.downloads, 'video.bin'), f.data), 60_000, 'bob to complete once the file is back')
    assert.equal(ownerNode.engine.torrentSummary(ih).state, 'seeding')
  })
})
