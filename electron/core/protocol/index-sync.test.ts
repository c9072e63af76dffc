// Two members passing the group index over one connection (PROTOCOL.md §12.1), driven directly:
// the newer version crosses in parts and is verified whole; nothing else is kept.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from './canonical.js'
import { INFO_SWARM_KEY } from './constants.js'
import { openIndex, publishIndex, type GroupIndex, type GroupIndexContent } from './group-index.js'
import { INDEX_PART_BYTES, IndexSync, isIndexPayload, type SyncOutput } from './index-sync.js'
import { NOW, seed, world } from '../testing/fixtures.js'
import { assertOk } from '../testing/assert-result.js'

const w = world('sync')
const S = w.swarm.publicKey
// A torrent with 2,000 pieces: its info dictionary alone is ~40 KB, so the index needs parts.
const bigInfo = encode({
  length: 2000 * 16384,
  name: new TextEncoder().encode('big.bin'),
  'piece length': 16384,
  pieces: new Uint8Array(2000 * 20).fill(3),
  [INFO_SWARM_KEY]: S,
})
const index = (version: number, over: Partial<GroupIndexContent> = {}): GroupIndex => {
  const r = openIndex(
    publishIndex(w.swarm, {
      version,
      iat: NOW,
      name: 'Club',
      secret: seed('sync secret'),
      torrents: [w.info],
      members: [{ key: w.alice.publicKey, name: 'Alice' }],
      revoked: [],
      certificates: [w.aliceCert],
      ...over,
    }),
    S,
  )
  assertOk(r)
  return r.value
}

/** Runs both sides until neither has anything to send; returns what each side accepted. */
function run(a: IndexSync, b: IndexSync, tamper?: (m: Uint8Array) => Uint8Array) {
  const accepted: { a: GroupIndex[]; b: GroupIndex[] } = { a: [], b: [] }
  const ignored: string[] = []
  let queue: { to: 'a' | 'b'; m: Uint8Array }[] = [
    ...a.announce().map((m) => ({ to: 'b' as const, m })),
    ...b.announce().map((m) => ({ to: 'a' as const, m })),
  ]
  let steps = 0
  while (queue.length > 0) {
    assert.ok(++steps < 10_000, 'the exchange ends')
    const { to, m } = queue.shift()!
    const out: SyncOutput = (to === 'a' ? a : b).onPayload(tamper ? tamper(m) : m)
    if (out.accepted) accepted[to].push(out.accepted)
    if (out.ignored) ignored.push(out.ignored)
    queue = [...queue, ...out.send.map((x) => ({ to: to === 'a' ? ('b' as const) : ('a' as const), m: x }))]
  }
  return { accepted, ignored, steps }
}

describe('index sync between two members', () => {
  it('fetches a newer index in parts and verifies it whole; the holder of the newer gets nothing', () => {
    const v2 = index(2, { torrents: [w.info, bigInfo] })
    assert.ok(v2.bytes.length > 5 * INDEX_PART_BYTES)
    const a = new IndexSync(S, () => v2)
    const b = new IndexSync(S, () => index(1))
    const r = run(a, b)
    assert.equal(r.accepted.b.length, 1)
    assert.equal(r.accepted.b[0]!.version, 2)
    assert.deepEqual(r.accepted.b[0]!.bytes, v2.bytes)
    assert.equal(r.accepted.a.length, 0)
    assert.deepEqual(r.ignored, [])
  })

  it('fetches nothing that is not newer (a stale or equal version offered is ignored)', () => {
    const r = run(new IndexSync(S, () => index(1)), new IndexSync(S, () => index(3)))
    assert.equal(r.accepted.a.length, 1, 'a gets version 3')
    assert.equal(r.accepted.b.length, 0)
    const same = run(new IndexSync(S, () => index(2)), new IndexSync(S, () => index(2)))
    assert.equal(same.steps, 2, 'two announcements, nothing fetched')
  })

  it('keeps nothing when a part was altered in transit (the whole fails its signature)', () => {
    const v2 = index(2, { torrents: [w.info, bigInfo] })
    let parts = 0
    const r = run(new IndexSync(S, () => v2), new IndexSync(S, () => index(1)), (m) => {
      if (!new TextDecoder().decode(m).includes('10:index-part') || ++parts !== 3) return m
      const bad = m.slice()
      bad[100]! ^= 1 // a byte of the third part's data: deep inside the big torrent's piece hashes
      return bad
    })
    assert.equal(r.accepted.b.length, 0)
    assert.deepEqual(r.ignored, ['bad-signature'])
  })

  it('ignores parts it did not ask for, and junk', () => {
    const b = new IndexSync(S, () => index(1))
    const part = encode({ t: 'index-part', version: 5, offset: 0, total: 10, data: new Uint8Array(10) })
    assert.equal(b.onPayload(part).ignored, 'unexpected')
    assert.equal(b.onPayload(new TextEncoder().encode('d1:t5:indexe')).ignored, 'malformed')
    b.onPayload(encode({ t: 'index', version: 5 }))
    assert.equal(
      b.onPayload(encode({ t: 'index-part', version: 5, offset: 7, total: 10, data: new Uint8Array(3) })).ignored,
      'unexpected',
      'out of order',
    )
    assert.ok(isIndexPayload(part))
    assert.ok(!isIndexPayload(encode({ t: 'pex' })))
  })

  it('a member without an index asks, and answers no request', () => {
    const b = new IndexSync(S, () => undefined)
    assert.deepEqual(b.announce(), [])
    assert.equal(b.onPayload(encode({ t: 'index-get', version: 1, offset: 0 })).ignored, 'unexpected')
  })
})
