// Groups as living collections (issue 6), with real profiles, real nodes and real files on
// 127.0.0.1: what the owner shares after the invite reaches members by itself, from the owner or,
// once it is offline, from another member; a removed member is cut off and gets nothing new.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CoterieNode } from './node.js'
import { addFriend } from '../operations/friends.js'
import { createGroup, removeMember, setTrackers } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { decodeCertificate } from '../../protocol/certificate.js'
import { Server } from 'bittorrent-tracker'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, nodeStarter, testProfile } from '../../testing/profiles.js'
import { assertOk } from '../../testing/assert-result.js'

const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

const profile = (name: string) => testProfile(temp, name)

/** An owner and two members who joined "Club" by invite, with one shared file (no node running yet). */
async function clubOfThree(label: string) {
  const [owner, alice, bob] = await Promise.all([profile('Owner'), profile('Alice'), profile('Bob')])
  await addFriend(owner.store, alice.key, 'Alice')
  await addFriend(owner.store, bob.key, 'Bob')
  await createGroup(owner.store, 'Club', { members: ['Alice', 'Bob'] })
  const src = temp(`${label}-src`)
  const one = randomFile(src, 'one.bin', 200_000)
  await share(owner.store, one.path, 'Club')
  for (const [m, name] of [
    [alice, 'Alice'],
    [bob, 'Bob'],
  ] as const) {
    const inv = join(temp(`${label}-inv`), 'club.coterie')
    await writeInvite(owner.store, 'Club', name, inv)
    await joinInvite(m.store, inv, m.downloads)
  }
  return { owner, alice, bob, src, one }
}

describe('groups as living collections', () => {
  it('the owner’s new trackers reach a member through the index, whose node announces to them at once; none taken away, likewise', async () => {
    const { owner, alice, one } = await clubOfThree('trackers')
    const heard: number[] = []
    const server = new Server({
      http: true,
      udp: false,
      ws: false,
      stats: false,
      filter: (_ih, params, cb) => {
        heard.push(Number(params.port))
        cb(null)
      },
    })
    await new Promise<void>((r) => server.listen(0, { http: LOOPBACK }, () => r()))
    try {
      const url = `http://${LOOPBACK}:${server.http!.address().port}/announce`
      const ownerNode = await start(owner.store)
      const aliceNode = await start(alice.store, [`${LOOPBACK}:${ownerNode.port}`])
      await until(fileDone(join(alice.downloads, 'one.bin'), one.data), 20_000, 'alice to get the file (invite)')
      assert.equal(alice.store.current.groups[0]!.trackers, undefined, 'the invite named no tracker')

      await setTrackers(owner.store, 'Club', [url]) // `coterie group set-trackers Club URL`
      await ownerNode.reload()
      await until(
        () => alice.store.current.groups[0]!.trackers?.[0] === url,
        20_000,
        'alice to take the tracker from the index',
      )
      await until(() => heard.includes(aliceNode.port), 20_000, 'alice’s node to announce to it, with no restart')

      await setTrackers(owner.store, 'Club', [])
      await ownerNode.reload()
      await until(
        () => alice.store.current.groups[0]!.trackers === undefined,
        20_000,
        'alice to drop it as the owner did',
      )
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('a later share reaches members without a new invite, from the owner and then relayed by a member', async () => {
    const { owner, alice, bob, src, one } = await clubOfThree('later')
    const ownerNode = await start(owner.store)
    const at = (n: CoterieNode) => `${LOOPBACK}:${n.port}`
    const aliceNode = await start(alice.store, [at(ownerNode)])
    await until(fileDone(join(alice.downloads, 'one.bin'), one.data), 20_000, 'alice to get file 1 (invite)')

    // File 2, shared after the invite: it reaches alice by itself.
    const two = randomFile(src, 'two.bin', 200_000)
    await share(owner.store, two.path, 'Club')
    await ownerNode.reload()
    await until(fileDone(join(alice.downloads, 'two.bin'), two.data), 30_000, 'alice to get file 2 with no new invite')

    // File 3: published while alice is connected; then the owner goes away. Bob, who was offline
    // all along, gets the index and both files from alice.
    const three = randomFile(src, 'three.bin', 100_000)
    await share(owner.store, three.path, 'Club')
    await ownerNode.reload()
    await until(fileDone(join(alice.downloads, 'three.bin'), three.data), 30_000, 'alice to get file 3')
    await ownerNode.stop()
    await start(bob.store, [at(aliceNode)])
    for (const [name, f] of [
      ['two.bin', two],
      ['three.bin', three],
    ] as const) {
      await until(
        fileDone(join(bob.downloads, name), f.data),
        30_000,
        `bob to get ${name} from alice, the owner offline`,
      )
    }
    const bobGroup = bob.store.current.groups[0]!
    assert.equal(
      bobGroup.indexVersion,
      alice.store.current.groups[0]!.indexVersion,
      'bob holds the index alice relayed',
    )
  })

  it('a removed member is cut off, refused, and gets neither new shares nor renewals; the others carry on', async () => {
    const { owner, alice, bob, src, one } = await clubOfThree('removal')
    const ownerNode = await start(owner.store)
    const at = (n: CoterieNode) => `${LOOPBACK}:${n.port}`
    const aliceNode = await start(alice.store, [at(ownerNode)])
    const bobNode = await start(bob.store, [at(ownerNode), at(aliceNode)])
    for (const m of [alice, bob])
      await until(fileDone(join(m.downloads, 'one.bin'), one.data), 20_000, 'members to get file 1')
    const aliceVersion = () => alice.store.current.groups[0]!.indexVersion ?? 0
    await until(() => aliceVersion() >= 1, 15_000, 'alice to hold the first index')
    // Read only now: the first index may carry a certificate newer than the invite's.
    const aliceCert = alice.store.current.groups[0]!.certificate

    await removeMember(owner.store, 'Club', 'Alice')
    await ownerNode.reload()
    const refusedBy = (n: CoterieNode) =>
      n.status().some((t) => t.peers.some((p) => p.state === 'refused' && p.reason === 'revoked'))
    const talksToAlice = (n: CoterieNode) =>
      n.status().some((t) => t.peers.some((p) => p.state === 'authorized' && p.address.endsWith(`:${aliceNode.port}`)))
    await until(() => !talksToAlice(bobNode), 15_000, 'bob to stop serving alice')
    const two = randomFile(src, 'two.bin', 150_000)
    await share(owner.store, two.path, 'Club')
    await ownerNode.reload()
    await until(fileDone(join(bob.downloads, 'two.bin'), two.data), 30_000, 'bob to get file 2')
    // Alice dials the owner again: refused for being revoked.
    aliceNode.engine.addPeer(alice.store.current.torrents[0]!.infoHash, at(ownerNode))
    await until(() => refusedBy(ownerNode), 15_000, 'the owner to refuse alice as revoked')
    assert.ok(!existsSync(join(alice.downloads, 'two.bin')), 'alice got nothing shared after her removal')
    assert.equal(alice.store.current.groups[0]!.certificate, aliceCert, 'and no renewal')
    assert.ok(readFileSync(join(alice.downloads, 'one.bin')).equals(one.data), 'what she had stays hers (not DRM)')
    const ownerGroup = owner.store.current.groups[0]!
    assert.deepEqual(ownerGroup.revoked, [alice.store.current.identity.publicKey])
    assert.notEqual(
      bob.store.current.groups[0]!.groupSecret,
      alice.store.current.groups[0]!.groupSecret,
      'the discovery secret rotated for the others',
    )
  })

  it("the owner's node renews certificates before they expire, and the renewal reaches members by itself", async () => {
    const [owner, alice] = await Promise.all([profile('Owner'), profile('Alice')])
    await addFriend(owner.store, alice.key, 'Alice')
    // The shortest lifetime a group may choose (60 s): renewal is due after half of it.
    await createGroup(owner.store, 'Short', { members: ['Alice'], certificateLifetimeS: 60 })
    const file = randomFile(temp('renew-src'), 'one.bin', 100_000)
    await share(owner.store, file.path, 'Short')
    const inv = join(temp('renew-inv'), 'short.coterie')
    await writeInvite(owner.store, 'Short', 'Alice', inv)
    await joinInvite(alice.store, inv, alice.downloads)
    const expOf = () => decodeCertificate(Buffer.from(alice.store.current.groups[0]!.certificate!, 'hex'))
    const first = expOf()
    assertOk(first)
    const ownerNode = await start(owner.store)
    await start(alice.store, [`${LOOPBACK}:${ownerNode.port}`])
    await until(fileDone(join(alice.downloads, 'one.bin'), file.data), 20_000, 'alice to get the file')
    await until(
      () => {
        const c = expOf()
        return c.ok && c.value.exp > first.value.exp
      },
      60_000,
      "alice's renewed certificate",
    )
  })
})
