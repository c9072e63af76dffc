// The group index between real engines on 127.0.0.1 (PROTOCOL.md §12.1): a member learns of a new
// share from the owner over a connection of an older torrent, and from another member when the
// owner is offline; what it learns is the owner's signed index, byte for byte.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { Engine, type PeerEvent, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { openIndex, publishIndex, type GroupIndex } from '../protocol/group-index.js'
import { DAY, keyPair, seed } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../testing/swarm.js'
import { onceWithin } from '../testing/wait.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('exchange swarm')
const people = { owner: keyPair('exchange owner'), alice: keyPair('exchange alice'), bob: keyPair('exchange bob') }
type Who = keyof typeof people
const certs = Object.fromEntries(
  Object.entries(people).map(([k, p]) => [
    k,
    issueCertificate(swarm, { member: p.publicKey, iat: now() - 60, exp: now() + DAY }),
  ]),
) as Record<Who, Uint8Array>
const membership = (who: Who): SwarmMembership => ({
  swarm: swarm.publicKey,
  credential: { certificate: certs[who], secretKey: people[who].secretKey },
})
const { temp, cleanup } = tempDirs()
after(cleanup)

const publish = (version: number, torrents: Uint8Array[], revoked: Who[] = []) => {
  const members = (['alice', 'bob'] as const).filter((w) => !revoked.includes(w))
  return publishIndex(swarm, {
    version,
    iat: now(),
    name: 'Club',
    secret: seed(`exchange secret ${revoked.join()}`),
    torrents,
    members: members.map((w) => ({ key: people[w].publicKey, name: w })),
    revoked: revoked.map((w) => people[w].publicKey),
    certificates: members.map((w) => certs[w]),
  })
}

const nextIndex = async (e: Engine, ms = 15_000): Promise<GroupIndex> =>
  (await onceWithin<[GroupIndex]>(e.index, 'index', ms, 'the next group index'))[0]

describe('group index between engines', () => {
  it('reaches a member from the owner, and from another member once the owner is gone', async () => {
    const src = temp('src')
    const owner = await Engine.start()
    const alice = await Engine.start()
    const bob = await Engine.start()
    try {
      const one = await owner.seed(randomFile(src, 'one.bin', 64 * 1024).path, membership('owner'))
      const two = await owner.seed(randomFile(src, 'two.bin', 64 * 1024).path, membership('owner'))
      const v1 = publish(1, [one.info])
      const v2 = publish(2, [one.info, two.info])
      assert.ok(owner.index.set(swarm.publicKey, v1))
      for (const [e, who] of [
        [alice, 'alice'],
        [bob, 'bob'],
      ] as const) {
        assert.ok(e.index.set(swarm.publicKey, v1))
        await e.add(one.info, temp(who), membership(who))
      }
      // Bob is connected to the owner when it publishes version 2.
      const bobGets = nextIndex(bob)
      bob.addPeer(one.infoHash, `${LOOPBACK}:${owner.port}`)
      await bob.whenDone(one.infoHash)
      assert.ok(owner.index.set(swarm.publicKey, v2), 'the owner publishes version 2')
      const got = await bobGets
      assert.equal(got.version, 2)
      assert.deepEqual(got.bytes, v2)
      assert.deepEqual(
        got.infoHashes.map((h) => Buffer.from(h).toString('hex')),
        [one.infoHash, two.infoHash],
      )
      assert.equal(owner.index.set(swarm.publicKey, v1), false, 'versions only go forward')

      await owner.close()
      const aliceGets = nextIndex(alice)
      alice.addPeer(one.infoHash, `${LOOPBACK}:${bob.port}`)
      const relayed = await aliceGets
      assert.equal(relayed.version, 2, "bob relayed the owner's index")
      assert.ok(openIndex(relayed.bytes, swarm.publicKey).ok)
    } finally {
      await Promise.allSettled([owner.close(), alice.close(), bob.close()])
    }
  })

  it('a removed member is cut off at once by the owner and by up-to-date members, and refused after', async () => {
    const src = temp('rev-src')
    const [owner, alice, bob] = await Promise.all([Engine.start(), Engine.start(), Engine.start()])
    try {
      const one = await owner.seed(randomFile(src, 'one.bin', 64 * 1024).path, membership('owner'))
      const v1 = publish(1, [one.info])
      for (const e of [owner, alice, bob]) assert.ok(e.index.set(swarm.publicKey, v1))
      await alice.add(one.info, temp('rev-alice'), membership('alice'), { peers: [`${LOOPBACK}:${owner.port}`] })
      await bob.add(one.info, temp('rev-bob'), membership('bob'), {
        peers: [`${LOOPBACK}:${owner.port}`, `${LOOPBACK}:${alice.port}`],
      })
      await Promise.all([alice.whenDone(one.infoHash), bob.whenDone(one.infoHash)])
      const aliceKey = Buffer.from(people.alice.publicKey).toString('hex')
      const peerOf = (e: Engine) => e.torrentSummary(one.infoHash).peers.find((p) => p.member === aliceKey)
      assert.equal(peerOf(owner)?.state, 'authorized')
      await until(() => peerOf(bob)?.state === 'authorized', 10_000, 'bob and alice connected')

      const refused: string[] = []
      for (const [name, e] of [
        ['owner', owner],
        ['bob', bob],
      ] as const) {
        // Only alice is removed, so a 'revoked' refusal can only be about her.
        e.on('peer', (ev: PeerEvent) => {
          if (ev.peer.state === 'refused') refused.push(`${name}:${ev.peer.reason}`)
        })
      }
      assert.ok(owner.index.set(swarm.publicKey, publish(2, [one.info], ['alice'])), 'the owner removes alice')
      await until(
        () => refused.includes('owner:revoked') && refused.includes('bob:revoked'),
        15_000,
        'owner and bob to refuse alice',
      ).catch((e) => {
        throw new Error(`${e.message}: ${refused.join()} bob has v${bob.index.get(swarm.publicKey)?.version}`)
      })
      await until(
        () => peerOf(owner) === undefined && peerOf(bob) === undefined,
        10_000,
        "alice's connections to close",
      )
      // Alice dials again: refused at the handshake, for the same reason.
      refused.length = 0
      alice.addPeer(one.infoHash, `${LOOPBACK}:${owner.port}`)
      await until(() => refused.includes('owner:revoked'), 15_000, 'the owner to refuse alice again')
      assert.equal(alice.index.get(swarm.publicKey)?.version, 1, 'alice never got the index that removed her')
    } finally {
      await Promise.allSettled([owner.close(), alice.close(), bob.close()])
    }
  })

  it('a group the node forgot (left or deleted) is not held, and what its still-open connections send is not taken', async () => {
    const src = temp('forget-src')
    const [owner, bob] = await Promise.all([Engine.start(), Engine.start()])
    try {
      const one = await owner.seed(randomFile(src, 'one.bin', 64 * 1024).path, membership('owner'))
      const v1 = publish(1, [one.info])
      for (const e of [owner, bob]) assert.ok(e.index.set(swarm.publicKey, v1))
      await bob.add(one.info, temp('forget-bob'), membership('bob'))
      bob.addPeer(one.infoHash, `${LOOPBACK}:${owner.port}`)
      await bob.whenDone(one.infoHash)
      assert.deepEqual(bob.index.groups(), [Buffer.from(swarm.publicKey).toString('hex')])
      bob.index.forget(swarm.publicKey)
      assert.equal(bob.index.get(swarm.publicKey), undefined)
      assert.deepEqual(bob.index.groups(), [])
      // The connection is still open (the node removes the torrents first; here it does not):
      // a newer index the owner announces on it must not come back.
      let taken = 0
      bob.index.on('index', () => void taken++)
      assert.ok(owner.index.set(swarm.publicKey, publish(2, [one.info])))
      // Proves an absence: on an open connection a newer index arrives well within this.
      const FORGOTTEN_QUIET_MS = 1_500
      await new Promise((r) => setTimeout(r, FORGOTTEN_QUIET_MS))
      assert.equal(taken, 0, `an index came back within ${FORGOTTEN_QUIET_MS} ms of forgetting it`)
      assert.equal(bob.index.get(swarm.publicKey), undefined)
    } finally {
      await Promise.allSettled([owner.close(), bob.close()])
    }
  })
})
