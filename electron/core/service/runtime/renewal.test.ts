// A member whose certificate expired while the owner was away (issue 6 item 4, PROTOCOL.md §13.3),
// with real profiles, real nodes and real files on 127.0.0.1: an up-to-date member that meets it
// pushes it the group index, which carries its renewal, and nothing else; the expired member
// installs the renewal, reconnects and downloads, with no new invite and the owner offline. A
// revoked member, or a stranger holding an expired certificate of the group, gets nothing.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { CoterieNode } from './node.js'
import { Engine, type PeerEvent } from '../../engine/engine.js'
import type { RenewalServed } from '../../engine/index-exchange.js'
import { ProfileStore, swarmKeyPair } from '../../profile/index.js'
import { addFriend } from '../operations/friends.js'
import { createGroup, removeMember } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { generateKeyPair } from '../../protocol/keys.js'
import { decodeCertificate, issueCertificate } from '../../protocol/certificate.js'
import { CLOCK_SKEW_S } from '../../protocol/constants.js'
import { LOOPBACK, randomFile, sleep, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, nodeStarter, testProfile } from '../../testing/profiles.js'
import { assertOk } from '../../testing/assert-result.js'

const { temp, cleanup } = tempDirs()
/** Proves an absence: what a renewal would have had time to deliver (it takes well under a second). */
const NO_RENEWAL_MS = 3_000
const { start, stopAll } = nodeStarter()
const engines: Engine[] = []
after(async () => {
  await Promise.allSettled([stopAll(), ...engines.map((e) => e.close())])
  cleanup()
})

const profile = (name: string) => testProfile(temp, name)
const at = (n: { port: number }) => `${LOOPBACK}:${n.port}`
const now = () => Math.floor(Date.now() / 1000)

/**
 * An owner and two members of "Club", by invite, with one shared file. Alice downloads it and
 * receives the owner's index (which holds Bob's current certificate); then the owner goes offline.
 * `beforeOwnerLeaves` runs while the owner and Alice are still connected (to remove Bob, say).
 */
async function ownerAway(
  label: string,
  beforeOwnerLeaves?: (o: { owner: CoterieNode; store: ProfileStore; alice: CoterieNode }) => Promise<void>,
) {
  const [owner, alice, bob] = await Promise.all([profile('Owner'), profile('Alice'), profile('Bob')])
  await addFriend(owner.store, alice.key, 'Alice')
  await addFriend(owner.store, bob.key, 'Bob')
  await createGroup(owner.store, 'Club', { members: ['Alice', 'Bob'] })
  const one = randomFile(temp(`${label}-src`), 'one.bin', 300_000)
  await share(owner.store, one.path, 'Club')
  for (const [m, name] of [
    [alice, 'Alice'],
    [bob, 'Bob'],
  ] as const) {
    const inv = join(temp(`${label}-inv`), 'club.coterie')
    await writeInvite(owner.store, 'Club', name, inv)
    await joinInvite(m.store, inv, m.downloads)
  }
  const ownerNode = await start(owner.store)
  const aliceNode = await start(alice.store, [at(ownerNode)])
  await until(fileDone(join(alice.downloads, 'one.bin'), one.data), 20_000, 'alice to get the file from the owner')
  const ownerVersion = () => owner.store.current.groups[0]!.indexVersion ?? 0
  await until(
    () => ownerVersion() >= 1 && alice.store.current.groups[0]!.indexVersion === ownerVersion(),
    15_000,
    "alice to hold the owner's index",
  )
  await beforeOwnerLeaves?.({ owner: ownerNode, store: owner.store, alice: aliceNode })
  await ownerNode.stop()

  const group = owner.store.current.groups[0]!
  const swarm = swarmKeyPair(group)!
  const infoHash = owner.store.current.torrents.find((t) => t.name === 'one.bin')!.infoHash
  const info = await owner.store.readTorrentInfo(infoHash)
  // Well past its expiry, the clock-skew allowance included.
  const expiredFor = (member: Uint8Array) =>
    issueCertificate(swarm, { member, iat: now() - 7200, exp: now() - CLOCK_SKEW_S - 600 })
  // Bob's certificate expired while the owner was away (the index Alice holds has a current one).
  await bob.store.update((draft, ctx) => {
    draft.groups[0]!.certificate = bytesToHex(expiredFor(hexToBytes(ctx.identity.publicKey)))
  })
  const served: RenewalServed[] = []
  aliceNode.engine.index.on('renewal', (r: RenewalServed) => served.push(r))
  const aliceSaw: PeerEvent[] = []
  aliceNode.engine.on('peer', (e: PeerEvent) => aliceSaw.push(e))
  const refusedExpired = () => aliceSaw.some((e) => e.peer.state === 'refused' && e.peer.reason === 'expired')
  return { owner, alice, bob, one, aliceNode, swarm, infoHash, info, expiredFor, served, aliceSaw, refusedExpired }
}

const certOf = (store: ProfileStore) => {
  const c = decodeCertificate(hexToBytes(store.current.groups[0]!.certificate!))
  assertOk(c)
  return c.value
}

describe('renewal for a member whose certificate expired while the owner was away', () => {
  for (const dialler of ['the expired member', 'the up-to-date member'] as const) {
    it(`gets it from an up-to-date member, reconnects and downloads (${dialler} dials)`, async () => {
      const s = await ownerAway(dialler === 'the expired member' ? 'renew-i' : 'renew-r')
      assert.ok(certOf(s.bob.store).exp + CLOCK_SKEW_S < now(), 'bob starts with an expired certificate')
      const bobNode =
        dialler === 'the expired member' ? await start(s.bob.store, [at(s.aliceNode)]) : await start(s.bob.store)
      if (dialler === 'the up-to-date member') s.aliceNode.engine.addPeer(s.infoHash, at(bobNode))
      await until(
        fileDone(join(s.bob.downloads, 'one.bin'), s.one.data),
        45_000,
        'bob to download the file from alice after his renewal',
      )

      assert.ok(s.refusedExpired(), 'alice first refused him as expired')
      // On a connection opened by the side named: alice's outgoing ones have bob's listen port.
      const refusedOn = s.aliceSaw
        .filter((e) => e.peer.state === 'refused')
        .map((e) => e.peer.address.endsWith(`:${bobNode.port}`))
      assert.ok(
        refusedOn.every((outgoing) => outgoing === (dialler === 'the up-to-date member')),
        `refused on ${dialler}'s connection`,
      )
      // Once per connection that refused him (he may have dialled twice at once).
      assert.ok(
        s.served.length >= 1 && s.served.every((r) => r.member === s.bob.store.current.identity.publicKey),
        'and pushed him the index',
      )
      const renewed = certOf(s.bob.store)
      assert.ok(renewed.exp + CLOCK_SKEW_S > now(), 'bob holds a current certificate')
      const inAlicesIndex = s.aliceNode.engine.index
        .get(s.swarm.publicKey)!
        .certificateOf.get(s.bob.store.current.identity.publicKey)!
      assert.equal(renewed.exp, inAlicesIndex.exp, 'the one the owner put in the index')
      assert.equal(s.bob.store.current.groups[0]!.indexVersion, s.alice.store.current.groups[0]!.indexVersion)
      assert.ok(
        s.aliceNode
          .status()
          .some((t) =>
            t.peers.some((p) => p.state === 'authorized' && p.member === s.bob.store.current.identity.publicKey),
          ),
        'alice authorized him on a new connection',
      )
    })
  }

  it('gives a revoked member with an expired certificate no index and no data', async () => {
    const s = await ownerAway('renew-revoked', async ({ owner, store, alice }) => {
      const bob = store.current.friends.find((f) => f.name === 'Bob')!.publicKey
      await removeMember(store, 'Club', 'Bob')
      await owner.reload()
      const revokes = () =>
        alice.engine.index
          .get(hexToBytes(store.current.groups[0]!.swarmPublicKey))
          ?.revoked.some((k) => bytesToHex(k) === bob) === true
      await until(revokes, 15_000, 'alice to hold the index revoking bob')
    })
    const bobNode = await start(s.bob.store, [at(s.aliceNode)])
    await until(s.refusedExpired, 20_000, 'alice to refuse bob')
    await sleep(NO_RENEWAL_MS)
    assert.ok(
      s.aliceSaw.filter((e) => e.peer.state === 'refused').every((e) => e.peer.reason === 'expired'),
      'refused as expired, as before',
    )
    assert.deepEqual(s.served, [], 'alice pushed him nothing')
    assert.equal(bobNode.engine.index.get(s.swarm.publicKey), undefined, 'bob holds no index')
    assert.equal(s.bob.store.current.groups[0]!.indexVersion ?? 0, 0)
    assert.ok(certOf(s.bob.store).exp + CLOCK_SKEW_S < now(), 'and no renewal')
    assert.ok(
      !existsSync(join(s.bob.downloads, 'one.bin')) ||
        !readFileSync(join(s.bob.downloads, 'one.bin')).equals(s.one.data),
    )
    assert.equal(bobNode.engine.torrentSummary(s.infoHash).downloaded, 0, 'no data')
  })

  it('gives a stranger holding an expired certificate of the group (never a member) nothing', async () => {
    const s = await ownerAway('renew-stranger')
    const stranger = generateKeyPair()
    const engine = await Engine.start()
    engines.push(engine)
    const credential = { certificate: s.expiredFor(stranger.publicKey), secretKey: stranger.secretKey }
    await engine.add(s.info, temp('stranger'), { swarm: s.swarm.publicKey, credential }, { peers: [at(s.aliceNode)] })
    await until(s.refusedExpired, 20_000, 'alice to refuse the stranger')
    await sleep(NO_RENEWAL_MS)
    assert.deepEqual(s.served, [], 'alice pushed it nothing')
    assert.equal(engine.index.get(s.swarm.publicKey), undefined, 'it holds no index')
    assert.equal(engine.torrentSummary(s.infoHash).downloaded, 0, 'and no data')
  })
})
