// A member whose group index cannot be followed whole says why and keeps following (issue 15):
// real profiles, real nodes on 127.0.0.1, real files. An owner (a modified client, or a careless
// one) publishes an index with a share whose name no member may write next to a good share; the
// member takes the good one, says which it left out and why, and follows the next version. A disk
// that refuses the profile's write leaves the index held, said, and followed once it can be.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CoterieNode, type IndexProblem } from '../runtime/node.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { groupDetailsOf } from './group-details.js'
import { indexNotices } from './events.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, testProfile, type TestProfile } from '../../testing/profiles.js'
import { forgeShare } from '../../testing/forged-share.js'

const { temp, cleanup } = tempDirs()
const nodes: CoterieNode[] = []
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()))
  cleanup()
})

async function start(p: TestProfile, peers: CoterieNode[], problems: IndexProblem[] = []): Promise<CoterieNode> {
  const n = await CoterieNode.start(p.store, {
    dht: false,
    peers: peers.map((x) => `${LOOPBACK}:${x.port}`),
    downloadDir: p.downloads,
    onIndexProblem: (_group, problem) => problems.push(problem),
  })
  nodes.push(n)
  return n
}

/** An owner and Bob in "G", Bob joined by invite with one file; no node running yet. */
async function groupWithBob(label: string) {
  const [owner, bob] = await Promise.all([testProfile(temp, 'Owner'), testProfile(temp, 'Bob')])
  await addFriend(owner.store, bob.key, 'Bob')
  await createGroup(owner.store, 'G', { members: ['Bob'] })
  const src = temp(`${label}-src`)
  const one = randomFile(src, 'one.bin', 100_000)
  await share(owner.store, one.path, 'G')
  const inv = join(temp(`${label}-inv`), 'g.coterie')
  await writeInvite(owner.store, 'G', 'Bob', inv)
  await joinInvite(bob.store, inv, { base: bob.downloads })
  return { owner, bob, src, one }
}

const version = (p: TestProfile) => p.store.current.groups[0]!.indexVersion ?? 0
const held = (p: TestProfile, infoHash: string) => p.store.current.torrents.some((t) => t.infoHash === infoHash)

describe('a group index a member cannot follow whole', () => {
  it('an unsafe share is left out with its reason, the good one beside it is joined, and the next version is followed', async () => {
    const { owner, bob, src, one } = await groupWithBob('unsafe')
    const problems: IndexProblem[] = []
    const ownerNode = await start(owner, [])
    const bobNode = await start(bob, [ownerNode], problems)
    const folder = bob.store.current.groups[0]!.downloadDir!
    await until(fileDone(join(folder, 'one.bin'), one.data), 30_000, 'bob to get one.bin (invite)')

    // Version n: a share named with an escape sequence (a control character), and a good one.
    const badName = 'bad\u001b]0;pwned\u0007.bin'
    const bad = await forgeShare(owner.store, 'G', badName, temp('forged'))
    const two = randomFile(src, 'two.bin', 100_000)
    await share(owner.store, two.path, 'G')
    await ownerNode.reload()
    const n = version(owner)
    await until(() => version(bob) === n, 30_000, `bob to follow index version ${n}`)
    await until(fileDone(join(folder, 'two.bin'), two.data), 30_000, 'bob to get two.bin beside the unsafe share')
    assert.equal(held(bob, bad), false, 'the unsafe share is not joined')
    await until(() => problems.length > 0, 10_000, 'the node to say what it left out')
    assert.deepEqual(problems, [
      { kind: 'skipped', version: n, shares: [{ infoHash: bad, name: badName, code: 'control' }] },
    ])
    // The app's notice (the contract's 'notice' event) names it and says why.
    assert.deepEqual(indexNotices('G', problems[0]!), [
      { kind: 'error', title: 'Not downloaded in G', body: `${badName}: ${NAME_REASONS.control}`, infoHash: bad },
    ])
    // `coterie group show` lists it, with the sentence the app shows.
    const details = await groupDetailsOf(bob.store, 'G')
    assert.equal(details.indexVersion, n)
    assert.equal(details.appliedVersion, n)
    assert.deepEqual(details.refused, [{ infoHash: bad, name: badName, reason: NAME_REASONS.control }])
    // Nothing bob had is lost: one.bin is still joined, on disk, and running.
    assert.equal(held(bob, bobNode.status().find((t) => t.name === 'one.bin')!.infoHash), true)
    assert.ok(fileDone(join(folder, 'one.bin'), one.data)())

    // Version n + 1 (the unsafe share still listed): followed like any other.
    const three = randomFile(src, 'three.bin', 100_000)
    await share(owner.store, three.path, 'G')
    await ownerNode.reload()
    assert.ok(version(owner) > n)
    await until(() => version(bob) === version(owner), 30_000, 'bob to follow the next version')
    await until(fileDone(join(folder, 'three.bin'), three.data), 30_000, 'bob to get three.bin')
    assert.equal(held(bob, bad), false)
    assert.equal(problems.length, 2, 'the same share is said again for the new version')
    assert.equal(problems[1]!.kind, 'skipped')
  })

  it('a profile write the disk refuses leaves the index held and said; it is followed once the disk allows', async () => {
    const { owner, bob, src, one } = await groupWithBob('disk')
    const problems: IndexProblem[] = []
    const ownerNode = await start(owner, [])
    const bobNode = await start(bob, [ownerNode], problems)
    const folder = bob.store.current.groups[0]!.downloadDir!
    await until(fileDone(join(folder, 'one.bin'), one.data), 30_000, 'bob to get one.bin (invite)')
    await until(() => version(bob) === version(owner), 30_000, 'bob to follow the first index')
    const before = version(bob)

    // Bob's profile cannot take a new torrent: where its info files go is a file, not a folder.
    const infos = bob.store.layout.torrents
    renameSync(infos, `${infos}.aside`)
    writeFileSync(infos, 'not a folder')
    const two = randomFile(src, 'two.bin', 100_000)
    await share(owner.store, two.path, 'G')
    await ownerNode.reload()
    const n = version(owner)
    await until(() => problems.length > 0, 30_000, 'the node to say the index was not followed')
    assert.equal(problems[0]!.kind, 'failed')
    assert.equal(problems[0]!.version, n)
    assert.equal(version(bob), before, 'the profile stays as it was')
    const details = await groupDetailsOf(bob.store, 'G')
    assert.equal(details.indexVersion, n, 'the index is held')
    assert.equal(details.appliedVersion, before, '...and `group show` says it is not followed yet')
    assert.equal(indexNotices('G', problems[0]!)[0]!.kind, 'error')

    // The disk is fixed; the next reload follows the held index, no new version needed.
    rmSync(infos)
    renameSync(`${infos}.aside`, infos)
    mkdirSync(infos, { recursive: true })
    await bobNode.reload()
    await until(() => version(bob) === n, 30_000, 'bob to follow the held index at the next reload')
    await until(fileDone(join(folder, 'two.bin'), two.data), 30_000, 'bob to get two.bin')
  })
})
