// Leaving and deleting a group (service/operations/remove-group.ts) with real profiles, real files and
// real nodes on 127.0.0.1: what goes (the group, its torrents, their info files, the stored index,
// the rendezvous folder), what stays (every downloaded and shared file), and a running member node
// that leaves one group stops all of it at once while its other group carries on.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { CoterieNode } from './node.js'
import { ProfileStore } from '../../profile/index.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { rendezvousDir, rendezvousOf } from '../operations/rendezvous.js'
import { removeGroup } from '../operations/remove-group.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { LOOPBACK, randomFile, sleep, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, testProfile, type TestProfile } from '../../testing/profiles.js'

const { temp, cleanup } = tempDirs()
const closers: (() => Promise<unknown>)[] = []
after(async () => {
  for (const c of closers.reverse()) await c().catch(() => {})
  cleanup()
})

async function start(store: ProfileStore, peers: string[] = [], downloadDir?: string) {
  const n = await CoterieNode.start(store, {
    dht: false,
    lsd: false,
    trackers: false,
    peers,
    ...(downloadDir !== undefined && { downloadDir }),
  })
  closers.push(() => n.stop())
  return n
}
const at = (n: CoterieNode) => `${LOOPBACK}:${n.port}`

/** What a group left behind in a profile, by the paths it would be at. */
function storedFiles(
  p: TestProfile,
  g: { swarmPublicKey: string; rendezvous?: string | undefined },
  infoHashes: readonly string[],
) {
  const rv = rendezvousOf(g)
  return {
    infos: infoHashes.map((ih) => p.store.layout.torrentInfo(ih)),
    index: p.store.layout.groupIndex(g.swarmPublicKey),
    rendezvous: rv === undefined ? undefined : rendezvousDir(p.store.dir, bytesToHex(rv.infoHash)),
  }
}

async function invite(owner: TestProfile, member: TestProfile, group: string, friend: string) {
  const file = join(temp('inv'), `${group}.coterie`)
  await writeInvite(owner.store, group, friend, file)
  await joinInvite(member.store, file, member.downloads)
}

describe('leaving or deleting a group', () => {
  it('the owner deletes only when asked; then the group, its torrents and stored files are gone and the shared files stay', async () => {
    const owner = await testProfile(temp, 'Owner')
    await createGroup(owner.store, 'Books')
    await createGroup(owner.store, 'Music')
    const chapter = randomFile(temp('src-books'), 'chapter-1.txt', 50_000)
    const song = randomFile(temp('src-music'), 'song.bin', 50_000)
    const books = await share(owner.store, chapter.path, 'Books')
    const music = await share(owner.store, song.path, 'Music')
    // The node writes each group's index and rendezvous folder, as it does for anyone.
    const node = await start(owner.store)
    const g = owner.store.current.groups.find((x) => x.name === 'Books')!
    const files = storedFiles(owner, g, [books.infoHash])
    await until(
      () => existsSync(files.index) && existsSync(files.rendezvous!),
      10_000,
      'the node to store the index and the rendezvous',
    )

    const before = readFileSync(owner.store.layout.state)
    await assert.rejects(
      removeGroup(owner.store, 'Books'),
      (e: unknown) => e instanceof ServiceError && e.code === 'owned-group' && /cannot be undone/.test(e.message),
    )
    await assert.rejects(
      removeGroup(owner.store, 'Nope', { deleteOwned: true }),
      (e: unknown) => e instanceof ServiceError && e.code === 'unknown-group',
    )
    assert.ok(readFileSync(owner.store.layout.state).equals(before), 'refused: profile.json untouched')
    assert.ok(existsSync(files.index) && existsSync(files.infos[0]!))

    const removed = await removeGroup(owner.store, 'books', { deleteOwned: true })
    assert.deepEqual(
      { ...removed },
      { id: g.id, name: 'Books', owner: true, torrents: [books.infoHash], downloadDirs: [join(chapter.path, '..')] },
    )
    const p = await owner.store.read()
    assert.deepEqual(
      p.groups.map((x) => x.name),
      ['Music'],
    )
    assert.deepEqual(
      p.torrents.map((t) => t.infoHash),
      [music.infoHash],
    )
    for (const f of [...files.infos, files.index, files.rendezvous!]) assert.ok(!existsSync(f), `${f} removed`)
    assert.ok(readFileSync(chapter.path).equals(chapter.data), 'the shared file stays where it was, whole')
    const other = storedFiles(owner, p.groups[0]!, [music.infoHash])
    for (const f of [...other.infos, other.index, other.rendezvous!])
      assert.ok(existsSync(f), `the other group's ${f} stays`)

    await node.reload()
    assert.ok(
      !node.engine.has(books.infoHash) && !node.engine.has(bytesToHex(rendezvousOf(g)!.infoHash)),
      'the running node stopped the group',
    )
    assert.equal(node.engine.index.get(hexToBytes(g.swarmPublicKey)), undefined, 'and holds no index of it')
    assert.ok(node.engine.has(music.infoHash))
    await assert.rejects(
      removeGroup(owner.store, 'Books', { deleteOwned: true }),
      (e: unknown) => e instanceof ServiceError && e.code === 'unknown-group',
      'gone: a second removal is refused',
    )
  })

  it('a running member node leaves one group: its torrents stop at once, its files stay, its other group carries on', async () => {
    const [owner, bob] = await Promise.all([testProfile(temp, 'Owner'), testProfile(temp, 'Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'Books', { members: ['Bob'] })
    await createGroup(owner.store, 'Music', { members: ['Bob'] })
    const chapter = randomFile(temp('m-books'), 'chapter-1.txt', 120_000)
    const song = randomFile(temp('m-music'), 'song.bin', 120_000)
    const books = await share(owner.store, chapter.path, 'Books')
    const music = await share(owner.store, song.path, 'Music')
    await invite(owner, bob, 'Books', 'Bob')
    await invite(owner, bob, 'Music', 'Bob')
    const ownerNode = await start(owner.store)
    const bobNode = await start(bob.store, [at(ownerNode)], bob.downloads)
    await until(fileDone(join(bob.downloads, 'chapter-1.txt'), chapter.data), 30_000, 'bob to get the chapter')
    await until(fileDone(join(bob.downloads, 'song.bin'), song.data), 30_000, 'bob to get the song')
    const bobBooks = () => bob.store.current.groups.find((x) => x.name === 'Books')
    await until(() => (bobBooks()?.indexVersion ?? 0) >= 1, 20_000, 'bob to hold the Books index')
    const g = bobBooks()!
    const swarm = hexToBytes(g.swarmPublicKey)
    const rv = bytesToHex(rendezvousOf(g)!.infoHash)
    const files = storedFiles(bob, g, [books.infoHash])
    for (const f of [...files.infos, files.index, files.rendezvous!])
      assert.ok(existsSync(f), `${f} held before leaving`)
    assert.ok(
      bobNode.engine.has(books.infoHash) && bobNode.engine.has(rv) && bobNode.engine.index.get(swarm) !== undefined,
    )

    const removed = await removeGroup(bob.store, 'Books') // a member needs no confirmation
    assert.equal(removed.owner, false)
    await bobNode.reload() // what the CLI's poke and the app's changed() do
    assert.ok(!bobNode.engine.has(books.infoHash), 'the share stopped')
    assert.ok(!bobNode.engine.has(rv), 'the rendezvous stopped')
    assert.deepEqual(
      [bobNode.engine.discoveryKeys(books.infoHash), bobNode.engine.discoveryKeys(rv)],
      [[], []],
      'nothing of it is announced',
    )
    assert.equal(bobNode.engine.index.get(swarm), undefined, 'its index is neither held nor relayed')
    assert.ok(!bobNode.status().some((t) => t.group === 'Books'))
    const p = await bob.store.read()
    assert.deepEqual(
      p.groups.map((x) => x.name),
      ['Music'],
      'certificate and secret went with the group',
    )
    assert.ok(!p.torrents.some((t) => t.groupId === g.id))
    for (const f of [...files.infos, files.index, files.rendezvous!]) assert.ok(!existsSync(f), `${f} removed`)
    assert.ok(readFileSync(join(bob.downloads, 'chapter-1.txt')).equals(chapter.data), 'the downloaded file stays')

    // The other group carries on: a new share in Music reaches Bob. Books' does not.
    assert.ok(bobNode.engine.has(music.infoHash))
    const more = randomFile(temp('m-music2'), 'song-2.bin', 80_000)
    const later = randomFile(temp('m-books2'), 'chapter-2.txt', 80_000)
    await share(owner.store, more.path, 'Music')
    await share(owner.store, later.path, 'Books')
    await ownerNode.reload()
    await until(fileDone(join(bob.downloads, 'song-2.bin'), more.data), 30_000, 'bob to get the next song')
    // Proves an absence: the next song arrived, so a chapter shared at the same time would be here by now.
    const LEFT_GROUP_QUIET_MS = 1_000
    await sleep(LEFT_GROUP_QUIET_MS)
    assert.ok(!existsSync(join(bob.downloads, 'chapter-2.txt')), 'nothing new of the group left')
    assert.equal(bobNode.engine.index.get(swarm), undefined)
    assert.deepEqual(
      bob.store.current.groups.map((x) => x.name),
      ['Music'],
    )
  })
})
