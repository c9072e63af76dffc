// The group index between real engines on 127.0.0.1 (PROTOCOL.md §12.1): a member learns of a new
// share from the owner over a connection of an older torrent, and from another member when the
// owner is offline; what it learns is the owner's signed index, byte for byte.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { Engine, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { openIndex, publishIndex, type GroupIndex } from '../protocol/group-index.js'
import { DAY, keyPair, seed } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, tempDir } from '../testing/swarm.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('exchange swarm')
const people = { owner: keyPair('exchange owner'), alice: keyPair('exchange alice'), bob: keyPair('exchange bob') }
type Who = keyof typeof people
const certs = Object.fromEntries(Object.entries(people).map(([k, p]) => [k, issueCertificate(swarm, { member: p.publicKey, iat: now() - 60, exp: now() + DAY })])) as Record<Who, Uint8Array>
const membership = (who: Who): SwarmMembership => ({ swarm: swarm.publicKey, credential: { certificate: certs[who], secretKey: people[who].secretKey } })
const dirs: { remove(): void }[] = []
const temp = (label: string) => {
  const d = tempDir(label)
  dirs.push(d)
  return d.path
}
after(() => dirs.forEach((d) => d.remove()))

const publish = (version: number, torrents: Uint8Array[]) =>
  publishIndex(swarm, {
    version, iat: now(), name: 'Club', secret: seed('exchange secret'), torrents,
    members: (['alice', 'bob'] as const).map((w) => ({ key: people[w].publicKey, name: w })), revoked: [],
    certificates: [certs.alice, certs.bob],
  })

const nextIndex = (e: Engine, ms = 15_000) =>
  new Promise<GroupIndex>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no index within ${ms} ms`)), ms)
    e.index.once('index', (i: GroupIndex) => (clearTimeout(t), resolve(i)))
  })

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
      for (const [e, who] of [[alice, 'alice'], [bob, 'bob']] as const) {
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
      assert.deepEqual(got.infoHashes.map((h) => Buffer.from(h).toString('hex')), [one.infoHash, two.infoHash])
      assert.equal(owner.index.set(swarm.publicKey, v1), false, 'versions only go forward')

      await owner.close()
      const aliceGets = nextIndex(alice)
      alice.addPeer(one.infoHash, `${LOOPBACK}:${bob.port}`)
      const relayed = await aliceGets
      assert.equal(relayed.version, 2, 'bob relayed the owner\'s index')
      assert.ok(openIndex(relayed.bytes, swarm.publicKey).ok)
    } finally {
      await Promise.allSettled([owner.close(), alice.close(), bob.close()])
    }
  })
})
