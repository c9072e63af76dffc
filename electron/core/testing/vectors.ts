/**
 * Builds the protocol test vectors (electron/core/protocol/vectors/protocol-v1.json) from fixed seeds. The test
 * suite rebuilds them and compares byte for byte, so the stored file, the code and
 * docs/PROTOCOL.md §8 cannot drift apart; a second implementation checks itself against the file.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { encode } from '../protocol/canonical.js'
import { issueCertificate } from '../protocol/certificate.js'
import { CLOCK_SKEW_S } from '../protocol/constants.js'
import { Handshake, proofPayload } from '../protocol/handshake.js'
import { fingerprint, keyToText } from '../protocol/keys.js'
import { deriveKeys, ephemeralFromSecret, transcriptHash } from '../protocol/session.js'
import { signingInput } from '../protocol/signing.js'
import { createInvite } from '../protocol/invite.js'
import { inviteLink } from '../../../shared/invite-link.js'
import { infoHashOf } from '../protocol/torrent-info.js'
import { encodePex } from '../protocol/pex.js'
import { peerAddress } from '../protocol/address.js'
import { discoveryTopic } from '../protocol/topic.js'
import { SealedTransfer, encodeSealedMessage, transferKeys } from '../protocol/transfer.js'
import { TLS_EXPORTER_BYTES, TLS_EXPORTER_LABEL, tlsBindingKey, tlsBindingMac } from '../protocol/tls-binding.js'
import { openIndex, publishIndex } from '../protocol/group-index.js'
import { parseIceUrl } from '../protocol/ice.js'
import { renewalPayloads } from '../protocol/renewal.js'
import { rendezvousTorrent } from '../protocol/rendezvous.js'
import { BACKUP_KEY_BYTES, backupHeader, scryptParams, sealBackup } from '../protocol/backup.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { DAY, NOW, keyPair, seed } from './fixtures.js'
import { sha1 } from '@noble/hashes/legacy.js'
import { utf8 } from '../protocol/bytes.js'
import { INFO_SWARM_KEY } from '../protocol/constants.js'
import { buildNegativeVectors } from './negative-vectors.js'

const hex = bytesToHex

/** The index of a group behind NATs (§7.1): its trackers (one WebSocket) and its ICE servers. */
const ICE_VECTOR = {
  trackers: ['wss://tracker.example/announce', 'udp://192.0.2.7:6969/announce'],
  ice: ['stun:stun.example:3478', 'turn:1767225600%3Aalice:s3cr%40t@turn.example:3478?transport=udp'],
}
/** ICE server URLs and the verdict of §7.1 on each: 'ok' or the first reason code. */
const ICE_URL_CASES = [
  'stun:stun.example',
  'stun:192.0.2.7:3478',
  'turn:alice:pw@turn.example',
  'turns:alice:pw@turn.example:5349',
  'turn:1767225600%3Aalice:s3cr%40t@turn.example:3478?transport=tcp',
  `stun:${'a'.repeat(296)}`,
  'stuns:stun.example',
  'STUN:stun.example',
  'https://stun.example',
  'stun:[2001:db8::1]:3478',
  'stun:256.1.1.1',
  'stun:-a.example',
  'stun:stun.example:0',
  'stun:stun.example:65536',
  'stun:alice:pw@stun.example',
  'turn:1767225600:alice:pw@turn.example',
  'turn:alice:p@w@turn.example',
  'turn:alice@turn.example',
  'turn:alice:p w@turn.example',
  'stun:stun.example?transport=udp',
  'turns:alice:pw@turn.example?transport=udp',
  'turn:alice:pw@turn.example?transport=sctp',
  'turn:alice:pw@turn.example:1:2',
]
const label = (s: string) => ({
  seedLabel: s,
  secretKey: hex(keyPair(s).secretKey),
  publicKey: hex(keyPair(s).publicKey),
})

const VECTOR_FILE_BYTES = 123456
const PIECE_BYTES = 16384
const CONTENT_MODULUS = 251

/**
 * The private group's torrent of the vectors: a valid BEP 3 single-file info dictionary (8 piece
 * hashes of its real content, which anyone can rebuild: byte i is i mod 251) with `private` = 1
 * (BEP 27), as a private group's torrents carry (§12), and the swarm key.
 */
function vectorTorrent(swarm: Uint8Array): { info: Uint8Array; pieces: number } {
  const content = Uint8Array.from({ length: VECTOR_FILE_BYTES }, (_, i) => i % CONTENT_MODULUS)
  const pieces = Math.ceil(VECTOR_FILE_BYTES / PIECE_BYTES)
  const hashes = new Uint8Array(20 * pieces)
  for (let p = 0; p < pieces; p++) hashes.set(sha1(content.subarray(p * PIECE_BYTES, (p + 1) * PIECE_BYTES)), 20 * p)
  const info = encode({
    [INFO_SWARM_KEY]: swarm,
    length: VECTOR_FILE_BYTES,
    name: utf8('season-1.mkv'),
    'piece length': PIECE_BYTES,
    pieces: hashes,
    private: 1,
  })
  return { info, pieces }
}

export function buildVectors() {
  const swarm = keyPair('vector swarm')
  const alice = keyPair('vector alice')
  const bob = keyPair('vector bob')
  const torrent = vectorTorrent(swarm.publicKey)
  const info = torrent.info
  const ih = new Uint8Array(20)
  ih.set(seed('vector infohash').subarray(0, 20))
  const infoHash = infoHashOf(info)
  const aliceCert = issueCertificate(swarm, { member: alice.publicKey, iat: NOW - DAY, exp: NOW + 30 * DAY })
  const bobCert = issueCertificate(swarm, {
    member: bob.publicKey,
    iat: NOW - DAY,
    exp: NOW + 30 * DAY,
    scope: [infoHash, ih],
  })

  const keys = [label('vector swarm'), label('vector owner'), label('vector alice'), label('vector bob')].map((k) => ({
    ...k,
    identityText: keyToText('identity', Buffer.from(k.publicKey, 'hex')),
    groupText: keyToText('swarm', Buffer.from(k.publicKey, 'hex')),
    fingerprint: fingerprint(Buffer.from(k.publicKey, 'hex')),
  }))

  const certificates = {
    valid: [
      { member: 'vector alice', iat: NOW - DAY, exp: NOW + 30 * DAY, scope: null, hex: hex(aliceCert) },
      {
        member: 'vector bob',
        iat: NOW - DAY,
        exp: NOW + 30 * DAY,
        scope: [hex(infoHash), hex(ih)].sort(),
        hex: hex(bobCert),
      },
    ],
    checks: [
      { cert: 'vector alice', now: NOW, infoHash: hex(infoHash), expect: 'ok' },
      { cert: 'vector alice', now: NOW + 30 * DAY + CLOCK_SKEW_S, infoHash: hex(infoHash), expect: 'expired' },
      { cert: 'vector alice', now: NOW - DAY - CLOCK_SKEW_S - 1, infoHash: hex(infoHash), expect: 'not-yet-valid' },
      { cert: 'vector bob', now: NOW, infoHash: hex(new Uint8Array(20)), expect: 'out-of-scope' },
    ],
  }

  const initiator = { nonce: seed('vector nI'), ephemeralSecret: seed('vector eI') }
  const responder = { nonce: seed('vector nR'), ephemeralSecret: seed('vector eR') }
  const i = new Handshake({
    role: 'initiator',
    infoHash,
    swarm: swarm.publicKey,
    credential: { certificate: aliceCert, secretKey: alice.secretKey },
    ...initiator,
  })
  const r = new Handshake({
    role: 'responder',
    infoHash,
    swarm: swarm.publicKey,
    credential: { certificate: bobCert, secretKey: bob.secretKey },
    ...responder,
  })
  const th = transcriptHash({
    infoHash,
    initiatorNonce: initiator.nonce,
    initiatorEphemeral: i.hello.e,
    responderNonce: responder.nonce,
    responderEphemeral: r.hello.e,
  })
  const k = deriveKeys(ephemeralFromSecret(initiator.ephemeralSecret), r.hello.e, th)!
  const m1 = i.onPeerHello(r.hello).send
  r.onPeerHello(i.hello)
  const m2 = r.onMessage(m1[0]!, NOW).send
  const m3 = i.onMessage(m2[0]!, NOW).send

  // Sealed transfers (§5.6) on that connection: I's records 0 (a block) and 1 (a message), R's record 0.
  const iSide = new SealedTransfer(k.session, th, 'initiator')
  const rSide = new SealedTransfer(k.session, th, 'responder')
  const tk = transferKeys(k.session, th)
  const block = seed('vector block')
  const payload = encode({ t: 'example' })
  const records = {
    initiatorPiece: {
      record: 0,
      index: 1,
      begin: 16384,
      block: hex(block),
      box: hex(iSide.sealPiece(1, 16384, block)!),
    },
    initiatorMessage: {
      record: 1,
      payload: hex(payload),
      message: hex(encodeSealedMessage(iSide.sealMessage(payload)!)),
    },
    responderPiece: { record: 0, index: 0, begin: 0, block: hex(block), box: hex(rSide.sealPiece(0, 0, block)!) },
  }

  // The TLS switch (§5.6.2) on that connection: I's offer and start are its records 2 and 3, R's
  // offer and start its records 1 and 2; then the binding over an example exporter value (a real
  // one comes from the TLS session, which has fresh randomness of its own).
  const offer = encode({ t: 'tls-offer' })
  const start = encode({ t: 'tls-start' })
  const kb = tlsBindingKey(k.session, th)
  const exporter = seed('vector tls exporter')
  const tlsSwitch = {
    exporterLabel: TLS_EXPORTER_LABEL,
    exporterBytes: TLS_EXPORTER_BYTES,
    initiatorOffer: { record: 2, payload: hex(offer), message: hex(encodeSealedMessage(iSide.sealMessage(offer)!)) },
    initiatorStart: { record: 3, payload: hex(start), message: hex(encodeSealedMessage(iSide.sealMessage(start)!)) },
    responderOffer: { record: 1, payload: hex(offer), message: hex(encodeSealedMessage(rSide.sealMessage(offer)!)) },
    responderStart: { record: 2, payload: hex(start), message: hex(encodeSealedMessage(rSide.sealMessage(start)!)) },
    bindingKey: hex(kb),
    exporter: hex(exporter),
    initiatorMac: hex(tlsBindingMac(kb, 'initiator', exporter)),
    responderMac: hex(tlsBindingMac(kb, 'responder', exporter)),
  }

  const groupIndex = publishIndex(swarm, {
    version: 3,
    iat: NOW,
    name: 'Film club',
    secret: seed('vector group secret'),
    torrents: [info],
    members: [
      { key: alice.publicKey, name: 'Alice' },
      { key: bob.publicKey, name: 'Bob' },
    ],
    revoked: [keyPair('vector carol').publicKey],
    certificates: [aliceCert, bobCert],
  })

  // A group that reaches members behind NATs (§7.1, docs/NAT.md): a WebSocket tracker and ICE servers.
  const iceIndex = publishIndex(swarm, {
    version: 4,
    iat: NOW,
    name: 'Film club',
    secret: seed('vector group secret'),
    torrents: [info],
    members: [{ key: alice.publicKey, name: 'Alice' }],
    revoked: [],
    certificates: [aliceCert],
    trackers: ICE_VECTOR.trackers,
    ice: ICE_VECTOR.ice,
  })

  // Renewal (§13.3): I's certificate expired at NOW (exp + skew = NOW); R refuses it `expired`, and
  // pushes the group index above (which holds a current certificate for I) as its sealed records 0, 1...
  const lapsedCert = issueCertificate(swarm, { member: alice.publicKey, iat: NOW - 60 * DAY, exp: NOW - CLOCK_SKEW_S })
  const lapsed = {
    initiator: { nonce: seed('vector renewal nI'), ephemeralSecret: seed('vector renewal eI') },
    responder: { nonce: seed('vector renewal nR'), ephemeralSecret: seed('vector renewal eR') },
  }
  const li = new Handshake({
    role: 'initiator',
    infoHash,
    swarm: swarm.publicKey,
    credential: { certificate: lapsedCert, secretKey: alice.secretKey },
    ...lapsed.initiator,
  })
  const lr = new Handshake({
    role: 'responder',
    infoHash,
    swarm: swarm.publicKey,
    credential: { certificate: bobCert, secretKey: bob.secretKey },
    ...lapsed.responder,
  })
  const l1 = li.onPeerHello(lr.hello).send
  // The responder's session secret, from the step that derived it.
  const lrSecret = lr.onPeerHello(li.hello).sessionSecret!
  const l2 = lr.onMessage(l1[0]!, NOW).send
  const heldIndex = openIndex(groupIndex, swarm.publicKey)
  if (!heldIndex.ok) throw new Error('vectors: the group index does not open')
  const lrSeal = new SealedTransfer(lrSecret, lr.transcript!, 'responder')
  const renewal = {
    now: NOW,
    infoHash: hex(infoHash),
    initiator: {
      member: 'vector alice',
      certificate: hex(lapsedCert),
      nonce: hex(lapsed.initiator.nonce),
      ephemeralSecret: hex(lapsed.initiator.ephemeralSecret),
    },
    responder: {
      member: 'vector bob',
      certificate: hex(bobCert),
      nonce: hex(lapsed.responder.nonce),
      ephemeralSecret: hex(lapsed.responder.ephemeralSecret),
    },
    transcriptHash: hex(lr.transcript!),
    sessionSecret: hex(lrSecret),
    messages: [
      { from: 'initiator', hex: hex(l1[0]!) },
      { from: 'responder', hex: hex(l2[0]!) },
    ],
    pushed: renewalPayloads(heldIndex.value).map((p, record) => ({
      record,
      payload: hex(p),
      message: hex(encodeSealedMessage(lrSeal.sealMessage(p)!)),
    })),
  }

  const inviteFile = createInvite(
    { inviter: keyPair('vector owner'), swarm },
    {
      to: alice.publicKey,
      iat: NOW,
      group: { name: 'Film club', swarm: swarm.publicKey, secret: seed('vector group secret') },
      certificate: aliceCert,
      torrents: [info],
      peers: ['127.0.0.1:6881'],
    },
    seed('vector invite ephemeral'),
  )

  // A public group with a tracker: the optional group fields `public` and `trackers` (§7).
  const publicInviteFile = createInvite(
    { inviter: keyPair('vector owner'), swarm },
    {
      to: alice.publicKey,
      iat: NOW,
      group: {
        name: 'Open house',
        swarm: swarm.publicKey,
        secret: seed('vector group secret'),
        announcePublic: true,
        trackers: ['udp://127.0.0.1:6969/announce'],
      },
      certificate: aliceCert,
      torrents: [info],
      peers: [],
    },
    seed('vector public invite ephemeral'),
  )

  // The inviter's own name, claimed (the optional field `fromName`, §7).
  const namedInviteFile = createInvite(
    { inviter: keyPair('vector owner'), swarm },
    {
      fromName: 'Olga',
      to: alice.publicKey,
      iat: NOW,
      group: { name: 'Film club', swarm: swarm.publicKey, secret: seed('vector group secret') },
      certificate: aliceCert,
      torrents: [info],
      peers: [],
    },
    seed('vector named invite ephemeral'),
  )

  return {
    description:
      'Coterie protocol v1 test vectors (docs/PROTOCOL.md §8). Hex unless noted; times are unix seconds; seeds are SHA-256("coterie test seed: " + label).',
    keys,
    signingInput: {
      role: 'initiator',
      payload: hex(new Uint8Array([1, 2, 3])),
      hex: hex(signingInput('initiator', new Uint8Array([1, 2, 3]))),
    },
    torrent: {
      content: `byte i is i mod ${CONTENT_MODULUS}`,
      length: VECTOR_FILE_BYTES,
      pieceLength: PIECE_BYTES,
      pieces: torrent.pieces,
      info: hex(info),
      infoHash: hex(infoHash),
    },
    certificates,
    handshake: {
      infoHash: hex(infoHash),
      swarm: hex(swarm.publicKey),
      now: NOW,
      initiator: {
        member: 'vector alice',
        certificate: hex(aliceCert),
        nonce: hex(initiator.nonce),
        ephemeralSecret: hex(initiator.ephemeralSecret),
        ephemeralPublic: hex(i.hello.e),
        hello: hex(encode({ ...i.hello })),
      },
      responder: {
        member: 'vector bob',
        certificate: hex(bobCert),
        nonce: hex(responder.nonce),
        ephemeralSecret: hex(responder.ephemeralSecret),
        ephemeralPublic: hex(r.hello.e),
        hello: hex(encode({ ...r.hello })),
      },
      sharedSecret: hex(x25519.getSharedSecret(initiator.ephemeralSecret, r.hello.e)),
      transcriptHash: hex(th),
      initiatorToResponderKey: hex(k.initiatorToResponder),
      responderToInitiatorKey: hex(k.responderToInitiator),
      sessionSecret: hex(k.session),
      initiatorProofPayload: hex(proofPayload(th, aliceCert)),
      messages: [
        { from: 'initiator', hex: hex(m1[0]!) },
        { from: 'responder', hex: hex(m2[0]!) },
        { from: 'initiator', hex: hex(m3[0]!) },
      ],
    },
    transfer: {
      initiatorToResponderKey: hex(tk.initiatorToResponder),
      responderToInitiatorKey: hex(tk.responderToInitiator),
      ...records,
    },
    tlsSwitch,
    groupIndex: { swarm: 'vector swarm', revoked: 'vector carol', version: 3, hex: hex(groupIndex) },
    iceIndex: { swarm: 'vector swarm', version: 4, ...ICE_VECTOR, hex: hex(iceIndex) },
    iceUrls: ICE_URL_CASES.map((text) => {
      const r = parseIceUrl(text)
      return { text, verdict: r.ok ? 'ok' : r.error.code }
    }),
    renewal,
    invite: {
      inviter: 'vector owner',
      swarm: 'vector swarm',
      recipient: 'vector alice',
      ephemeralSecret: hex(seed('vector invite ephemeral')),
      now: NOW,
      file: hex(inviteFile),
      // The same bytes as text (PROTOCOL.md §7.2).
      link: inviteLink(inviteFile)!,
    },
    publicInvite: {
      inviter: 'vector owner',
      swarm: 'vector swarm',
      recipient: 'vector alice',
      ephemeralSecret: hex(seed('vector public invite ephemeral')),
      now: NOW,
      announcePublic: true,
      trackers: ['udp://127.0.0.1:6969/announce'],
      file: hex(publicInviteFile),
    },
    namedInvite: {
      inviter: 'vector owner',
      swarm: 'vector swarm',
      recipient: 'vector alice',
      ephemeralSecret: hex(seed('vector named invite ephemeral')),
      now: NOW,
      fromName: 'Olga',
      file: hex(namedInviteFile),
    },
    topic: {
      groupSecret: hex(seed('vector group secret')),
      infoHash: hex(infoHash),
      topic: hex(discoveryTopic(seed('vector group secret'), infoHash)),
    },
    rendezvous: (() => {
      const r = rendezvousTorrent(swarm.publicKey, seed('vector rendezvous id'))
      return {
        swarm: 'vector swarm',
        id: hex(r.id),
        info: hex(r.info),
        infoHash: hex(r.infoHash),
        content: hex(r.content),
        topic: hex(discoveryTopic(seed('vector group secret'), r.infoHash)),
      }
    })(),
    pex: {
      peers: ['192.0.2.7:6881', '[2001:db8:0:0:0:0:0:1]:51413'],
      hex: hex(encodePex([peerAddress('192.0.2.7', 6881)!, peerAddress('2001:db8::1', 51413)!])),
      rejected: [
        { why: 'malformed', hex: hex(encode({ t: 'pex' })) },
        { why: 'malformed', hex: hex(encode({ t: 'pex', ip4: new Uint8Array([192, 0, 2, 7, 0, 0]) })) },
        { why: 'malformed', hex: hex(encode({ t: 'pex', ip4: new Uint8Array([192, 0, 2, 7, 26]) })) },
        {
          why: 'too-many',
          hex: hex(
            encode({
              t: 'pex',
              ip4: Uint8Array.from({ length: 51 * 6 }, (_, i) =>
                i % 6 === 3 ? Math.floor(i / 6) + 1 : i % 6 === 5 ? 1 : 10,
              ),
            }),
          ),
        },
      ],
    },
    rejected: {
      canonical: ['d1:bi1e1:ai2ee', 'i01e', 'i-0e', 'i1ei2e', '01:a', 'd1:ai1e1:ai1ee'].map((s) =>
        hex(new TextEncoder().encode(s)),
      ),
    },
    // The identity backup file (docs/BACKUP.md), at the cheapest cost a reader accepts. Appended last:
    // the vectors above stay byte for byte what they were.
    backup: (() => {
      const passphrase = 'correct horse battery staple'
      const header = backupHeader(
        alice.secretKey,
        { N: 2 ** 15, r: 8, p: 1 },
        seed('vector backup salt').subarray(0, 16),
        seed('vector backup nonce').subarray(0, 24),
      )
      const sp = scryptParams(header)
      const key = scrypt(passphrase.normalize('NFC'), sp.salt, { N: sp.N, r: sp.r, p: sp.p, dkLen: BACKUP_KEY_BYTES })
      return {
        identity: 'vector alice',
        passphrase,
        key: hex(key),
        file: new TextDecoder().decode(sealBackup(header, key, alice.secretKey)),
      }
    })(),
    // What a second implementation must refuse, and with which code, in the order of PROTOCOL.md
    // §4.2, §4.4, §5.1, §5.3, §6.4, §7 and §7.1; plus the positive shapes issue 15 asked for.
    negative: buildNegativeVectors({ swarm, alice, bob, info, infoHash, aliceCert, bobCert }),
  }
}
