/**
 * The group index (docs/PROTOCOL.md §13): the owner's signed, versioned statement of what a group
 * is now. Members relay it to each other over sealed messages, so a new share, a renewal or a
 * removal reaches every member without a new invite, even while the owner is offline.
 *
 *   d 5:certs l <certificate>... e   current certificates of the members (renewals travel here)
 *     3:iat i<unix s>e
 *     7:members l d 3:key 32:<identity> 4:name <text> e ... e   sorted by key, distinct
 *     4:name <text>                   the group's name
 *     7:revoked l 32:<identity>... e  sorted, distinct, none of them a member
 *     6:secret 32:<group secret>      the current discovery secret (rotates on removal)
 *     3:sig 64:<Ed25519>  5:swarm 32:<swarm key>
 *     8:torrents l <info dictionary>... e   the collection, full metadata, distinct infohashes
 *     8:trackers l <url>... e         the group's trackers; absent when it has none
 *     3:ice l <url>... e              the group's STUN/TURN servers (protocol/ice.ts); absent when none
 *     1:v i1e  7:version i<n>e  e
 *
 * sig = Ed25519(swarm secret, bencode(["coterie", 1, "index", bencode(index without sig)])).
 * Versions only go forward: a node keeps the highest version it has verified and ignores the rest.
 */
import { z } from 'zod'
import { err, ok, type Reason, type Result } from '../../../shared/result.js'
import type { IndexErrorCode } from '../../../shared/protocol-codes.js'
import { bytesToHex, compareBytes, equalBytes } from './bytes.js'
import { decodeCanonical, encode } from './canonical.js'
import { decodeCertificate, type Certificate } from './certificate.js'
import {
  KEY_BYTES,
  MAX_ICE_SERVERS,
  MAX_INDEX_BYTES,
  MAX_INDEX_MEMBERS,
  MAX_INVITE_TORRENTS,
  MAX_INVITE_TRACKERS,
  MAX_NAME_CHARS,
  PROTOCOL_VERSION,
  ROLE,
  SIGNATURE_BYTES,
} from './constants.js'
import { iceList, isIceUrl, usableIce } from './ice.js'
import { isTrackerUrl, trackerList, usableTrackers } from './invite.js'
import { isValidPublicKey, type KeyPair } from './keys.js'
import { bytesOf, text, uint, versionField } from './schema.js'
import { sign, verify } from './signing.js'
import { decodeInfo, infoHashOf, swarmKeyOfInfo } from './torrent-info.js'

export interface IndexMember {
  readonly key: Uint8Array
  readonly name: string
}

export interface GroupIndexContent {
  readonly version: number
  readonly iat: number
  readonly name: string
  readonly secret: Uint8Array
  /** Raw bencoded info dictionaries, in the owner's order. */
  readonly torrents: readonly Uint8Array[]
  readonly members: readonly IndexMember[]
  readonly revoked: readonly Uint8Array[]
  readonly certificates: readonly Uint8Array[]
  /** The group's tracker URLs (udp, http, https), announced to under the private topics; none if absent. */
  readonly trackers?: readonly string[]
  /** The group's ICE servers (stun:, turn:, turns: URLs) for its members' WebRTC connections; none if absent. */
  readonly ice?: readonly string[]
}

export interface GroupIndex extends GroupIndexContent {
  readonly trackers: readonly string[]
  readonly ice: readonly string[]
  readonly swarm: Uint8Array
  readonly infoHashes: readonly Uint8Array[]
  /** The certificates, decoded, by member key (hex). */
  readonly certificateOf: ReadonlyMap<string, Certificate>
  /** The signed bytes, to relay as they are. */
  readonly bytes: Uint8Array
}

export type IndexProblem = Reason<IndexErrorCode>
const fail = (code: IndexErrorCode): { ok: false; error: IndexProblem } => err({ code })

const indexSchema = z.strictObject({
  v: uint,
  swarm: bytesOf(KEY_BYTES),
  version: uint.min(1),
  iat: uint,
  name: text(MAX_NAME_CHARS),
  secret: bytesOf(32),
  torrents: z.array(z.instanceof(Uint8Array)).max(MAX_INVITE_TORRENTS),
  members: z.array(z.strictObject({ key: bytesOf(KEY_BYTES), name: text(MAX_NAME_CHARS) })).max(MAX_INDEX_MEMBERS),
  revoked: z.array(bytesOf(KEY_BYTES)).max(MAX_INDEX_MEMBERS),
  certs: z.array(z.instanceof(Uint8Array)).max(MAX_INDEX_MEMBERS),
  trackers: trackerList.optional(),
  ice: iceList.optional(),
  sig: bytesOf(SIGNATURE_BYTES),
})

const strictlySorted = (keys: readonly Uint8Array[]): boolean =>
  keys.every((k, i) => i === 0 || compareBytes(keys[i - 1]!, k) < 0)

/** Signs a version of the index with the swarm key. Throws on caller bugs (unsorted is fixed here). */
export function publishIndex(swarm: KeyPair, c: GroupIndexContent): Uint8Array {
  if (!Number.isSafeInteger(c.version) || c.version < 1)
    throw new RangeError('publishIndex: version is an integer >= 1')
  const members = [...c.members].sort((a, b) => compareBytes(a.key, b.key))
  const revoked = [...c.revoked].sort(compareBytes)
  const trackers = [...new Set(c.trackers ?? [])]
  if (trackers.length > MAX_INVITE_TRACKERS || !trackers.every(isTrackerUrl))
    throw new RangeError(`publishIndex: at most ${MAX_INVITE_TRACKERS} trackers, each a udp, http(s) or ws(s) URL`)
  const ice = [...new Set(c.ice ?? [])]
  if (ice.length > MAX_ICE_SERVERS || !ice.every(isIceUrl))
    throw new RangeError(`publishIndex: at most ${MAX_ICE_SERVERS} ICE servers, each a stun:, turn: or turns: URL`)
  const tbs = {
    v: PROTOCOL_VERSION,
    swarm: swarm.publicKey,
    version: c.version,
    iat: c.iat,
    name: c.name,
    secret: c.secret,
    torrents: [...c.torrents],
    members: members.map((m) => ({ key: m.key, name: m.name })),
    revoked,
    certs: [...c.certificates],
    ...(trackers.length > 0 && { trackers }),
    ...(ice.length > 0 && { ice }),
  }
  const bytes = encode({ ...tbs, sig: sign(swarm.secretKey, ROLE.index, encode(tbs)) })
  const check = openIndex(bytes, swarm.publicKey)
  if (!check.ok) throw new RangeError(`publishIndex: ${check.error.code}`)
  return bytes
}

/**
 * Verifies an index for the group of `swarm`: signature, shape, and that everything in it belongs
 * to the group. Time is not checked: an index is a statement, not a credential (its certificates
 * are checked again at every handshake).
 */
export function openIndex(bytes: Uint8Array, swarm: Uint8Array): Result<GroupIndex, IndexProblem> {
  if (bytes.length > MAX_INDEX_BYTES) return fail('oversize')
  const decoded = decodeCanonical(bytes, MAX_INDEX_BYTES)
  const version = versionField(decoded)
  if (version !== undefined && version !== PROTOCOL_VERSION) return fail('unsupported-version')
  const parsed = indexSchema.safeParse(decoded)
  if (!parsed.success) return fail('malformed')
  const d = parsed.data
  if (!equalBytes(d.swarm, swarm)) return fail('wrong-group')
  const { sig, ...tbs } = d
  if (!verify(swarm, ROLE.index, encode(tbs), sig)) return fail('bad-signature')
  const memberKeys = d.members.map((m) => m.key)
  if (!strictlySorted(memberKeys) || !strictlySorted(d.revoked)) return fail('malformed')
  if (!memberKeys.every(isValidPublicKey) || d.revoked.some((r) => memberKeys.some((m) => equalBytes(m, r))))
    return fail('malformed')

  const infoHashes: Uint8Array[] = []
  for (const t of d.torrents) {
    const info = decodeInfo(t, MAX_INDEX_BYTES)
    const key = info === undefined ? undefined : swarmKeyOfInfo(info)
    if (key === undefined || !equalBytes(key, swarm)) return fail('torrent-invalid')
    const ih = infoHashOf(t)
    if (infoHashes.some((h) => equalBytes(h, ih))) return fail('malformed')
    infoHashes.push(ih)
  }
  const certificateOf = new Map<string, Certificate>()
  for (const bytesOfCert of d.certs) {
    const c = decodeCertificate(bytesOfCert)
    if (!c.ok || !equalBytes(c.value.swarm, swarm) || !memberKeys.some((m) => equalBytes(m, c.value.member)))
      return fail('certificate-invalid')
    const id = bytesToHex(c.value.member)
    if (certificateOf.has(id)) return fail('malformed')
    certificateOf.set(id, c.value)
  }
  return ok({
    swarm: d.swarm,
    version: d.version,
    iat: d.iat,
    name: d.name,
    secret: d.secret,
    torrents: d.torrents,
    members: d.members,
    revoked: d.revoked,
    certificates: d.certs,
    trackers: usableTrackers(d.trackers),
    ice: usableIce(d.ice),
    infoHashes,
    certificateOf,
    bytes,
  })
}

/** Whether `candidate` replaces what we hold: versions only go forward, an equal one changes nothing. */
export function supersedes(
  held: Pick<GroupIndex, 'version'> | undefined,
  candidate: Pick<GroupIndex, 'version'>,
): boolean {
  return held === undefined || candidate.version > held.version
}

/** Opens `bytes` and keeps it only if it is newer than `held`; the reason otherwise. */
export function acceptIndex(
  held: GroupIndex | undefined,
  bytes: Uint8Array,
  swarm: Uint8Array,
): Result<GroupIndex, IndexProblem> {
  const opened = openIndex(bytes, swarm)
  if (!opened.ok) return opened
  return supersedes(held, opened.value) ? opened : fail('stale')
}

/** Is `member` revoked in this index? (Up-to-date peers refuse it at once, connections included.) */
export const isRevoked = (index: Pick<GroupIndex, 'revoked'> | undefined, member: Uint8Array): boolean =>
  index?.revoked.some((r) => equalBytes(r, member)) === true
