import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { createInvite, openInvite, type InviteContent } from './invite.js'
import { bytesToHex, concatBytes, utf8 } from './bytes.js'
import { decodeCanonical, encode, type Bencodable } from './canonical.js'
import { issueCertificate } from './certificate.js'
import {
  MAX_INVITE_BYTES,
  MAX_INVITE_PEERS,
  MAX_INVITE_TORRENTS,
  MAX_INVITE_TRACKERS,
  MAX_NAME_CHARS,
  MAX_TRACKER_URL_CHARS,
  ROLE,
} from './constants.js'
import { sign } from './signing.js'
import { infoHashOf } from './torrent-info.js'
import type { KeyPair } from './keys.js'
import { DAY, NOW, infoDict, keyPair, seed, world } from '../testing/fixtures.js'
import type { InviteErrorCode } from '../../../shared/protocol-codes.js'
import { assertOk } from '../testing/assert-result.js'

const w = world('invite')
const carol = keyPair('invite carol')
const secret = seed('invite group secret')
const eph = seed('invite ephemeral')
const PEERS = ['192.0.2.7:6881', '[2001:db8::1]:51413', 'seed.example.org:443']

/** Alice invites Bob (or `to`) into w's group with Bob's certificate, unless told otherwise. */
const content = (o: Partial<Omit<InviteContent, 'from'>> = {}): Omit<InviteContent, 'from'> => ({
  to: w.bob.publicKey,
  iat: NOW,
  group: { name: 'Film club', swarm: w.swarm.publicKey, secret },
  certificate: w.bobCert,
  torrents: [w.info],
  peers: PEERS,
  ...o,
})
const invite = (o: Partial<Omit<InviteContent, 'from'>> = {}, from: KeyPair = w.alice) =>
  createInvite({ inviter: from, swarm: w.swarm }, content(o), eph)

const codeOf = (file: Uint8Array, me: KeyPair = w.bob, now = NOW): InviteErrorCode | 'ok' => {
  const r = openInvite(file, me, now)
  if (r.ok) return 'ok'
  return r.error.code
}

// The seal, re-implemented from the format documented at the top of invite.ts, so the tests can
// build inner invites that createInvite would never produce (signed for someone else, unsigned...).
function seal(plaintext: Uint8Array, to: Uint8Array, ephemeralSecret = eph): Uint8Array {
  const recipientX = ed25519.utils.toMontgomery(to)
  const e = x25519.getPublicKey(ephemeralSecret)
  const k = hkdf(
    sha256,
    x25519.getSharedSecret(ephemeralSecret, recipientX),
    concatBytes(e, recipientX),
    encode(['coterie', 1, 'invite']),
    32,
  )
  const box = chacha20poly1305(k, new Uint8Array(12), utf8('coterie-invite')).encrypt(plaintext)
  return encode({ 'coterie-invite': 1, e, box })
}
/** The signed inner invite, with optional edits made after (`late`) or before signing. */
function inner(
  o: {
    to?: Uint8Array
    signer?: KeyPair
    owner?: KeyPair
    fields?: Record<string, Bencodable>
    late?: Record<string, Bencodable>
  } = {},
) {
  const signer = o.signer ?? w.alice
  const tbs = {
    v: 1,
    from: w.alice.publicKey,
    to: o.to ?? w.bob.publicKey,
    iat: NOW,
    group: { name: utf8('Film club'), swarm: w.swarm.publicKey, secret },
    cert: w.bobCert,
    torrents: [w.info],
    peers: PEERS.map(utf8),
    ...o.fields,
  }
  const owner = o.owner ?? w.swarm
  return encode({
    ...tbs,
    sig: sign(signer.secretKey, ROLE.inviter, encode(tbs)),
    owner: sign(owner.secretKey, ROLE.owner, encode(tbs)),
    ...o.late,
  })
}

describe('invites: round trip', () => {
  it('opens for its recipient with every field intact', () => {
    const r = openInvite(invite(), w.bob, NOW)
    assertOk(r)
    const v = r.value
    assert.deepEqual(v.from, w.alice.publicKey)
    assert.deepEqual(v.to, w.bob.publicKey)
    assert.equal(v.iat, NOW)
    assert.deepEqual(v.group, {
      name: 'Film club',
      swarm: w.swarm.publicKey,
      secret,
      announcePublic: false,
      trackers: [],
      ice: [],
    })
    assert.deepEqual(v.certificate, w.bobCert)
    assert.deepEqual(v.parsedCertificate.member, w.bob.publicKey)
    assert.deepEqual(v.torrents, [w.info])
    assert.deepEqual(v.infoHashes, [bytesToHex(infoHashOf(w.info))])
    assert.deepEqual(v.peers, PEERS)
  })

  it('keeps several torrents, no peers, and a non-ASCII group name', () => {
    const second = infoDict(w.swarm.publicKey, 'zweite Datei.mkv', 5000)
    const name = 'Ciné-club Ünïcode 映画 👨‍👩‍👧'
    const r = openInvite(
      invite({ group: { name, swarm: w.swarm.publicKey, secret }, torrents: [w.info, second], peers: [] }),
      w.bob,
      NOW,
    )
    assertOk(r)
    assert.equal(r.value.group.name, name)
    assert.deepEqual(r.value.peers, [])
    assert.deepEqual(
      r.value.infoHashes,
      [w.info, second].map((t) => bytesToHex(infoHashOf(t))),
    )
  })

  it('is reproducible from its injected ephemeral secret, and differs with another', () => {
    assert.deepEqual(invite(), invite())
    assert.notDeepEqual(
      createInvite({ inviter: w.alice, swarm: w.swarm }, content(), seed('other ephemeral')),
      invite(),
    )
  })

  it('refuses to create an invite with a bad peer address (a caller bug)', () => {
    for (const peer of [
      '',
      'host',
      'host:',
      'host:0',
      'host:65536',
      'a b:1',
      '1.2.3.4:port',
      'host:123456',
      '-host:1',
    ]) {
      assert.throws(() => invite({ peers: [peer] }), RangeError, peer)
    }
  })
})

describe('invites: the public flag and trackers', () => {
  const TRACKERS = [
    'udp://tracker.example.org:6969/announce',
    'https://[2001:db8::2]/announce',
    'http://127.0.0.1:8000/announce',
    'wss://tracker.example.org/announce',
    'ws://127.0.0.1:8000',
  ]
  const group = (extra: object) => ({ group: { name: 'Film club', swarm: w.swarm.publicKey, secret, ...extra } })

  it('carries the group’s ICE servers, signed; an invite without them reads as none', () => {
    const ice = ['stun:stun.example', 'turn:alice:pw@turn.example:3478']
    const r = openInvite(invite(group({ ice })), w.bob, NOW)
    assertOk(r)
    assert.deepEqual(r.value.group.ice, ice)
    const none = openInvite(invite(group({})), w.bob, NOW)
    assertOk(none)
    assert.deepEqual(none.value.group.ice, [])
    assert.throws(() => invite(group({ ice: ['turn:a:b:c@turn.example'] })), RangeError)
  })

  it('carries a public group and its trackers to the member', () => {
    const r = openInvite(invite(group({ announcePublic: true, trackers: TRACKERS })), w.bob, NOW)
    assertOk(r)
    assert.equal(r.value.group.announcePublic, true)
    assert.deepEqual(r.value.group.trackers, TRACKERS)
  })

  it('encodes a private group without trackers exactly as before the fields existed', () => {
    // Canonical form omits absent values, so older invites and new private ones are one format.
    const plain = invite()
    assert.deepEqual(invite(group({ announcePublic: false, trackers: [] })), plain)
    const opened = openInvite(plain, w.bob, NOW)
    assertOk(opened)
    assert.equal(opened.value.group.announcePublic, false)
    assert.deepEqual(opened.value.group.trackers, [])
    assert.equal(codeOf(seal(inner(), w.bob.publicKey)), 'ok', 'an invite made without the fields opens')
  })

  it('refuses a public flag other than 1 and a tracker list of the wrong shape or size as malformed', () => {
    const g = (extra: Record<string, Bencodable>) => ({
      fields: { group: { name: utf8('Film club'), swarm: w.swarm.publicKey, secret, ...extra } },
    })
    assert.equal(codeOf(seal(inner(g({ public: 1 })), w.bob.publicKey)), 'ok', 'the control')
    assert.equal(codeOf(seal(inner(g({ trackers: [utf8(TRACKERS[0]!)] })), w.bob.publicKey)), 'ok', 'the control')
    const extras: Record<string, Bencodable>[] = [
      { public: 0 },
      { public: 2 },
      { public: utf8('1') },
      { trackers: [] },
      { trackers: utf8(TRACKERS[0]!) },
      { trackers: [7] },
      { trackers: [new Uint8Array([0xff, 0xfe])] },
      { trackers: Array.from({ length: MAX_INVITE_TRACKERS + 1 }, (_, i) => utf8(`udp://t${i}.example:1`)) },
      { trackers: [utf8(`http://t.example/${'a'.repeat(MAX_TRACKER_URL_CHARS)}`)] },
    ]
    for (const extra of extras) {
      assert.equal(codeOf(seal(inner(g(extra)), w.bob.publicKey)), 'malformed', JSON.stringify(extra))
    }
  })

  it('opens an invite with a tracker outside the grammar, and never uses that tracker', () => {
    const ignored = [
      'WS://t.example/announce',
      'wss:/t.example/a',
      'udp://',
      'http://a b/announce',
      'file:///etc/passwd',
      'udp://t.example:1/\u00e9',
      'udp://t.example:0/announce',
      'udp://t.example:65536/announce',
      'http://256.1.1.1/announce',
    ]
    const raw = [...ignored, TRACKERS[0]!].map(utf8)
    const file = seal(
      inner({ fields: { group: { name: utf8('Film club'), swarm: w.swarm.publicKey, secret, trackers: raw } } }),
      w.bob.publicKey,
    )
    const r = openInvite(file, w.bob, NOW)
    assertOk(r)
    assert.deepEqual(r.value.group.trackers, [TRACKERS[0]], 'only the URL in the grammar')
  })

  it('refuses to create an invite with a bad tracker (a caller bug)', () => {
    for (const t of ['', 'ftp://t.example', 'udp://t.example:1 /x'])
      assert.throws(() => invite(group({ trackers: [t] })), RangeError, t)
    const many = Array.from({ length: MAX_INVITE_TRACKERS + 1 }, (_, i) => `udp://t${i}.example:1`)
    assert.throws(() => invite(group({ trackers: many })), RangeError)
  })

  it('binds the flag and the trackers to the signatures', () => {
    const { group: _g, ...rest } = decodeCanonical(inner(), MAX_INVITE_BYTES) as Record<string, Bencodable>
    const tampered = encode({
      ...rest,
      group: { name: utf8('Film club'), public: 1, secret, swarm: w.swarm.publicKey },
    })
    assert.equal(codeOf(seal(tampered, w.bob.publicKey)), 'bad-signature')
  })
})

describe('invites: the seal', () => {
  it('cannot be opened by anyone but the recipient', () => {
    const file = invite()
    for (const me of [w.alice, carol, w.swarm]) {
      const r = openInvite(file, me, NOW)
      assert.deepEqual(r, { ok: false, error: { code: 'cannot-open' } })
    }
  })

  it('never opens after a flipped bit, anywhere in the file', () => {
    const file = invite()
    for (let i = 0; i < file.length; i++) {
      const m = file.slice()
      m[i]! ^= 1 << (i % 8)
      const code = codeOf(m)
      assert.ok(['not-an-invite', 'damaged', 'unsupported-version', 'cannot-open'].includes(code), `byte ${i}: ${code}`)
    }
  })

  it('cut short anywhere after its first bytes, is damaged, not "not an invite"', () => {
    const file = invite()
    const start = 'd3:box'.length + String(file.length).length // past `d3:box<len>:` at the latest
    for (let n = start + 1; n < file.length; n++) assert.equal(codeOf(file.subarray(0, n)), 'damaged', `${n} bytes`)
    assert.equal(codeOf(file.subarray(0, 4)), 'not-an-invite') // too little left to tell
  })

  it('refuses empty input, garbage and other Coterie files as not-an-invite', () => {
    for (const f of [new Uint8Array(0), seed('garbage'), utf8('{"coterie-invite":1}'), w.bobCert, w.info, utf8('le')]) {
      assert.equal(codeOf(f), 'not-an-invite')
    }
    // Every field of the outer dictionary is required, and nothing more is allowed.
    const outer = decodeCanonical(invite(), MAX_INVITE_BYTES) as Record<string, Bencodable>
    const { e: _e, ...noE } = outer
    assert.equal(codeOf(encode(noE)), 'not-an-invite')
    assert.equal(codeOf(encode({ ...outer, extra: 1 })), 'not-an-invite')
    assert.equal(codeOf(encode(outer)), 'ok') // the control: re-encoding alone changes nothing
  })

  it('refuses a file larger than any invite as oversize, before parsing it', () => {
    assert.equal(codeOf(new Uint8Array(MAX_INVITE_BYTES + 1)), 'oversize')
  })

  it('refuses an outer version it does not know', () => {
    const outer = decodeCanonical(invite(), MAX_INVITE_BYTES) as Record<string, Bencodable>
    assert.equal(codeOf(encode({ ...outer, 'coterie-invite': 2 })), 'unsupported-version')
  })

  it('refuses a small-order ephemeral key as cannot-open', () => {
    const outer = decodeCanonical(invite(), MAX_INVITE_BYTES) as Record<string, Bencodable>
    assert.equal(codeOf(encode({ ...outer, e: new Uint8Array(32) })), 'cannot-open')
  })
})

describe('invites: what is inside the seal', () => {
  it('opens a hand-sealed invite (so the cases below test the checks, not the helper)', () => {
    assert.equal(codeOf(seal(inner(), w.bob.publicKey)), 'ok')
  })

  it('refuses an invite signed for someone else but sealed to me as wrong-recipient', () => {
    assert.equal(codeOf(seal(inner({ to: carol.publicKey }), w.bob.publicKey)), 'wrong-recipient')
  })

  it('refuses an altered or mis-signed invite as bad-signature', () => {
    assert.equal(codeOf(seal(inner({ signer: carol }), w.bob.publicKey)), 'bad-signature')
    assert.equal(codeOf(seal(inner({ late: { iat: NOW + 1 } }), w.bob.publicKey)), 'bad-signature')
    assert.equal(codeOf(seal(inner({ late: { peers: [] } }), w.bob.publicKey)), 'bad-signature')
  })

  it('refuses malformed contents and an unknown inner version', () => {
    assert.equal(codeOf(seal(utf8('not bencode'), w.bob.publicKey)), 'malformed')
    assert.equal(codeOf(seal(inner({ late: { sig: new Uint8Array(63) } }), w.bob.publicKey)), 'malformed')
    assert.equal(codeOf(seal(inner({ fields: { extra: 1 } }), w.bob.publicKey)), 'malformed')
    assert.equal(codeOf(seal(inner({ fields: { peers: [utf8('nowhere')] } }), w.bob.publicKey)), 'malformed')
    assert.equal(codeOf(seal(inner({ fields: { v: 2 } }), w.bob.publicKey)), 'unsupported-version')
  })
})

describe('invites: certificate and torrents', () => {
  it('refuses a certificate for another member, another swarm, or out of its validity', () => {
    assert.equal(codeOf(invite({ certificate: w.aliceCert })), 'certificate-invalid')
    assert.equal(codeOf(invite({ certificate: world('invite other').bobCert })), 'certificate-invalid')
    const expired = issueCertificate(w.swarm, { member: w.bob.publicKey, iat: NOW - 30 * DAY, exp: NOW - DAY })
    assert.equal(codeOf(invite({ certificate: expired })), 'certificate-invalid')
    // The same invite opened after Bob's certificate has lapsed.
    assert.equal(codeOf(invite(), w.bob, NOW + 40 * DAY), 'certificate-invalid')
    assert.equal(codeOf(invite({ certificate: utf8('junk') })), 'certificate-invalid')
  })

  it('refuses a torrent of another swarm, without a swarm key, or not canonical', () => {
    const { 'coterie-swarm': _s, ...bare } = decodeCanonical(w.info, 1024) as Record<string, Bencodable>
    // Right swarm key, but keys out of order: not canonical, so its infohash is not well defined.
    const unsorted = concatBytes(utf8('d6:lengthi1e13:coterie-swarm32:'), w.swarm.publicKey, utf8('e'))
    for (const t of [infoDict(world('invite other').swarm.publicKey), encode(bare), utf8('i1e'), unsorted]) {
      assert.equal(codeOf(invite({ torrents: [w.info, t] })), 'torrent-invalid')
    }
  })

  it('checks a scoped certificate covers every torrent', () => {
    const second = infoDict(w.swarm.publicKey, 'second.bin')
    const scoped = (...ts: Uint8Array[]) =>
      issueCertificate(w.swarm, { member: w.bob.publicKey, iat: NOW - DAY, exp: NOW + DAY, scope: ts.map(infoHashOf) })
    assert.equal(codeOf(invite({ certificate: scoped(w.info), torrents: [w.info] })), 'ok')
    assert.equal(codeOf(invite({ certificate: scoped(w.info), torrents: [w.info, second] })), 'certificate-invalid')
    assert.equal(codeOf(invite({ certificate: scoped(second), torrents: [w.info] })), 'certificate-invalid')
    assert.equal(codeOf(invite({ certificate: scoped(w.info, second), torrents: [second, w.info] })), 'ok')
  })
})

describe('invite authority', () => {
  it("refuses an invite forged by someone who holds the member's certificate but not the group key", () => {
    // Mallory got Bob's certificate (Bob shows it to every peer he proves himself to) and sends
    // Bob an invite with her own group secret and peers: it must not open.
    const mallory = keyPair('invite mallory')
    const forged = seal(
      inner({
        signer: mallory,
        owner: mallory,
        fields: {
          from: mallory.publicKey,
          group: { name: utf8('Film club'), swarm: w.swarm.publicKey, secret: seed('mallory secret') },
        },
      }),
      w.bob.publicKey,
    )
    assert.equal(codeOf(forged), 'not-from-owner')
    assert.equal(codeOf(seal(inner(), w.bob.publicKey)), 'ok', "the same construction with the owner's signature opens")
  })

  it('will not sign for a group whose key it does not hold', () => {
    assert.throws(() => createInvite({ inviter: w.alice, swarm: carol }, content(), eph), RangeError)
  })

  it('tells a newer invite from a broken one', () => {
    assert.equal(codeOf(seal(inner({ fields: { v: 2, extra: 1 } }), w.bob.publicKey)), 'unsupported-version')
    assert.equal(
      codeOf(encode({ 'coterie-invite': 2, e: new Uint8Array(32), box: new Uint8Array(40), more: 1 })),
      'unsupported-version',
    )
  })
})

describe('invite limits', () => {
  it('never creates an invite its recipient finds malformed', () => {
    const peers = Array.from({ length: MAX_INVITE_PEERS + 1 }, (_, i) => `10.0.0.${i}:6881`)
    const torrents = Array.from({ length: MAX_INVITE_TORRENTS + 1 }, () => w.info)
    const named = (name: string) => ({ group: { name, swarm: w.swarm.publicKey, secret } })
    for (const o of [named('x'.repeat(MAX_NAME_CHARS + 1)), named(''), { peers }, { torrents }]) {
      let file: Uint8Array
      try {
        file = invite(o)
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e))
        continue
      }
      assert.fail(`created an invite its recipient cannot open: ${codeOf(file)}`)
    }
  })
})
