// The group index (PROTOCOL.md §12): what a member accepts from a peer relaying it, and what it
// ignores: forged, tampered, foreign, stale and malformed versions.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { decodeCanonical, encode, type Decoded } from './canonical.js'
import { issueCertificate } from './certificate.js'
import { acceptIndex, isRevoked, openIndex, publishIndex, supersedes, type GroupIndexContent } from './group-index.js'
import { signingInput } from './signing.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { DAY, NOW, infoDict, keyPair, seed, world } from '../testing/fixtures.js'
import { assertOk, assertErr } from '../testing/assert-result.js'

const w = world('index')
const carol = keyPair('index carol')
const content = (over: Partial<GroupIndexContent> = {}): GroupIndexContent => ({
  version: 1,
  iat: NOW,
  name: 'Film club',
  secret: seed('index secret'),
  torrents: [w.info, infoDict(w.swarm.publicKey, 'second.mkv', 5000)],
  members: [
    { key: w.bob.publicKey, name: 'Bob' },
    { key: w.alice.publicKey, name: 'Alice' },
  ],
  revoked: [carol.publicKey],
  certificates: [w.aliceCert, w.bobCert],
  ...over,
})
const code = (r: ReturnType<typeof openIndex>) => (r.ok ? 'ok' : r.error.code)

describe('group index', () => {
  it('round-trips what the owner published, members sorted, certificates by member', () => {
    const bytes = publishIndex(w.swarm, content())
    const r = openIndex(bytes, w.swarm.publicKey)
    assertOk(r)
    assert.equal(r.value.version, 1)
    assert.equal(r.value.name, 'Film club')
    assert.equal(r.value.infoHashes.length, 2)
    assert.deepEqual(r.value.members.map((m) => m.name).sort(), ['Alice', 'Bob'])
    assert.equal(r.value.certificateOf.size, 2)
    assert.ok(isRevoked(r.value, carol.publicKey))
    assert.ok(!isRevoked(r.value, w.alice.publicKey))
    assert.deepEqual(r.value.bytes, bytes)
  })

  it('rejects any flipped bit (sampled over the whole encoding)', () => {
    const bytes = publishIndex(w.swarm, content())
    for (let k = 0; k < 300; k++) {
      const at = Math.floor((k * 7919) % (bytes.length * 8))
      const bad = bytes.slice()
      bad[at >> 3]! ^= 1 << (at & 7)
      assert.notEqual(code(openIndex(bad, w.swarm.publicKey)), 'ok', `bit ${at}`)
    }
  })

  it('is ignored when forged, foreign, or when its parts belong elsewhere', () => {
    const other = keyPair('index other swarm')
    assert.equal(
      code(openIndex(publishIndex(other, content({ torrents: [], certificates: [] })), w.swarm.publicKey)),
      'wrong-group',
    )
    // A peer re-signing the owner's content with its own key, swarm field unchanged.
    const { sig: _sig, ...tbs } = { ...decodedFields(publishIndex(w.swarm, content())) }
    const forged = encode({ ...tbs, sig: ed25519.sign(signingInput('index', encode(tbs)), other.secretKey) })
    assert.equal(code(openIndex(forged, w.swarm.publicKey)), 'bad-signature')
    // The swarm key signing for another role (a certificate's) does not make an index.
    const asCert = encode({ ...tbs, sig: ed25519.sign(signingInput('swarm', encode(tbs)), w.swarm.secretKey) })
    assert.equal(code(openIndex(asCert, w.swarm.publicKey)), 'bad-signature')
    assert.throws(() => publishIndex(w.swarm, content({ torrents: [infoDict(other.publicKey)] })), /torrent-invalid/)
    const foreignCert = issueCertificate(other, { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY })
    assert.throws(() => publishIndex(w.swarm, content({ certificates: [foreignCert] })), /certificate-invalid/)
    const strangerCert = issueCertificate(w.swarm, { member: carol.publicKey, iat: NOW, exp: NOW + DAY })
    assert.throws(
      () => publishIndex(w.swarm, content({ certificates: [strangerCert] })),
      /certificate-invalid/,
      'a revoked key gets no certificate',
    )
  })

  it('refuses a member who is also revoked, duplicates, and a version below 1', () => {
    assert.throws(() => publishIndex(w.swarm, content({ revoked: [w.alice.publicKey] })), /malformed/)
    assert.throws(() => publishIndex(w.swarm, content({ torrents: [w.info, w.info] })), /malformed/)
    assert.throws(() => publishIndex(w.swarm, content({ certificates: [w.aliceCert, w.aliceCert] })), /malformed/)
    assert.throws(() => publishIndex(w.swarm, content({ version: 0 })), RangeError)
  })

  it('goes only forward: an older or equal version is stale, a newer one replaces it', () => {
    const v1 = openIndex(publishIndex(w.swarm, content()), w.swarm.publicKey)
    assertOk(v1)
    const v2 = publishIndex(w.swarm, content({ version: 2, torrents: [w.info] }))
    const r = acceptIndex(v1.value, v2, w.swarm.publicKey)
    assertOk(r)
    assertErr(acceptIndex(r.value, publishIndex(w.swarm, content()), w.swarm.publicKey))
    const replay = acceptIndex(r.value, v2, w.swarm.publicKey)
    assertErr(replay, 'stale')
    assert.ok(supersedes(undefined, r.value))
  })

  it('tells a newer format and junk apart', () => {
    const newer = encode({ ...decodedFields(publishIndex(w.swarm, content())), v: 2 })
    assert.equal(code(openIndex(newer, w.swarm.publicKey)), 'unsupported-version')
    assert.equal(code(openIndex(new TextEncoder().encode('d1:ai1ee'), w.swarm.publicKey)), 'malformed')
    assert.equal(code(openIndex(new Uint8Array(16 * 1024 * 1024 + 1), w.swarm.publicKey)), 'oversize')
  })

  it('carries the group’s trackers, absent when there are none (an index from before them reads as none)', () => {
    const urls = ['udp://tracker.example:6969/announce', 'https://t.example/announce']
    const r = openIndex(publishIndex(w.swarm, content({ trackers: [...urls, urls[0]!] })), w.swarm.publicKey)
    assertOk(r)
    assert.deepEqual(r.value.trackers, urls, 'in the owner’s order, once each')
    const none = publishIndex(w.swarm, content({ trackers: [] }))
    assert.equal('trackers' in decodedFields(none), false, 'canonical: absent, not an empty list')
    assert.deepEqual(publishIndex(w.swarm, content()), none, 'the same bytes as before trackers existed')
    const opened = openIndex(none, w.swarm.publicKey)
    assertOk(opened)
    assert.deepEqual(opened.value.trackers, [])
    assert.throws(() => publishIndex(w.swarm, content({ trackers: ['ftp://t.example'] })), /trackers/)
  })

  it('carries the group’s ICE servers, absent when none; bounded; a URL outside §7.1 is ignored', () => {
    const ice = ['stun:stun.example:3478', 'turn:u%3Ax:p%40y@turn.example?transport=tcp']
    const r = openIndex(publishIndex(w.swarm, content({ ice: [...ice, ice[0]!] })), w.swarm.publicKey)
    assertOk(r)
    assert.deepEqual(r.value.ice, ice, 'in the owner’s order, once each')
    assert.equal('ice' in decodedFields(publishIndex(w.swarm, content({ ice: [] }))), false, 'absent, not empty')
    assertOk(openIndex(publishIndex(w.swarm, content()), w.swarm.publicKey))
    assert.throws(() => publishIndex(w.swarm, content({ ice: ['stuns:stun.example'] })), /ICE/)
    const many = Array.from({ length: 9 }, (_, i) => `stun:s${i}.example`)
    assert.throws(() => publishIndex(w.swarm, content({ ice: many })), /ICE/)
    const te = new TextEncoder()
    const signed = (list: Decoded) => {
      const { sig: _sig, ...tbs } = decodedFields(publishIndex(w.swarm, content()))
      const body = { ...tbs, ice: list }
      return encode({ ...body, sig: ed25519.sign(signingInput('index', encode(body)), w.swarm.secretKey) })
    }
    assert.equal(code(openIndex(signed([]), w.swarm.publicKey)), 'malformed')
    assert.equal(code(openIndex(signed(many.map((u) => te.encode(u))), w.swarm.publicKey)), 'malformed')
    assert.equal(code(openIndex(signed([te.encode(`stun:${'a'.repeat(300)}`)]), w.swarm.publicKey)), 'malformed')
    const ignored = openIndex(
      signed(['stuns:x.example', 'stun:ok.example'].map((u) => te.encode(u))),
      w.swarm.publicKey,
    )
    assertOk(ignored)
    assert.deepEqual(ignored.value.ice, ['stun:ok.example'])
  })

  it('is malformed when its tracker list is empty or not texts; ignores a URL outside the grammar', () => {
    const signed = (trackers: Decoded) => {
      const { sig: _sig, ...tbs } = decodedFields(publishIndex(w.swarm, content()))
      const body = { ...tbs, trackers }
      return encode({ ...body, sig: ed25519.sign(signingInput('index', encode(body)), w.swarm.secretKey) })
    }
    const te = new TextEncoder()
    assert.equal(
      code(openIndex(signed([te.encode('udp://ok.example:1')]), w.swarm.publicKey)),
      'ok',
      'the helper signs what is valid',
    )
    assert.equal(code(openIndex(signed([]), w.swarm.publicKey)), 'malformed')
    assert.equal(code(openIndex(signed([3]), w.swarm.publicKey)), 'malformed')
    // One URL this reader cannot use costs nothing but that URL: the index, with its renewals and
    // revocations, is still taken (PROTOCOL.md §7.1).
    const r = openIndex(
      signed(
        ['wss//x.example', 'file:///etc/passwd', 'udp://ok.example:1', 'udp://ok.example:70000'].map((t) =>
          te.encode(t),
        ),
      ),
      w.swarm.publicKey,
    )
    assertOk(r)
    assert.deepEqual(r.value.trackers, ['udp://ok.example:1'])
  })
})

/** The fields the owner signed, as the canonical decoder gives them back (to re-encode altered). */
const decodedFields = (bytes: Uint8Array) => decodeCanonical(bytes, bytes.length) as { [key: string]: Decoded }
