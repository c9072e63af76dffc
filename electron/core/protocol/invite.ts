/**
 * Invite files (.coterie): everything a friend needs to join a group, signed by the inviter and
 * sealed to the friend's identity key. Opened by anyone else it yields nothing but "not for you".
 *
 * Outer file:  bencode({ "coterie-invite": 1, e: <X25519 ephemeral public>, box: <AEAD> })
 *   k   = HKDF-SHA256(ikm = X25519(e, toMontgomery(recipient)), salt = e || toMontgomery(recipient),
 *                     info = bencode(["coterie", 1, "invite"]), 32 bytes)
 *   box = ChaCha20-Poly1305(k, nonce = 0^12, aad = "coterie-invite", plaintext = signed invite)
 * Signed invite: canonical bencode of { v, from, [fromName], to, iat, group: {name, swarm, secret, [public], [trackers], [ice]}, cert,
 *   torrents: [info dictionaries], peers: ["host:port"], sig, owner }, where, over
 *   tbs = bencode(invite without sig and owner):
 *   sig   = Ed25519(inviter identity, bencode(["coterie", 1, "inviter", tbs]))   who sent it
 *   owner = Ed25519(swarm key,        bencode(["coterie", 1, "owner", tbs]))     with what authority
 * The owner signature matters: a certificate is no secret (the member shows it to every peer it
 * proves itself to), and without it anyone holding one could send its member a forged invite
 * with their own torrents, group secret and peers. The certificate names the recipient's key,
 * so a copied invite is no bearer token.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { z } from 'zod'
import { err, ok, type Reason, type Result } from '../../../shared/result.js'
import type { InviteErrorCode } from '../../../shared/protocol-codes.js'
import { isPortText, octetsFit } from './address.js'
import { iceList, isIceUrl, usableIce } from './ice.js'
import { bytesToHex, concatBytes, equalBytes, isAllZero, utf8 } from './bytes.js'
import { decodeCanonical, encode } from './canonical.js'
import { verifyCertificate, type Certificate } from './certificate.js'
import {
  DOMAIN,
  KEY_BYTES,
  MAX_ICE_SERVERS,
  MAX_INVITE_BYTES,
  MAX_INVITE_PEERS,
  MAX_INVITE_TORRENTS,
  MAX_INVITE_TRACKERS,
  MAX_NAME_CHARS,
  MAX_TRACKER_URL_CHARS,
  PROTOCOL_VERSION,
  ROLE,
  SIGNATURE_BYTES,
} from './constants.js'
import type { KeyPair } from './keys.js'
import { bytesOf, text, uint, versionField } from './schema.js'
import { sign, verify } from './signing.js'
import { decodeInfo, infoHashOf, swarmKeyOfInfo } from './torrent-info.js'

const MAGIC = 'coterie-invite'
const AAD = utf8(MAGIC)
const ZERO_NONCE = new Uint8Array(12)

export interface InviteGroup {
  readonly name: string
  readonly swarm: Uint8Array
  /** The group secret from which the private discovery topic is derived; only invites carry it. */
  readonly secret: Uint8Array
  /** The group also announces the plain infohash (content-provider mode); absent means private. */
  readonly announcePublic?: boolean
  /** Trackers the group uses (announced under the private topic unless the group is public). */
  readonly trackers?: readonly string[]
  /** The group's ICE servers (stun:, turn:, turns: URLs; protocol/ice.ts) for WebRTC connections. */
  readonly ice?: readonly string[]
}

export interface InviteContent {
  readonly from: Uint8Array
  /**
   * The name the inviter goes by (1-128 characters), if they picked one: a claim signed by `from`,
   * shown to the recipient as such beside the verified fingerprint, never taken as who they are.
   */
  readonly fromName?: string
  readonly to: Uint8Array
  readonly iat: number
  readonly group: InviteGroup
  readonly certificate: Uint8Array
  /** Raw bencoded info dictionaries. */
  readonly torrents: readonly Uint8Array[]
  /** "host:port" of peers to try first. */
  readonly peers: readonly string[]
}

export interface OpenedInvite extends InviteContent {
  /** Absent optional fields filled in: an invite from before they existed reads as private, no trackers. */
  readonly group: Required<InviteGroup>
  readonly parsedCertificate: Certificate
  readonly infoHashes: readonly string[]
}

export type InviteProblem = Reason<InviteErrorCode>
const fail = (code: InviteErrorCode): { ok: false; error: InviteProblem } => err({ code })

// One host grammar for peers and trackers (docs/PROTOCOL.md §7.1): a hostname, dotted digits, or a
// bracketed IPv6 literal. Dotted digits are an IPv4 address, never a hostname: each part must fit in a byte.
const HOST = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)`
const PEER = new RegExp(`^(${HOST}):(\\d{1,5})$`)
export const isPeerAddress = (s: string): boolean => {
  const m = PEER.exec(s)
  return m !== null && isPortText(m[2]!) && octetsFit(m[1]!)
}

// Trackers are URLs a node connects to: udp, http(s), or ws(s) (WebSocket trackers, which also
// broker WebRTC offers and answers between members: the group's hole punching and TURN relays,
// docs/NAT.md), a host as for peers, an optional port 1-65535, and an optional path of visible ASCII
// (0x21-0x7E: no space, no control character, nothing a terminal or a URL parser could read two ways).
const TRACKER = new RegExp(`^(?:udp|https?|wss?)://(${HOST})(?::(\\d{1,5}))?(?:/[!-~]*)?$`)
export const isTrackerUrl = (s: string): boolean => {
  if (s.length > MAX_TRACKER_URL_CHARS) return false
  const m = TRACKER.exec(s)
  return m !== null && (m[2] === undefined || isPortText(m[2])) && octetsFit(m[1]!)
}
/**
 * A group's trackers as invites and the group index carry them: absent rather than empty, 1-16 texts
 * of at most 300 characters (else the whole structure is malformed). An entry outside the tracker
 * grammar is kept for the signature but never used (usableTrackers): trackers are hints that grant
 * nothing (§12.4), so one URL this reader does not understand (a scheme added later, say) must not
 * cost a member its invite or the index that carries its renewals and revocations.
 */
export const trackerList = z.array(text(MAX_TRACKER_URL_CHARS)).min(1).max(MAX_INVITE_TRACKERS)
/** The entries of a signed tracker list that this reader may announce to, in order. */
export const usableTrackers = (list: readonly string[] | undefined): string[] => (list ?? []).filter(isTrackerUrl)

const outerSchema = z.strictObject({ [MAGIC]: uint, e: bytesOf(KEY_BYTES), box: z.instanceof(Uint8Array) })
const innerSchema = z.strictObject({
  v: uint,
  from: bytesOf(KEY_BYTES),
  // Optional like the group's fields below: invites from before it still open (§7, optional fields).
  fromName: text(MAX_NAME_CHARS)
    .refine((n) => n.length > 0)
    .optional(),
  to: bytesOf(KEY_BYTES),
  iat: uint,
  group: z.strictObject({
    name: text(MAX_NAME_CHARS).refine((n) => n.length > 0),
    swarm: bytesOf(KEY_BYTES),
    secret: bytesOf(32),
    // Optional, so invites made before these fields existed still open; present means non-default
    // (canonical form omits an absent value rather than encoding it empty or 0).
    public: z.literal(1).optional(),
    trackers: trackerList.optional(),
    ice: iceList.optional(),
  }),
  cert: z.instanceof(Uint8Array),
  torrents: z.array(z.instanceof(Uint8Array)).max(MAX_INVITE_TORRENTS),
  peers: z.array(text(300).refine(isPeerAddress)).max(MAX_INVITE_PEERS),
  sig: bytesOf(SIGNATURE_BYTES),
  owner: bytesOf(SIGNATURE_BYTES),
})

function sealKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientX: Uint8Array): Uint8Array {
  return hkdf(
    sha256,
    shared,
    concatBytes(ephemeralPublic, recipientX),
    encode([DOMAIN, PROTOCOL_VERSION, 'invite']),
    32,
  )
}

export interface InviteSigners {
  /** The identity of whoever sends the invite (shown to the recipient). */
  readonly inviter: KeyPair
  /** The group's swarm key: only its holder can vouch for an invite. */
  readonly swarm: KeyPair
}

/** Signs and seals an invite. `ephemeralSecret` is 32 fresh random bytes (injected for vectors). */
export function createInvite(
  signers: InviteSigners,
  c: Omit<InviteContent, 'from'>,
  ephemeralSecret: Uint8Array,
): Uint8Array {
  const { inviter, swarm } = signers
  if (!equalBytes(swarm.publicKey, c.group.swarm))
    throw new RangeError("createInvite: the swarm key is not the group's")
  // Refuse up front what openInvite would refuse: an invite its recipient cannot open is a bug.
  if (c.peers.length > MAX_INVITE_PEERS || c.peers.some((p) => !isPeerAddress(p))) {
    throw new RangeError(`createInvite: at most ${MAX_INVITE_PEERS} peers, each host:port`)
  }
  const trackers = c.group.trackers ?? []
  if (trackers.length > MAX_INVITE_TRACKERS || trackers.some((t) => !isTrackerUrl(t))) {
    throw new RangeError(`createInvite: at most ${MAX_INVITE_TRACKERS} trackers, each a udp, http(s) or ws(s) URL`)
  }
  const ice = c.group.ice ?? []
  if (ice.length > MAX_ICE_SERVERS || ice.some((u) => !isIceUrl(u))) {
    throw new RangeError(`createInvite: at most ${MAX_ICE_SERVERS} ICE servers, each a stun:, turn: or turns: URL`)
  }
  if (c.torrents.length > MAX_INVITE_TORRENTS)
    throw new RangeError(`createInvite: at most ${MAX_INVITE_TORRENTS} torrents`)
  if (c.group.name.length === 0 || c.group.name.length > MAX_NAME_CHARS) {
    throw new RangeError(`createInvite: the group name must have 1 to ${MAX_NAME_CHARS} characters`)
  }
  if (c.fromName !== undefined && (c.fromName.length === 0 || c.fromName.length > MAX_NAME_CHARS)) {
    throw new RangeError(`createInvite: the sender's name must have 1 to ${MAX_NAME_CHARS} characters`)
  }
  const tbs = {
    v: PROTOCOL_VERSION,
    from: inviter.publicKey,
    ...(c.fromName !== undefined && { fromName: utf8(c.fromName) }),
    to: c.to,
    iat: c.iat,
    group: {
      name: utf8(c.group.name),
      swarm: c.group.swarm,
      secret: c.group.secret,
      ...(c.group.announcePublic === true && { public: 1 }),
      ...(trackers.length > 0 && { trackers: trackers.map(utf8) }),
      ...(ice.length > 0 && { ice: ice.map(utf8) }),
    },
    cert: c.certificate,
    torrents: [...c.torrents],
    peers: c.peers.map(utf8),
  }
  const body = encode(tbs)
  const plaintext = encode({
    ...tbs,
    sig: sign(inviter.secretKey, ROLE.inviter, body),
    owner: sign(swarm.secretKey, ROLE.owner, body),
  })
  const recipientX = ed25519.utils.toMontgomery(c.to)
  const e = x25519.getPublicKey(ephemeralSecret)
  const key = sealKey(x25519.getSharedSecret(ephemeralSecret, recipientX), e, recipientX)
  const box = chacha20poly1305(key, ZERO_NONCE, AAD).encrypt(plaintext)
  const file = encode({ [MAGIC]: PROTOCOL_VERSION, e, box })
  if (file.length > MAX_INVITE_BYTES) throw new RangeError('createInvite: invite exceeds MAX_INVITE_BYTES')
  return file
}

/** `d3:box<digits>:`: the first bytes of every v1 invite (its outer keys sorted, §7). */
const INVITE_START = /^d3:box[1-9][0-9]*:/
const INVITE_START_BYTES = 16 // `d3:box` and a length of up to 9 digits and its colon
const startsLikeInvite = (file: Uint8Array): boolean =>
  INVITE_START.test(String.fromCharCode(...file.subarray(0, INVITE_START_BYTES)))

/**
 * Opens an invite with the recipient's identity key and checks all of it at `now` (unix seconds):
 * the seal, the inviter's signature, the certificate (for this group and this recipient), and
 * that every torrent belongs to the group and is covered by the certificate.
 */
export function openInvite(file: Uint8Array, me: KeyPair, now: number): Result<OpenedInvite, InviteProblem> {
  if (file.length > MAX_INVITE_BYTES) return fail('oversize')
  const decodedFile = decodeCanonical(file, MAX_INVITE_BYTES)
  const fileVersion = versionField(decodedFile, MAGIC)
  if (fileVersion !== undefined && fileVersion !== PROTOCOL_VERSION) return fail('unsupported-version')
  // Begun as every v1 invite begins but not a whole bencode value: cut short or altered, not "no invite".
  if (decodedFile === undefined && startsLikeInvite(file)) return fail('damaged')
  const outer = outerSchema.safeParse(decodedFile)
  if (!outer.success) return fail('not-an-invite')
  const myX = ed25519.utils.toMontgomery(me.publicKey)
  let plaintext: Uint8Array
  try {
    const shared = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(me.secretKey), outer.data.e)
    if (isAllZero(shared)) return fail('cannot-open')
    const key = sealKey(shared, outer.data.e, myX)
    plaintext = chacha20poly1305(key, ZERO_NONCE, AAD).decrypt(outer.data.box)
  } catch {
    return fail('cannot-open')
  }
  const decoded = decodeCanonical(plaintext, MAX_INVITE_BYTES)
  const version = versionField(decoded)
  if (version !== undefined && version !== PROTOCOL_VERSION) return fail('unsupported-version')
  const inner = innerSchema.safeParse(decoded)
  if (!inner.success) return fail('malformed')
  const { sig, owner, fromName, ...fields } = inner.data
  const g = fields.group
  const tbs = encode({
    ...fields,
    ...(fromName !== undefined && { fromName: utf8(fromName) }),
    peers: fields.peers.map(utf8),
    group: {
      name: utf8(g.name),
      swarm: g.swarm,
      secret: g.secret,
      ...(g.public !== undefined && { public: g.public }),
      ...(g.trackers !== undefined && { trackers: g.trackers.map(utf8) }),
      ...(g.ice !== undefined && { ice: g.ice.map(utf8) }),
    },
  })
  if (!verify(fields.from, ROLE.inviter, tbs, sig)) return fail('bad-signature')
  if (!verify(fields.group.swarm, ROLE.owner, tbs, owner)) return fail('not-from-owner')
  if (!equalBytes(fields.to, me.publicKey)) return fail('wrong-recipient')
  const cert = verifyCertificate(fields.cert, { swarm: fields.group.swarm, now })
  if (!cert.ok || !equalBytes(cert.value.member, me.publicKey)) return fail('certificate-invalid')
  const infoHashes: string[] = []
  for (const t of fields.torrents) {
    const info = decodeInfo(t, MAX_INVITE_BYTES)
    const swarm = info === undefined ? undefined : swarmKeyOfInfo(info)
    if (swarm === undefined || !equalBytes(swarm, fields.group.swarm)) return fail('torrent-invalid')
    const ih = infoHashOf(t)
    if (cert.value.scope !== undefined && !cert.value.scope.some((h) => equalBytes(h, ih)))
      return fail('certificate-invalid')
    infoHashes.push(bytesToHex(ih))
  }
  return ok({
    from: fields.from,
    ...(fromName !== undefined && { fromName }),
    to: fields.to,
    iat: fields.iat,
    certificate: fields.cert,
    group: {
      name: g.name,
      swarm: g.swarm,
      secret: g.secret,
      announcePublic: g.public === 1,
      trackers: usableTrackers(g.trackers),
      ice: usableIce(g.ice),
    },
    torrents: fields.torrents,
    peers: fields.peers,
    parsedCertificate: cert.value,
    infoHashes,
  })
}
