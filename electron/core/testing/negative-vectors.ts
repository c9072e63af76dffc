/**
 * The negative half of the protocol test vectors (electron/core/protocol/vectors/protocol-v1.json,
 * key `negative`): inputs a second implementation must refuse, each with the code it must give, in
 * the check orders of docs/PROTOCOL.md (§4.2 key texts, §4.4 certificates, §3 strict Ed25519, §2
 * bencode bounds, §5.1 hellos, §5.3 proofs and the state tables, §6.4 indexes, §7 invites, §7.1
 * peer and tracker grammar), plus the positive shapes the first vectors lacked (several records
 * each way, IPv6 and hostname peers with several trackers, an index carrying its rendezvous, BEP 10
 * frames). Everything comes from fixed seeds, so the file is rebuilt byte for byte by the tests.
 * Malformed structures are built here by hand (encode, then sign or seal exactly as the spec says):
 * the reference's own writers refuse to make them.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { bech32m } from '@scure/base'
import { bytesToHex } from '@noble/hashes/utils.js'
import { concatBytes, utf8 } from '../protocol/bytes.js'
import { decodeCanonical, encode, type Bencodable } from '../protocol/canonical.js'
import { issueCertificate } from '../protocol/certificate.js'
import {
  CLOCK_SKEW_S,
  DOMAIN,
  EXTENSION_NAME,
  HRP,
  MAX_CERTIFICATE_BYTES,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  ROLE,
} from '../protocol/constants.js'
import { Handshake, type HandshakeStep, type PeerVerdict, type SelfVerdict } from '../protocol/handshake.js'
import { keyToText, type KeyPair } from '../protocol/keys.js'
import { publishIndex } from '../protocol/group-index.js'
import { rendezvousTorrent } from '../protocol/rendezvous.js'
import { deriveKeys, ephemeralFromSecret, seal } from '../protocol/session.js'
import { signingInput, sign } from '../protocol/signing.js'
import { SealedTransfer, encodeSealedMessage } from '../protocol/transfer.js'
import { DAY, NOW, infoDict, keyPair, seed } from './fixtures.js'

const hex = bytesToHex
const L = ed25519.Point.Fn.ORDER
const P = ed25519.Point.Fp.ORDER

export interface VectorWorld {
  readonly swarm: KeyPair
  readonly alice: KeyPair
  readonly bob: KeyPair
  readonly info: Uint8Array
  readonly infoHash: Uint8Array
  readonly aliceCert: Uint8Array
  readonly bobCert: Uint8Array
}

const le = (n: bigint, bytes = 32): Uint8Array => {
  const out = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn)
  return out
}
const fromLe = (b: Uint8Array): bigint => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n)

/** The verdicts as the vectors spell them: "pending", "authorized", "refused:<code>", ... */
const peerText = (v: PeerVerdict): string => (v.kind === 'refused' ? `refused:${v.code}` : v.kind)
const selfText = (v: SelfVerdict): string => (v.kind === 'refused' ? `refused:${v.code}` : v.kind)

// ---------------------------------------------------------------------------------------------
// §4.2 key texts

function keyTexts(w: VectorWorld) {
  const good = keyToText('identity', w.alice.publicKey)
  const data = good.slice(HRP.identity.length + 1)
  const swap = (at: number, c: string) => good.slice(0, at) + c + good.slice(at + 1)
  // A different valid data character in the middle, and two different neighbours swapped: the
  // checksum catches both.
  let at = HRP.identity.length + 1 + 10
  while (good[at] === good[at + 1]) at++
  const swapped = good.slice(0, at) + good[at + 1]! + good[at]! + good.slice(at + 2)
  const other = good[at] === 'q' ? 'p' : 'q'
  // 52 five-bit groups carry 260 bits, 4 more than the key: a text whose last group has a padding
  // bit set has a right checksum, yet is not an encoding the writer makes.
  const words = [...bech32m.toWords(w.alice.publicKey)]
  words[words.length - 1]! |= 1
  const padded = bech32m.encode(HRP.identity, words, 200)
  const identityPoint = new Uint8Array(32)
  identityPoint[0] = 1
  return [
    { kind: 'identity', text: good, expect: 'ok' },
    { kind: 'identity', text: `  ${good.slice(0, 30)}\n  ${good.slice(30)}\t`, expect: 'ok' },
    { kind: 'identity', text: good.toUpperCase(), expect: 'ok' },
    { kind: 'swarm', text: keyToText('swarm', w.swarm.publicKey), expect: 'ok' },
    { kind: 'identity', text: ' \n\t ', expect: 'empty' },
    { kind: 'identity', text: keyToText('swarm', w.swarm.publicKey), expect: 'wrong-kind' },
    { kind: 'swarm', text: good, expect: 'wrong-kind' },
    {
      kind: 'identity',
      text: keyToText('swarm', w.swarm.publicKey).toUpperCase().replace('E', 'e'),
      expect: 'wrong-kind',
    },
    { kind: 'identity', text: 'hello', expect: 'not-a-key' },
    { kind: 'identity', text: `bc1${data}`, expect: 'not-a-key' },
    { kind: 'identity', text: `1${data}`, expect: 'not-a-key' },
    { kind: 'identity', text: `coterle1${data}`, expect: 'bad-checksum' },
    { kind: 'identity', text: `cotarie1${data}`, expect: 'not-a-key' },
    { kind: 'identity', text: good[0]!.toUpperCase() + good.slice(1), expect: 'mixed-case' },
    { kind: 'identity', text: swap(at, 'b'), expect: 'bad-character' },
    { kind: 'identity', text: good.slice(0, -1), expect: 'truncated' },
    { kind: 'identity', text: `${good}q`, expect: 'too-long' },
    { kind: 'identity', text: swap(at, other), expect: 'bad-checksum' },
    { kind: 'identity', text: swapped, expect: 'bad-checksum' },
    { kind: 'identity', text: padded, expect: 'invalid-key' },
    { kind: 'identity', text: keyToText('identity', identityPoint), expect: 'invalid-key' },
  ]
}

// ---------------------------------------------------------------------------------------------
// §3 strict Ed25519

/** Ed25519 by hand (RFC 8032 §5.1.6) with A as given: how a mixed-order key's holder would sign. */
function signAs(secretKey: Uint8Array, publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  const { prefix, scalar } = ed25519.utils.getExtendedPublicKey(secretKey)
  const r = fromLe(sha512(concatBytes(prefix, message))) % L
  const R = ed25519.Point.BASE.multiply(r).toBytes()
  const k = fromLe(sha512(concatBytes(R, publicKey, message))) % L
  return concatBytes(R, le((r + k * scalar) % L))
}

function ed25519Cases(w: VectorWorld) {
  const role = ROLE.initiator
  const payload = seed('vector ed25519 payload')
  const message = signingInput(role, payload)
  const good = sign(w.alice.secretKey, role, payload)
  const R = good.subarray(0, 32)
  const S = fromLe(good.subarray(32))
  const point = (hexText: string) => Uint8Array.from(Buffer.from(hexText, 'hex'))
  const identity = le(1n)
  const order2 = le(P - 1n) // y = -1: (0, -1), order 2
  const order4 = le(0n) // y = 0: (sqrt(-1), 0), order 4
  const order8 = point('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
  const nonCanonicalIdentity = le(P + 1n) // y = p + 1 encodes y = 1 once reduced
  const zeroSig = concatBytes(identity, new Uint8Array(32)) // R = O, S = 0: "verifies" under any small-order key
  const mixed = ed25519.Point.fromBytes(w.alice.publicKey).add(ed25519.Point.fromBytes(order8)).toBytes()
  // R of small order, made by the key's holder: S = k·a, so [S]B = O + [k]A holds exactly.
  const { scalar } = ed25519.utils.getExtendedPublicKey(w.alice.secretKey)
  const kSmallR = fromLe(sha512(concatBytes(identity, w.alice.publicKey, message))) % L
  const smallR = concatBytes(identity, le((kSmallR * scalar) % L))
  const alice = hex(w.alice.publicKey)
  return {
    role,
    payload: hex(payload),
    message: hex(message),
    cases: [
      { why: 'an honest signature', publicKey: alice, signature: hex(good), keyValid: true, valid: true },
      {
        why: 'S + L: the same signature with a non-canonical S (S >= L)',
        publicKey: alice,
        signature: hex(concatBytes(R, le(S + L))),
        keyValid: true,
        valid: false,
      },
      {
        why: 'S = L',
        publicKey: alice,
        signature: hex(concatBytes(R, le(L))),
        keyValid: true,
        valid: false,
      },
      {
        why: 'R not a canonical encoding (y = p + 1)',
        publicKey: alice,
        signature: hex(concatBytes(nonCanonicalIdentity, good.subarray(32))),
        keyValid: true,
        valid: false,
      },
      {
        why: 'R of small order, signed by the key holder (RFC 8032 asks only that R be canonical)',
        publicKey: alice,
        signature: hex(smallR),
        keyValid: true,
        valid: true,
      },
      {
        why: 'public key: the identity (order 1), with R = O, S = 0',
        publicKey: hex(identity),
        signature: hex(zeroSig),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key of order 2, R = O, S = 0',
        publicKey: hex(order2),
        signature: hex(zeroSig),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key of order 4, R = O, S = 0',
        publicKey: hex(order4),
        signature: hex(zeroSig),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key of order 8, R = O, S = 0',
        publicKey: hex(order8),
        signature: hex(zeroSig),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key not a canonical encoding (y = p + 1, the identity)',
        publicKey: hex(nonCanonicalIdentity),
        signature: hex(zeroSig),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key with a torsion component (A + T8), signature by its holder: the cofactored equation holds',
        publicKey: hex(mixed),
        signature: hex(signAs(w.alice.secretKey, mixed, message)),
        keyValid: false,
        valid: false,
      },
      {
        why: 'public key that is not a point (y = 2 has no x)',
        publicKey: hex(le(2n)),
        signature: hex(good),
        keyValid: false,
        valid: false,
      },
      {
        why: 'a 63-byte signature',
        publicKey: alice,
        signature: hex(good.subarray(0, 63)),
        keyValid: true,
        valid: false,
      },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// §2 bencode bounds

function bencodeCases() {
  const t = (s: string) => hex(utf8(s))
  const nest = (n: number) => 'l'.repeat(n) + 'e'.repeat(n)
  return {
    maxBytes: 1024,
    accepted: [
      nest(33), // the top-level list and 32 levels below it
      'i9007199254740991e',
      'i-9007199254740991e',
      'i0e',
      '0:',
      'le',
      'de',
      'd1:ai1e1:bi2ee',
      'd3:\u00e9ai1ee',
    ].map(t),
    rejected: [
      { why: 'nested 33 levels below the top-level value', hex: t(nest(34)) },
      { why: 'above 2^53 - 1', hex: t('i9007199254740992e') },
      { why: 'below -(2^53 - 1)', hex: t('i-9007199254740992e') },
      { why: 'seventeen digits', hex: t('i10000000000000000e') },
      { why: 'a string length above 2^53 - 1', hex: t('9007199254740992:a') },
      { why: 'a string longer than the input', hex: t('5:abc') },
      { why: 'a negative string length (loops the common decoder)', hex: t('d1:a-3:e') },
      { why: 'a negative length', hex: t('-1:a') },
      { why: 'no digits', hex: t('ie') },
      { why: 'a plus sign', hex: t('i+1e') },
      { why: 'negative zero', hex: t('i-0e') },
      { why: 'a leading zero', hex: t('i01e') },
      { why: 'a length with a leading zero', hex: t('01:a') },
      { why: 'unterminated list', hex: t('l') },
      { why: 'unterminated dictionary', hex: t('d1:ai1e') },
      { why: 'a dictionary key that is not a string', hex: t('di1ei1ee') },
      {
        why: 'a dictionary key that is not UTF-8',
        hex: hex(concatBytes(utf8('d1:'), new Uint8Array([0xff]), utf8('i1ee'))),
      },
      { why: 'keys out of order', hex: t('d1:bi1e1:ai2ee') },
      { why: 'a repeated key', hex: t('d1:ai1e1:ai1ee') },
      { why: 'trailing bytes', hex: t('i1ei2e') },
      { why: 'empty input', hex: '' },
      { why: 'an unknown type byte', hex: t('x') },
      { why: 'over the context bound (1025 bytes)', hex: t(`1022:${'a'.repeat(1022)}`) },
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// §4.4 certificates

function certificateCases(w: VectorWorld) {
  const swarm = w.swarm
  const base = {
    v: PROTOCOL_VERSION,
    swarm: swarm.publicKey,
    member: w.alice.publicKey,
    iat: NOW - DAY,
    exp: NOW + 30 * DAY,
  }
  const signed = (tbs: Record<string, Bencodable | undefined>, by: KeyPair = swarm) =>
    encode({ ...tbs, sig: sign(by.secretKey, ROLE.swarm, encode(tbs)) })
  const good = signed(base)
  // The signature is the value of "sig"; flip its first byte, right after "3:sig64:".
  const sigAt = Buffer.from(good).indexOf('3:sig64:') + 8
  const badSig = good.slice()
  badSig[sigAt]! ^= 1
  const other = keyPair('vector other swarm')
  const order8 = Uint8Array.from(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'))
  const ih = hex(w.infoHash)
  const scoped = issueCertificate(swarm, {
    member: w.alice.publicKey,
    iat: NOW - DAY,
    exp: NOW + DAY,
    scope: [seed('vector scope').subarray(0, 20)],
  })
  const c = (why: string, cert: Uint8Array, expect: string, now = NOW, infoHash: string | null = ih) => ({
    why,
    hex: hex(cert),
    now,
    infoHash,
    expect,
  })
  return {
    swarm: hex(swarm.publicKey),
    cases: [
      c('the control: valid', good, 'ok'),
      c('6145 bytes', new Uint8Array(MAX_CERTIFICATE_BYTES + 1).fill(0x30), 'oversize'),
      c('not canonical (keys unsorted)', utf8('d1:vi1e3:expi1ee'), 'malformed'),
      c('not a dictionary', utf8('le'), 'malformed'),
      c(
        'v = 2 with a field v1 does not know: the version is read before the shape',
        encode({ ...base, v: 2, extra: 1, sig: new Uint8Array(64) }),
        'unsupported-version',
      ),
      c('v = 0', encode({ ...base, v: 0, sig: new Uint8Array(64) }), 'unsupported-version'),
      c('v a string', encode({ ...base, v: utf8('1'), sig: new Uint8Array(64) }), 'malformed'),
      c('no sig', encode(base), 'malformed'),
      c('an unknown field', signed({ ...base, note: utf8('hi') }), 'malformed'),
      c('member of 31 bytes', signed({ ...base, member: w.alice.publicKey.subarray(0, 31) }), 'malformed'),
      c('iat negative', signed({ ...base, iat: -1 }), 'malformed'),
      c('an empty scope', signed({ ...base, scope: [] }), 'malformed'),
      c('exp = iat', signed({ ...base, exp: base.iat }), 'malformed'),
      c(
        'scope unsorted',
        signed({ ...base, scope: [new Uint8Array(20).fill(2), new Uint8Array(20).fill(1)] }),
        'malformed',
      ),
      c(
        'scope repeated',
        signed({ ...base, scope: [new Uint8Array(20).fill(1), new Uint8Array(20).fill(1)] }),
        'malformed',
      ),
      c(
        'unsorted scope with a bad signature: the shape is checked first',
        encode({ ...base, scope: [new Uint8Array(20).fill(2), new Uint8Array(20).fill(1)], sig: new Uint8Array(64) }),
        'malformed',
      ),
      c('sig flipped', badSig, 'bad-certificate-signature'),
      c('signed by another key than its swarm field', signed(base, other), 'bad-certificate-signature'),
      c(
        'member of small order, correctly signed: the signature is checked before the member key',
        signed({ ...base, member: order8 }),
        'malformed',
      ),
      c(
        'member of small order, bad signature',
        encode({ ...base, member: order8, sig: new Uint8Array(64) }),
        'bad-certificate-signature',
      ),
      c('another swarm', signed({ ...base, swarm: other.publicKey }, other), 'wrong-swarm'),
      c(
        'another swarm and expired: the swarm is checked first',
        signed({ ...base, swarm: other.publicKey }, other),
        'wrong-swarm',
        NOW + 40 * DAY,
      ),
      c('first second of validity (iat - 300)', good, 'ok', base.iat - CLOCK_SKEW_S),
      c('one second before (iat - 301)', good, 'not-yet-valid', base.iat - CLOCK_SKEW_S - 1),
      c('last second of validity (exp + 299)', good, 'ok', base.exp + CLOCK_SKEW_S - 1),
      c('exp + 300', good, 'expired', base.exp + CLOCK_SKEW_S),
      c('out of scope', scoped, 'out-of-scope'),
      c('out of scope and expired: the expiry is checked first', scoped, 'expired', NOW + 2 * DAY),
      c('a scoped certificate with no infohash given (swarm membership only)', scoped, 'ok', NOW, null),
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// §5.1, §5.3 hellos, proofs and the state tables

interface Side {
  readonly role: 'initiator' | 'responder'
  readonly label: string
  readonly certificate?: Uint8Array
  readonly secretKey?: Uint8Array
}

function handshakeOf(w: VectorWorld, s: Side, revoked: readonly Uint8Array[] = []) {
  const credential =
    s.certificate === undefined
      ? undefined
      : { certificate: s.certificate, secretKey: s.secretKey ?? new Uint8Array(32) }
  return new Handshake({
    role: s.role,
    infoHash: w.infoHash,
    swarm: w.swarm.publicKey,
    credential,
    nonce: seed(`vector ${s.label} nonce`),
    ephemeralSecret: seed(`vector ${s.label} ephemeral`),
    isRevoked: (m) => revoked.some((r) => hex(r) === hex(m)),
  })
}

const sideJson = (s: Side) => ({
  role: s.role,
  nonce: hex(seed(`vector ${s.label} nonce`)),
  ephemeralSecret: hex(seed(`vector ${s.label} ephemeral`)),
  certificate: s.certificate === undefined ? null : hex(s.certificate),
  secretKey: s.secretKey === undefined ? null : hex(s.secretKey),
})

type Input =
  | { readonly hello: Uint8Array }
  | { readonly message: Uint8Array; readonly now?: number }
  | { readonly timeout: true }
  | { readonly recheck: number }

/**
 * Drives `subject` through `inputs` and records, for each, what it sent and its verdicts after:
 * a second implementation replays the inputs into its own state machine and compares.
 */
function run(subject: Handshake, inputs: readonly Input[]) {
  return inputs.map((input) => {
    let step: HandshakeStep
    let json: Record<string, unknown>
    if ('hello' in input) {
      step = subject.onPeerHello(decodeHello(input.hello))
      json = { hello: hex(input.hello) }
    } else if ('message' in input) {
      const now = input.now ?? NOW
      step = subject.onMessage(input.message, now)
      json = { message: hex(input.message), now }
    } else if ('timeout' in input) {
      step = subject.timeout()
      json = { timeout: true }
    } else {
      step = subject.recheck(input.recheck)
      json = { recheck: input.recheck }
    }
    return { ...json, send: step.send.map(hex), peer: peerText(subject.peer), self: selfText(subject.self) }
  })
}

// A hello is a bencode value inside the extended handshake; the vectors carry it encoded.
const decodeHello = (b: Uint8Array): unknown => decodeCanonical(b, 1 << 20)
const helloOf = (h: Handshake): Uint8Array => encode({ ...h.hello })

function handshakeCases(w: VectorWorld) {
  const carol = keyPair('vector carol')
  const other = keyPair('vector other swarm')
  const now = NOW
  const alice: Side = { role: 'initiator', label: 'case alice', certificate: w.aliceCert, secretKey: w.alice.secretKey }
  const bob: Side = { role: 'responder', label: 'case bob', certificate: w.bobCert, secretKey: w.bob.secretKey }
  const cert = (member: KeyPair, o: Partial<{ iat: number; exp: number; scope: Uint8Array[] }> = {}, by = w.swarm) =>
    issueCertificate(by, {
      member: member.publicKey,
      iat: o.iat ?? NOW - DAY,
      exp: o.exp ?? NOW + 30 * DAY,
      scope: o.scope,
    })

  /** R (bob) judging the first message of an initiator holding `init`: the proof checks of §5.3 in order. */
  const proofCase = (
    why: string,
    init: Side,
    expect: string,
    o: { revoked?: Uint8Array[]; tamper?: (m: Uint8Array) => Uint8Array; at?: number } = {},
  ) => {
    const i = handshakeOf(w, init)
    const r = handshakeOf(w, { ...bob, label: `${init.label} responder` }, o.revoked)
    const first = i.onPeerHello(decodeHello(helloOf(r))).send[0]!
    const message = o.tamper?.(first) ?? first
    const steps = run(r, [{ hello: helloOf(i) }, { message, now: o.at ?? now }])
    return {
      why,
      expect,
      responder: { ...sideJson({ ...bob, label: `${init.label} responder` }), revoked: (o.revoked ?? []).map(hex) },
      initiator: sideJson(init),
      steps,
    }
  }
  /** A proof whose plaintext is given: sealed under the right key and transcript, so only its content is wrong. */
  const customProof = (label: string, plaintext: Uint8Array): Side & { plaintext: Uint8Array } => ({
    role: 'initiator',
    label,
    certificate: w.aliceCert,
    secretKey: w.alice.secretKey,
    plaintext,
  })
  const sealedAs = (init: Side & { plaintext: Uint8Array }) => {
    const i = handshakeOf(w, init)
    const rSide: Side = { ...bob, label: `${init.label} responder` }
    const r = handshakeOf(w, rSide)
    i.onPeerHello(decodeHello(helloOf(r)))
    const keys = deriveKeys(ephemeralFromSecret(seed(`vector ${init.label} ephemeral`)), r.hello.e, i.transcript!)!
    const message = encode({ t: 'proof', box: seal(keys.initiatorToResponder, i.transcript!, init.plaintext) })
    return {
      why: '',
      expect: '',
      responder: { ...sideJson(rSide), revoked: [] },
      initiator: { ...sideJson(init), plaintext: hex(init.plaintext) },
      steps: run(r, [{ hello: helloOf(i) }, { message }]),
    }
  }
  const withWhy = <T extends object>(why: string, expect: string, x: T) => ({ ...x, why, expect })
  const bigCert = encode({ pad: new Uint8Array(MAX_CERTIFICATE_BYTES + 1) })
  const sigOver = (c: Uint8Array) => ({ cert: c, sig: new Uint8Array(64) })

  const proofs = [
    proofCase('a whole-swarm member: accepted', alice, 'authorized'),
    proofCase('box altered (last byte)', alice, 'refused:decrypt-failed', {
      tamper: (m) => {
        const t = m.slice()
        t[Buffer.from(m).indexOf(':', 3) + 6]! ^= 1 // a byte inside the box
        return t
      },
    }),
    withWhy(
      'plaintext not canonical',
      'refused:malformed',
      sealedAs(customProof('case plain noncanonical', utf8('d3:sig0:4:cert0:e'))),
    ),
    withWhy(
      'plaintext with an extra key',
      'refused:malformed',
      sealedAs(customProof('case plain extra', encode({ ...sigOver(w.aliceCert), x: 1 }))),
    ),
    withWhy(
      'sig of 63 bytes',
      'refused:malformed',
      sealedAs(customProof('case plain sig63', encode({ cert: w.aliceCert, sig: new Uint8Array(63) }))),
    ),
    withWhy(
      'a certificate over 6144 bytes inside the proof',
      'refused:oversize',
      sealedAs(customProof('case plain bigcert', encode(sigOver(bigCert)))),
    ),
    withWhy(
      'a certificate of version 2',
      'refused:unsupported-version',
      sealedAs(customProof('case plain v2', encode(sigOver(encode({ v: 2, future: 1 }))))),
    ),
    proofCase(
      'a certificate of another swarm (signed by that swarm)',
      { ...alice, label: 'case forged', certificate: cert(w.alice, {}, other).slice(), secretKey: w.alice.secretKey },
      'refused:wrong-swarm',
    ),
    proofCase(
      'a certificate with a flipped signature bit',
      {
        ...alice,
        label: 'case badcert',
        certificate: (() => {
          const c = w.aliceCert.slice()
          c[Buffer.from(c).indexOf('3:sig64:') + 8]! ^= 1
          return c
        })(),
      },
      'refused:bad-certificate-signature',
    ),
    proofCase(
      'a certificate not yet valid',
      { ...alice, label: 'case early', certificate: cert(w.alice, { iat: NOW + DAY, exp: NOW + 2 * DAY }) },
      'refused:not-yet-valid',
    ),
    proofCase(
      'an expired certificate (lapsed: the peer may be sent its renewal, §13.3)',
      { ...alice, label: 'case expired', certificate: cert(w.alice, { iat: NOW - 60 * DAY, exp: NOW - CLOCK_SKEW_S }) },
      'refused:expired',
    ),
    proofCase(
      'a certificate for other torrents',
      { ...alice, label: 'case scope', certificate: cert(w.alice, { scope: [seed('vector scope').subarray(0, 20)] }) },
      'refused:out-of-scope',
    ),
    proofCase(
      "someone else's certificate (Alice's, signed with Carol's key)",
      { ...alice, label: 'case stolen', secretKey: carol.secretKey },
      'refused:bad-proof-signature',
    ),
    proofCase('a revoked member', alice, 'refused:revoked', { revoked: [w.alice.publicKey] }),
    proofCase(
      "a revoked member's certificate shown by someone else: the signature is checked first",
      { ...alice, label: 'case stolen revoked', secretKey: carol.secretKey },
      'refused:bad-proof-signature',
      { revoked: [w.alice.publicKey] },
    ),
    proofCase(
      'a revoked member whose certificate expired: the expiry is checked first',
      {
        ...alice,
        label: 'case expired revoked',
        certificate: cert(w.alice, { iat: NOW - 60 * DAY, exp: NOW - CLOCK_SKEW_S }),
      },
      'refused:expired',
      { revoked: [w.alice.publicKey] },
    ),
    proofCase('no credential', { role: 'initiator', label: 'case nocred' }, 'refused:no-certificate'),
  ]

  // §5.1: the hellos a responder refuses, in the order of the checks.
  const helloCase = (why: string, hello: Bencodable, expect: string) => {
    const rSide: Side = { ...bob, label: 'case hello responder' }
    const r = handshakeOf(w, rSide)
    return { why, expect, responder: sideJson(rSide), steps: run(r, [{ hello: encode(hello) }]) }
  }
  const rHello = handshakeOf(w, { ...bob, label: 'case hello responder' }).hello
  const n = seed('vector case hello n')
  const e = handshakeOf(w, { ...alice, label: 'case hello initiator' }).hello.e
  const hellos = [
    helloCase('a good hello', { v: 1, n, e }, 'pending'),
    helloCase(
      'a share of the extended handshake of 257 bytes',
      { v: 1, n, e, pad: new Uint8Array(143) },
      'refused:oversize',
    ),
    helloCase(
      'a share of 256 bytes passes the size check; the extra field is malformed',
      { v: 1, n, e, pad: new Uint8Array(142) },
      'refused:malformed',
    ),
    helloCase(
      'oversize and v = 2: the size is checked first',
      { v: 2, n, e, pad: new Uint8Array(143) },
      'refused:oversize',
    ),
    helloCase('v = 2 with a field v1 does not know', { v: 2, n, e, x: 1 }, 'refused:unsupported-version'),
    helloCase('v a string', { v: utf8('1'), n, e }, 'refused:malformed'),
    helloCase('no e', { v: 1, n }, 'refused:malformed'),
    helloCase('n of 31 bytes', { v: 1, n: n.subarray(0, 31), e }, 'refused:malformed'),
    helloCase('an extra field with v = 1', { v: 1, n, e, x: 1 }, 'refused:malformed'),
    helloCase('a list', [1, n, e], 'refused:malformed'),
    helloCase('our own nonce back', { v: 1, n: rHello.n, e }, 'refused:reflected'),
    helloCase('our own ephemeral key back', { v: 1, n, e: rHello.e }, 'refused:reflected'),
    helloCase(
      'an ephemeral key of small order (all zero)',
      { v: 1, n, e: new Uint8Array(32) },
      'refused:bad-key-exchange',
    ),
    helloCase('an ephemeral key of small order (u = 1)', { v: 1, n, e: le(1n) }, 'refused:bad-key-exchange'),
  ]

  // §5.3's state tables, one row at a time: the subject's sends and verdicts after each input.
  const seq = (why: string, subject: Side, counterpart: Side, script: (s: Handshake, c: Handshake) => Input[]) => {
    const s = handshakeOf(w, subject)
    const c = handshakeOf(w, counterpart)
    const inputs = script(s, c)
    return { why, subject: sideJson(subject), steps: run(s, inputs) }
  }
  const msg = (o: Bencodable) => ({ message: encode(o) })
  const proofFrom = (c: Handshake, s: Handshake) => c.onPeerHello(decodeHello(helloOf(s))).send[0]!
  const I: Side = { ...alice, label: 'seq alice' }
  const R: Side = { ...bob, label: 'seq bob' }
  const sequences = [
    seq('R: a proof before the hello', R, I, () => [msg({ t: 'proof', box: new Uint8Array(48) })]),
    seq('R: accept before R proved', R, I, (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'accept' })]),
    seq('R: noproof', R, I, (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'noproof' })]),
    seq('R: the same hello twice changes nothing; a different one is refused', R, I, (_s, c) => [
      { hello: helloOf(c) },
      { hello: helloOf(c) },
      { hello: encode({ v: 1, n: seed('vector seq other n'), e: c.hello.e }) },
    ]),
    seq('R: the deadline passes', R, I, (_s, c) => [{ hello: helloOf(c) }, { timeout: true }]),
    seq('R: a refuse before any proof is recorded, and R stays pending', R, I, (_s, c) => [
      { hello: helloOf(c) },
      msg({ t: 'refuse', code: utf8('expired') }),
    ]),
    seq('R: a second proof after authorizing', R, I, (s, c) => {
      const p = proofFrom(c, s)
      return [{ hello: helloOf(c) }, { message: p }, { message: p }]
    }),
    seq('R: accept after its proof, then a second accept', R, I, (s, c) => {
      const p = proofFrom(c, s)
      return [{ hello: helloOf(c) }, { message: p }, msg({ t: 'accept' }), msg({ t: 'accept' })]
    }),
    seq(
      'R: authorized, then the re-check at exp + 300 refuses, and after a refusal nothing more is sent',
      R,
      I,
      (s, c) => {
        const p = proofFrom(c, s)
        return [
          { hello: helloOf(c) },
          { message: p },
          { recheck: NOW + 30 * DAY + CLOCK_SKEW_S - 1 },
          { recheck: NOW + 30 * DAY + CLOCK_SKEW_S },
          msg({ t: 'noproof' }),
        ]
      },
    ),
    seq('R: authorized, then an index message in clear: refused malformed in any state', R, I, (s, c) => {
      const p = proofFrom(c, s)
      return [{ hello: helloOf(c) }, { message: p }, msg({ t: 'index', version: 2 })]
    }),
    seq(
      'I: its proof goes out with the keys; a noproof then means accepted, and refused no-certificate',
      I,
      R,
      (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'noproof' })],
    ),
    seq('I: accept is never for the initiator', I, R, (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'accept' })]),
    seq('I: refused by R before R proved: R is recorded no-certificate, nothing sent', I, R, (_s, c) => [
      { hello: helloOf(c) },
      msg({ t: 'refuse', code: utf8('wrong-swarm') }),
    ]),
    seq('I: a refuse code this version does not know is recorded as unknown', I, R, (_s, c) => [
      { hello: helloOf(c) },
      msg({ t: 'refuse', code: utf8('some-later-reason') }),
    ]),
    seq(
      'I without a credential: it sends noproof; a proof in answer is out of order',
      { role: 'initiator', label: 'seq nocred' },
      R,
      (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'proof', box: new Uint8Array(48) })],
    ),
    seq('I: a message over 8192 bytes', I, R, (_s, c) => [
      { hello: helloOf(c) },
      msg({ t: 'refuse', code: new Uint8Array(MAX_MESSAGE_BYTES) }),
    ]),
    seq('I: an unknown type', I, R, (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'hello' })]),
    seq('I: a handshake type with an extra key', I, R, (_s, c) => [{ hello: helloOf(c) }, msg({ t: 'accept', x: 1 })]),
    seq('I: a refuse code longer than 64 characters', I, R, (_s, c) => [
      { hello: helloOf(c) },
      msg({ t: 'refuse', code: utf8('x'.repeat(65)) }),
    ]),
  ]
  return { infoHash: hex(w.infoHash), swarm: hex(w.swarm.publicKey), now, proofs, hellos, sequences }
}

// ---------------------------------------------------------------------------------------------
// §7 invites

function sealInvite(
  to: Uint8Array,
  plaintext: Uint8Array,
  label: string,
  version: Bencodable = PROTOCOL_VERSION,
): Uint8Array {
  const es = seed(`vector ${label} ephemeral`)
  const uR = ed25519.utils.toMontgomery(to)
  const e = x25519.getPublicKey(es)
  const k = hkdf(
    sha256,
    x25519.getSharedSecret(es, uR),
    concatBytes(e, uR),
    encode([DOMAIN, PROTOCOL_VERSION, 'invite']),
    32,
  )
  const box = chacha20poly1305(k, new Uint8Array(12), utf8('coterie-invite')).encrypt(plaintext)
  return encode({ 'coterie-invite': version, e, box })
}

function inviteCases(w: VectorWorld) {
  const owner = keyPair('vector owner')
  const other = keyPair('vector other swarm')
  const secret = seed('vector group secret')
  const group = { name: utf8('Film club'), swarm: w.swarm.publicKey, secret }
  const fields = {
    v: PROTOCOL_VERSION,
    from: owner.publicKey,
    to: w.alice.publicKey,
    iat: NOW,
    group: group as Record<string, Bencodable>,
    cert: w.aliceCert,
    torrents: [w.info],
    peers: [utf8('192.0.2.7:6881')],
  }
  type Fields = typeof fields
  const signedInner = (f: Fields, o: { inviter?: KeyPair; swarm?: KeyPair } = {}) => {
    const tbs = encode(f)
    return encode({
      ...f,
      sig: sign((o.inviter ?? owner).secretKey, ROLE.inviter, tbs),
      owner: sign((o.swarm ?? w.swarm).secretKey, ROLE.owner, tbs),
    })
  }
  const c = (why: string, file: Uint8Array, expect: string) => ({ why, file: hex(file), expect })
  const changed = (label: string, patch: Partial<Fields>, o: { inviter?: KeyPair; swarm?: KeyPair } = {}) =>
    sealInvite(w.alice.publicKey, signedInner({ ...fields, ...patch }, o), label)
  const good = changed('invite good', {})
  // `fromName` (optional, §7) is not among the control's fields: added to a copy, so the type stays the control's.
  const withName = (name: string): Fields => Object.assign({ ...fields }, { fromName: utf8(name) })
  const badBox = good.slice()
  badBox[Buffer.from(good).indexOf(':', 3) + 6]! ^= 1 // inside the box, the first value of the outer dictionary
  const scoped = issueCertificate(w.swarm, {
    member: w.alice.publicKey,
    iat: NOW - DAY,
    exp: NOW + DAY,
    scope: [seed('vector scope').subarray(0, 20)],
  })
  const foreignTorrent = infoDict(other.publicKey, 'other.bin')
  const keyless = encode({ length: 1, name: utf8('plain.bin'), 'piece length': 16384, pieces: new Uint8Array(20) })
  return {
    recipient: 'vector alice',
    now: NOW,
    cases: [
      c('the control', good, 'ok'),
      c(
        'the control, with IPv6, hostname and IPv4 peers and three trackers of three schemes',
        changed('invite peers', {
          peers: ['[2001:db8::1]:51413', 'peer-1.example.org:6881', '192.0.2.7:6881'].map(utf8),
          group: {
            ...group,
            trackers: [
              'udp://tracker.example:6969/announce',
              'https://t.example/announce',
              'http://[2001:db8::2]:80/a',
            ].map(utf8),
          },
        }),
        'ok',
      ),
      c(
        'a tracker outside the grammar is ignored, the invite opens (§7.1)',
        changed('invite gopher', {
          group: {
            ...group,
            trackers: ['gopher://t.example/a', 'udp://t.example:65536/a', 'udp://tracker.example:6969/announce'].map(
              utf8,
            ),
          },
        }),
        'ok',
      ),
      c('not bencode', utf8('hello'), 'not-an-invite'),
      c(
        'an extra outer field',
        encode({ 'coterie-invite': 1, e: new Uint8Array(32), box: new Uint8Array(16), x: 1 }),
        'not-an-invite',
      ),
      c(
        'outer version 2 (with a field v1 does not know)',
        encode({ 'coterie-invite': 2, e: new Uint8Array(32), box: new Uint8Array(16), x: 1 }),
        'unsupported-version',
      ),
      c('the box altered', badBox, 'cannot-open'),
      c(
        'the sender’s claimed name',
        sealInvite(w.alice.publicKey, signedInner(withName('Olga')), 'invite named'),
        'ok',
      ),
      c(
        'an empty sender name',
        sealInvite(w.alice.publicKey, signedInner(withName('')), 'invite empty name'),
        'malformed',
      ),
      c(
        'a sender name of 129 characters',
        sealInvite(w.alice.publicKey, signedInner(withName('x'.repeat(129))), 'invite long name'),
        'malformed',
      ),
      c("cut short: the last byte (the outer dictionary's end) missing", good.subarray(0, good.length - 1), 'damaged'),
      c('cut short inside the box (a link pasted in part)', good.subarray(0, 60), 'damaged'),
      c(
        'the box length altered (a digit added): no longer a whole bencode value',
        Uint8Array.from([...utf8('d3:box9'), ...good.subarray(6)]),
        'damaged',
      ),
      c('begins as an invite does, then nothing', utf8('d3:box5:'), 'damaged'),
      c(
        'e of small order (all zero): the shared secret is zero',
        encode({ 'coterie-invite': 1, e: new Uint8Array(32), box: new Uint8Array(16) }),
        'cannot-open',
      ),
      c('sealed to Bob', sealInvite(w.bob.publicKey, signedInner(fields), 'invite bob'), 'cannot-open'),
      c(
        'inner not canonical',
        sealInvite(w.alice.publicKey, utf8('d1:vi1e4:fromi1ee'), 'invite noncanonical'),
        'malformed',
      ),
      c(
        'inner v = 2 with a field v1 does not know',
        sealInvite(w.alice.publicKey, encode({ ...fields, v: 2, x: 1 }), 'invite v2'),
        'unsupported-version',
      ),
      c(
        'inner without owner',
        sealInvite(w.alice.publicKey, encode({ ...fields, sig: new Uint8Array(64) }), 'invite noowner'),
        'malformed',
      ),
      c('public = 0', changed('invite public0', { group: { ...group, public: 0 } }), 'malformed'),
      c('an empty tracker list', changed('invite notrackers', { group: { ...group, trackers: [] } }), 'malformed'),
      c(
        'a peer outside the grammar (octet 256)',
        changed('invite badpeer', { peers: [utf8('256.1.1.1:6881')] }),
        'malformed',
      ),
      c('a peer with port 0', changed('invite port0', { peers: [utf8('peer.example:0')] }), 'malformed'),
      c('an empty group name', changed('invite noname', { group: { ...group, name: new Uint8Array(0) } }), 'malformed'),
      c('signed by someone other than from', changed('invite forged', {}, { inviter: w.bob }), 'bad-signature'),
      c('owner signature by another key', changed('invite notowner', {}, { swarm: other }), 'not-from-owner'),
      c('to names Bob', changed('invite tobob', { to: w.bob.publicKey }), 'wrong-recipient'),
      c("Bob's certificate", changed('invite bobcert', { cert: w.bobCert }), 'certificate-invalid'),
      c(
        'an expired certificate',
        changed('invite expired', {
          cert: issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW - 60 * DAY, exp: NOW - 30 * DAY }),
        }),
        'certificate-invalid',
      ),
      c(
        'a torrent of another swarm',
        changed('invite foreign', { torrents: [w.info, foreignTorrent] }),
        'torrent-invalid',
      ),
      c('a torrent without a swarm key', changed('invite keyless', { torrents: [keyless] }), 'torrent-invalid'),
      c(
        'a scoped certificate that omits the torrent',
        changed('invite scope', { cert: scoped }),
        'certificate-invalid',
      ),
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// §6.4, §13 group indexes

function indexCases(w: VectorWorld) {
  const other = keyPair('vector other swarm')
  const carol = keyPair('vector carol')
  const rendezvous = rendezvousTorrent(w.swarm.publicKey, seed('vector rendezvous id'))
  const members = [
    { key: w.alice.publicKey, name: utf8('Alice') },
    { key: w.bob.publicKey, name: utf8('Bob') },
  ].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
  const body = {
    v: PROTOCOL_VERSION,
    swarm: w.swarm.publicKey,
    version: 4,
    iat: NOW,
    name: utf8('Film club'),
    secret: seed('vector group secret'),
    torrents: [rendezvous.info, w.info],
    members: members as Bencodable,
    revoked: [carol.publicKey],
    certs: [w.aliceCert, w.bobCert],
  } as Record<string, Bencodable>
  const signed = (b: Record<string, Bencodable>, by: KeyPair = w.swarm) =>
    encode({ ...b, sig: sign(by.secretKey, ROLE.index, encode(b)) })
  const c = (why: string, bytes: Uint8Array, expect: string, o: { swarm?: string; held?: number } = {}) => ({
    why,
    hex: hex(bytes),
    swarm: o.swarm ?? hex(w.swarm.publicKey),
    held: o.held ?? null,
    expect,
  })
  const withRendezvous = publishIndex(w.swarm, {
    version: 4,
    iat: NOW,
    name: 'Film club',
    secret: seed('vector group secret'),
    torrents: [rendezvous.info, w.info],
    members: [
      { key: w.alice.publicKey, name: 'Alice' },
      { key: w.bob.publicKey, name: 'Bob' },
    ],
    revoked: [carol.publicKey],
    certificates: [w.aliceCert, w.bobCert],
    trackers: ['udp://tracker.example:6969/announce', 'https://t.example/announce'],
  })
  const flipped = signed(body)
  flipped[Buffer.from(flipped).indexOf('3:sig64:') + 8]! ^= 1
  const order8 = Uint8Array.from(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'))
  const carolCert = issueCertificate(w.swarm, { member: carol.publicKey, iat: NOW - DAY, exp: NOW + DAY })
  const aliceRenewed = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW + 60 * DAY })
  return {
    rendezvous: { index: hex(withRendezvous), rendezvousInfo: hex(rendezvous.info), version: 4 },
    cases: [
      c('the control: a rendezvous first, then a share; two trackers', withRendezvous, 'ok'),
      c('the control, hand-made', signed(body), 'ok'),
      c(
        'a tracker outside the grammar is ignored (§7.1)',
        signed({ ...body, trackers: ['gopher://t.example/a', 'udp://t.example:1'].map(utf8) }),
        'ok',
      ),
      c('not canonical', utf8('d1:vi1e5:certsle'), 'malformed'),
      c('v = 2 with a field v1 does not know', signed({ ...body, v: 2, x: 1 }), 'unsupported-version'),
      c('version 0', signed({ ...body, version: 0 }), 'malformed'),
      c('an unknown field', signed({ ...body, x: 1 }), 'malformed'),
      c('certs as nested dictionaries instead of byte strings', signed({ ...body, certs: [{ v: 1 }] }), 'malformed'),
      c('an empty tracker list', signed({ ...body, trackers: [] }), 'malformed'),
      c(
        'for another group: the swarm is checked before the signature',
        signed({ ...body, swarm: other.publicKey }, other),
        'wrong-group',
      ),
      c('opened with another group key', signed(body), 'wrong-group', { swarm: hex(other.publicKey) }),
      c('sig flipped', flipped, 'bad-signature'),
      c('members unsorted', signed({ ...body, members: [...members].reverse() }), 'malformed'),
      c(
        'unsorted members with a bad signature: the signature is checked first',
        encode({ ...body, members: [...members].reverse(), sig: new Uint8Array(64) }),
        'bad-signature',
      ),
      c('a member twice', signed({ ...body, members: [members[0]!, members[0]!] }), 'malformed'),
      c('revoked keys repeated', signed({ ...body, revoked: [carol.publicKey, carol.publicKey] }), 'malformed'),
      c(
        'a member key of small order',
        signed({
          ...body,
          members: [...members, { key: order8, name: utf8('Eve') }].sort((a, b) =>
            Buffer.compare(Buffer.from(a.key as Uint8Array), Buffer.from(b.key as Uint8Array)),
          ),
          certs: [],
        }),
        'malformed',
      ),
      c('a key both member and revoked', signed({ ...body, revoked: [w.alice.publicKey] }), 'malformed'),
      c(
        'a torrent of another swarm',
        signed({ ...body, torrents: [w.info, infoDict(other.publicKey, 'other.bin')] }),
        'torrent-invalid',
      ),
      c('a torrent that is not canonical', signed({ ...body, torrents: [utf8('d1:bi1e1:ai1ee')] }), 'torrent-invalid'),
      c('a torrent twice', signed({ ...body, torrents: [w.info, w.info] }), 'malformed'),
      c(
        'a bad torrent after a repeated one: torrents are checked in order',
        signed({ ...body, torrents: [w.info, w.info, utf8('x')] }),
        'malformed',
      ),
      c(
        'a certificate of a key that is not a member',
        signed({ ...body, certs: [w.aliceCert, carolCert] }),
        'certificate-invalid',
      ),
      c(
        'a certificate of another swarm',
        signed({
          ...body,
          certs: [issueCertificate(other, { member: w.alice.publicKey, iat: NOW - DAY, exp: NOW + DAY })],
        }),
        'certificate-invalid',
      ),
      c('a certificate that is not one', signed({ ...body, certs: [utf8('le')] }), 'certificate-invalid'),
      c('two certificates for one member', signed({ ...body, certs: [w.aliceCert, aliceRenewed] }), 'malformed'),
      c(
        'an expired certificate is no failure: an index is not checked against the clock',
        signed({
          ...body,
          certs: [issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW - 60 * DAY, exp: NOW - 30 * DAY })],
        }),
        'ok',
      ),
      c('version 4 while the node holds 4', signed(body), 'stale', { held: 4 }),
      c('version 4 while the node holds 3', signed(body), 'ok', { held: 3 }),
    ],
  }
}

// ---------------------------------------------------------------------------------------------
// §7.1 grammar

function grammarCases() {
  return {
    peers: {
      accepted: [
        '192.0.2.7:6881',
        '[2001:db8::1]:51413',
        'peer-1.example.org:6881',
        'a:1',
        '0.0.0.0:65535',
        'host:080',
      ],
      refused: [
        '256.1.1.1:6881',
        '1.2.3.999:1',
        'host:0',
        'host:65536',
        'host',
        '-a.example:1',
        'a-:1',
        '[zz]:1',
        'a b:1',
        ':6881',
        'host:123456',
      ],
    },
    trackers: {
      accepted: [
        'udp://tracker.example:6969/announce',
        'https://t.example/announce',
        'http://[2001:db8::1]:80/a',
        'udp://192.0.2.7:1',
        'http://t.example',
        'http://t.example/',
        'http://t.example/a?b=c&d=%20#e~',
        'ws://t.example/a',
        'wss://t.example:8443/announce',
      ],
      refused: [
        'udp://t.example:0/a',
        'udp://t.example:65536/a',
        'http://256.1.1.1/a',
        'http://t.example/a b',
        'http://t.example/\u00e9',
        'gopher://t.example/a',
        'UDP://t.example/a',
        'udp://',
        'file:///etc/passwd',
        'http://user@t.example/a',
        `http://t.example/${'a'.repeat(300)}`,
      ],
    },
  }
}

// ---------------------------------------------------------------------------------------------
// §5.6 several records each way

function transferCases(w: VectorWorld) {
  const i = handshakeOf(w, {
    role: 'initiator',
    label: 'records alice',
    certificate: w.aliceCert,
    secretKey: w.alice.secretKey,
  })
  const r = handshakeOf(w, {
    role: 'responder',
    label: 'records bob',
    certificate: w.bobCert,
    secretKey: w.bob.secretKey,
  })
  const secret = i.onPeerHello(decodeHello(helloOf(r))).sessionSecret!
  r.onPeerHello(decodeHello(helloOf(i)))
  const th = i.transcript!
  const iSide = new SealedTransfer(secret, th, 'initiator')
  const rSide = new SealedTransfer(secret, th, 'responder')
  const block = (n: number) => seed(`vector record ${n}`).subarray(0, 16 + n)
  const records: Record<string, unknown>[] = []
  const plan: readonly ['initiator' | 'responder', 'piece' | 'message', number][] = [
    ['initiator', 'piece', 0],
    ['initiator', 'message', 1],
    ['responder', 'message', 0],
    ['initiator', 'piece', 2],
    ['responder', 'piece', 1],
    ['initiator', 'message', 3],
    ['responder', 'piece', 2],
  ]
  plan.forEach(([from, kind, record], k) => {
    const side = from === 'initiator' ? iSide : rSide
    if (kind === 'piece') {
      const index = k
      const begin = 16384 * k
      records.push({
        from,
        record,
        kind,
        index,
        begin,
        block: hex(block(k)),
        box: hex(side.sealPiece(index, begin, block(k))!),
      })
    } else {
      const payload = encode({ n: k, t: 'example' })
      records.push({
        from,
        record,
        kind,
        payload: hex(payload),
        message: hex(encodeSealedMessage(side.sealMessage(payload)!)),
      })
    }
  })
  return {
    initiator: sideJson({
      role: 'initiator',
      label: 'records alice',
      certificate: w.aliceCert,
      secretKey: w.alice.secretKey,
    }),
    responder: sideJson({
      role: 'responder',
      label: 'records bob',
      certificate: w.bobCert,
      secretKey: w.bob.secretKey,
    }),
    transcriptHash: hex(th),
    sessionSecret: hex(secret),
    records,
  }
}

// ---------------------------------------------------------------------------------------------
// BEP 10 framing

function bep10Frames(w: VectorWorld) {
  const i = handshakeOf(w, {
    role: 'initiator',
    label: 'frame alice',
    certificate: w.aliceCert,
    secretKey: w.alice.secretKey,
  })
  const r = handshakeOf(w, {
    role: 'responder',
    label: 'frame bob',
    certificate: w.bobCert,
    secretKey: w.bob.secretKey,
  })
  const frame = (id: number, payload: Uint8Array) => {
    const out = new Uint8Array(6 + payload.length)
    new DataView(out.buffer).setUint32(0, 2 + payload.length)
    out[4] = 20
    out[5] = id
    out.set(payload, 6)
    return out
  }
  // Our extension is "coterie" in m, with an id of the sender's choosing (here 3 and 1); the
  // peer addresses our messages to the id WE chose, we address ours to the id IT chose.
  const iHandshake = encode({ [EXTENSION_NAME]: { ...i.hello }, m: { [EXTENSION_NAME]: 3, ut_metadata: 1 }, p: 6881 })
  const rHandshake = encode({ [EXTENSION_NAME]: { ...r.hello }, m: { [EXTENSION_NAME]: 1 }, p: 51413 })
  const proof = i.onPeerHello(decodeHello(helloOf(r))).send[0]!
  const disabled = encode({ [EXTENSION_NAME]: { ...r.hello }, m: { [EXTENSION_NAME]: 0 } })
  return {
    infoHash: hex(w.infoHash),
    reservedBit: 'byte 5 of the 8 reserved bytes of the BitTorrent handshake has 0x10 set (BEP 10)',
    messageId: 20,
    extendedHandshakeId: 0,
    initiator: {
      extendedHandshake: hex(iHandshake),
      frame: hex(frame(0, iHandshake)),
      hello: hex(helloOf(i)),
      coterieId: 3,
    },
    responder: {
      extendedHandshake: hex(rHandshake),
      frame: hex(frame(0, rHandshake)),
      hello: hex(helloOf(r)),
      coterieId: 1,
    },
    initiatorProof: {
      note: "I's first Coterie message goes to R's id for coterie (1)",
      payload: hex(proof),
      frame: hex(frame(1, proof)),
    },
    disabled: {
      note: 'm maps coterie to 0: the extension is disabled (BEP 10); the peer is no-extension',
      extendedHandshake: hex(disabled),
    },
    helloShare: {
      note: 'the hello share counted against MAX_HELLO_BYTES: "7:coterie" + hello + "7:coteriei<id>e" with a one-digit id',
      bytes: 9 + helloOf(i).length + 9 + 3,
    },
  }
}

export function buildNegativeVectors(w: VectorWorld) {
  return {
    description:
      'What a conforming node must refuse, with the code it must give (docs/PROTOCOL.md §14). "expect" is "ok" or the code; handshake verdicts read "pending", "authorized", "refused:<code>", ...',
    keyTexts: keyTexts(w),
    ed25519: ed25519Cases(w),
    bencode: bencodeCases(),
    certificates: certificateCases(w),
    handshake: handshakeCases(w),
    invites: inviteCases(w),
    groupIndexes: indexCases(w),
    grammar: grammarCases(),
    transfer: transferCases(w),
    bep10: bep10Frames(w),
  }
}
