// Renewal for a member whose certificate expired (PROTOCOL.md §13.3), driven directly: who gets
// the index pushed, and that the pushed parts are a whole index to a receiver that asks for none.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from './canonical.js'
import { issueCertificate } from './certificate.js'
import { CLOCK_SKEW_S, INFO_SWARM_KEY, MAX_MESSAGE_BYTES } from './constants.js'
import { openIndex, publishIndex, type GroupIndex, type GroupIndexContent } from './group-index.js'
import { INDEX_PART_BYTES, IndexSync } from './index-sync.js'
import { renewalFor, renewalPayloads } from './renewal.js'
import { encodeSealedMessage, TAG_BYTES } from './transfer.js'
import { DAY, NOW, keyPair, seed, world } from '../testing/fixtures.js'
import { assertOk } from '../testing/assert-result.js'

const w = world('renewal')
const S = w.swarm.publicKey
const carol = keyPair('renewal carol')
// Alice's certificate in w expired at NOW + 30 days; the owner renewed it before that.
const LATER = NOW + 31 * DAY + CLOCK_SKEW_S
const renewed = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW + 15 * DAY, exp: NOW + 45 * DAY })
const index = (over: Partial<GroupIndexContent> = {}): GroupIndex => {
  const r = openIndex(
    publishIndex(w.swarm, {
      version: 4,
      iat: NOW,
      name: 'Club',
      secret: seed('renewal secret'),
      torrents: [w.info],
      members: [
        { key: w.alice.publicKey, name: 'Alice' },
        { key: w.bob.publicKey, name: 'Bob' },
      ],
      revoked: [carol.publicKey],
      certificates: [renewed, w.bobCert],
      ...over,
    }),
    S,
  )
  assertOk(r)
  return r.value
}

describe('which lapsed member gets the index (renewalFor)', () => {
  it('a member the index renews: listed, not revoked, with a certificate valid now', () => {
    assert.ok(renewalFor(index(), w.alice.publicKey, LATER))
  })
  it('not a member whose certificate in the index expired too (nothing to renew it with)', () => {
    assert.ok(!renewalFor(index(), w.bob.publicKey, LATER))
    assert.ok(!renewalFor(index(), w.alice.publicKey, NOW + 45 * DAY + CLOCK_SKEW_S), 'the renewal itself expired')
  })
  it('not a revoked key, nor one the index does not list, nor without an index', () => {
    assert.ok(!renewalFor(index(), carol.publicKey, LATER))
    assert.ok(!renewalFor(index(), keyPair('renewal stranger').publicKey, LATER))
    assert.ok(!renewalFor(undefined, w.alice.publicKey, LATER))
  })
  it('not a listed member the index holds no certificate for', () => {
    assert.ok(!renewalFor(index({ certificates: [w.bobCert] }), w.alice.publicKey, LATER))
  })
})

describe('the pushed index (renewalPayloads)', () => {
  // A torrent with 2,000 pieces: its info dictionary alone is ~40 KB, so the index needs parts.
  const bigInfo = encode({
    length: 2000 * 16384,
    name: new TextEncoder().encode('big.bin'),
    'piece length': 16384,
    pieces: new Uint8Array(2000 * 20).fill(3),
    [INFO_SWARM_KEY]: S,
  })
  const big = index({ torrents: [w.info, bigInfo] })

  it('is the announcement and every part in order, each within a sealed message', () => {
    const out = renewalPayloads(big)
    assert.equal(out.length, 1 + Math.ceil(big.bytes.length / INDEX_PART_BYTES))
    assert.ok(out.length > 3)
    for (const p of out)
      assert.ok(encodeSealedMessage(new Uint8Array(p.length + TAG_BYTES)).length <= MAX_MESSAGE_BYTES)
  })

  it('is a whole index to a receiver that asks for nothing, and verified by it alone', () => {
    const receiver = new IndexSync(S, () => undefined)
    const outs = renewalPayloads(big).map((p) => receiver.onPayload(p))
    const accepted = outs.map((o) => o.accepted).filter((a) => a !== undefined)
    assert.equal(accepted.length, 1)
    assert.deepEqual(accepted[0]!.bytes, big.bytes)
    assert.ok(accepted[0]!.certificateOf.has(Buffer.from(w.alice.publicKey).toString('hex')))
    assert.ok(outs.every((o) => o.ignored === undefined))
  })

  it('is ignored if it is not newer than what the receiver holds, or not signed by the swarm key', () => {
    const held = new IndexSync(S, () => big)
    assert.ok(
      renewalPayloads(big)
        .map((p) => held.onPayload(p))
        .every((o) => o.accepted === undefined),
    )
    const other = world('renewal other')
    const forged = openIndex(
      publishIndex(other.swarm, {
        version: 9,
        iat: NOW,
        name: 'Club',
        secret: seed('x'),
        torrents: [],
        members: [{ key: w.alice.publicKey, name: 'A' }],
        revoked: [],
        certificates: [],
      }),
      other.swarm.publicKey,
    )
    assertOk(forged)
    const receiver = new IndexSync(S, () => undefined)
    const outs = renewalPayloads(forged.value).map((p) => receiver.onPayload(p))
    assert.ok(outs.every((o) => o.accepted === undefined))
    assert.equal(outs.at(-1)!.ignored, 'wrong-group')
  })
})
