/**
 * Groups: a swarm key, a group secret, members, and a collection of torrents. The owner holds
 * the swarm key: it issues certificates (its own included, so it proves itself like anyone) and
 * signs invites.
 */
import { randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { decodeCertificate, issueCertificate } from '../../protocol/certificate.js'
import { generateKeyPair, type KeyPair } from '../../protocol/keys.js'
import { isTrackerUrl } from '../../protocol/invite.js'
import { MAX_ICE_SERVERS, MAX_INVITE_TRACKERS } from '../../protocol/constants.js'
import { parseIceUrl } from '../../protocol/ice.js'
import { ICE_URL_REASONS } from '../../../../shared/ui/reason-text.js'
import { RENDEZVOUS_ID_BYTES } from '../../protocol/rendezvous.js'
import { nameKey, swarmKeyPair, type Group, type ProfileStore } from '../../profile/index.js'
import { findFriend } from './friends.js'
import { ServiceError } from '../../../../shared/service-errors.js'

/** Certificates are short-lived: expiry is how access ends (renewal is the owner's node's job). */
export const DEFAULT_CERTIFICATE_DAYS = 30
const DAY_S = 86_400

export interface CreateGroupOptions {
  readonly members?: readonly string[]
  /** Also announce the plain infohash (content-provider mode: non-enforcing clients may help). */
  readonly announcePublic?: boolean
  /** Tracker URLs; members learn them from invites. */
  readonly trackers?: readonly string[]
  /** STUN/TURN server URLs for members' WebRTC connections (hole punching, relays); members learn them from invites. */
  readonly ice?: readonly string[]
  /** How long certificates last before the owner's node renews them (default 30 days). */
  readonly certificateLifetimeS?: number
}

function checkTrackers(trackers: readonly string[]): string[] {
  const bad = trackers.find((t) => !isTrackerUrl(t))
  if (bad !== undefined) throw new ServiceError('bad-tracker', `"${bad}"`)
  const unique = [...new Set(trackers)]
  if (unique.length > MAX_INVITE_TRACKERS) throw new ServiceError('bad-tracker', `${unique.length} given.`)
  return unique
}

/**
 * A list of ICE server URLs as the owner gives it, checked before it is signed: each URL's reason
 * (PROTOCOL.md §6.6) is the message, so a TURN password with a raw ':' says how to escape it.
 */
export function checkIce(urls: readonly string[]): string[] {
  for (const url of urls) {
    const r = parseIceUrl(url)
    if (!r.ok) throw new ServiceError('bad-ice', `"${url}": ${ICE_URL_REASONS[r.error.code]}`)
  }
  const unique = [...new Set(urls)]
  if (unique.length > MAX_ICE_SERVERS) throw new ServiceError('bad-ice', `${unique.length} given.`)
  return unique
}

export async function createGroup(store: ProfileStore, name: string, o: CreateGroupOptions = {}): Promise<Group> {
  const swarm = generateKeyPair()
  const trackers = checkTrackers(o.trackers ?? [])
  const ice = checkIce(o.ice ?? [])
  const { result } = await store.update((draft, ctx) => {
    if (draft.groups.some((g) => nameKey(g.name) === nameKey(name)))
      throw new ServiceError('duplicate-group', `"${name}"`)
    const members = (o.members ?? []).map((ref) => findFriend(draft, ref).publicKey)
    const group: Group = {
      id: groupId(swarm.publicKey, draft.groups),
      name: name.trim(),
      owner: true,
      swarmPublicKey: bytesToHex(swarm.publicKey),
      swarmSecretKey: bytesToHex(swarm.secretKey),
      groupSecret: bytesToHex(randomBytes(32)),
      // Members meet in the rendezvous torrent from the first invite on, before anything is shared.
      rendezvous: bytesToHex(randomBytes(RENDEZVOUS_ID_BYTES)),
      members: [...new Set(members)],
      certificate: bytesToHex(certify(swarm, Buffer.from(ctx.identity.publicKey, 'hex'), o.certificateLifetimeS)),
      announcePublic: o.announcePublic ?? false,
      peers: [],
      ...(trackers.length > 0 && { trackers }),
      ...(ice.length > 0 && { ice }),
      createdAt: new Date().toISOString(),
      ...(o.certificateLifetimeS !== undefined && { certificateLifetimeS: o.certificateLifetimeS }),
    }
    draft.groups.push(group)
    return group
  })
  return result
}

export async function addMember(store: ProfileStore, groupRef: string, friendRef: string): Promise<void> {
  await store.update((draft) => {
    const group = ownedGroup(draft, groupRef)
    const friend = findFriend(draft, friendRef)
    if (!group.members.includes(friend.publicKey)) group.members.push(friend.publicKey)
    group.revoked = group.revoked?.filter((k) => k !== friend.publicKey) // added back: no longer revoked
  })
}

/** Replaces an owned group's trackers (none to stop using trackers); members follow through the group index. */
export async function setTrackers(
  store: ProfileStore,
  groupRef: string,
  urls: readonly string[],
): Promise<readonly string[]> {
  const trackers = checkTrackers(urls)
  await store.update((draft) => {
    const group = ownedGroup(draft, groupRef)
    if (trackers.length > 0) group.trackers = trackers
    else delete group.trackers
  })
  return trackers
}

/**
 * Replaces an owned group's ICE servers (none: members connect only directly and through what
 * they name themselves); members follow through the group index, a running node at once.
 */
export async function setIce(
  store: ProfileStore,
  groupRef: string,
  urls: readonly string[],
): Promise<readonly string[]> {
  const ice = checkIce(urls)
  await store.update((draft) => {
    const group = ownedGroup(draft, groupRef)
    if (ice.length > 0) group.ice = ice
    else delete group.ice
  })
  return ice
}

/**
 * Removes a member: off the member list, onto the revocation list, and the discovery secret rotates
 * (the running node publishes the next group index, which carries all three to the others). What
 * they already downloaded stays theirs: Coterie is not DRM.
 */
export async function removeMember(store: ProfileStore, groupRef: string, friendRef: string): Promise<void> {
  await store.update((draft) => {
    const group = ownedGroup(draft, groupRef)
    // A member need not be a friend any more (removed from friends first): its key names it too.
    const key = group.members.includes(friendRef) ? friendRef : findFriend(draft, friendRef).publicKey
    const name = draft.friends.find((f) => f.publicKey === key)?.name ?? key.slice(0, 8)
    if (!group.members.includes(key)) throw new ServiceError('not-member', `"${name}" is not in "${group.name}".`)
    group.members = group.members.filter((m) => m !== key)
    group.revoked = [...new Set([...(group.revoked ?? []), key])]
    group.memberCertificates = (group.memberCertificates ?? []).filter((c) => certificateMember(c) !== key)
    group.groupSecret = bytesToHex(randomBytes(32))
  })
}

/**
 * Puts keys (hex) on an owned group's revocation list without their being members: a content
 * provider's subscribers hold certificates but are not on the member list (docs/PROVIDER.md).
 * As removeMember: their certificates go, and the discovery secret rotates away from them.
 */
export async function revokeKeys(store: ProfileStore, groupRef: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return
  await store.update((draft) => {
    const group = ownedGroup(draft, groupRef)
    const fresh = keys.filter((k) => !(group.revoked ?? []).includes(k))
    if (fresh.length === 0) return
    group.members = group.members.filter((m) => !fresh.includes(m))
    group.revoked = [...new Set([...(group.revoked ?? []), ...fresh])]
    group.memberCertificates = (group.memberCertificates ?? []).filter(
      (c) => !fresh.includes(certificateMember(c) ?? ''),
    )
    group.groupSecret = bytesToHex(randomBytes(32))
  })
}

/** Whether a member's node joins what the owner adds to the group by itself. */
export async function setAutoJoin(store: ProfileStore, groupRef: string, on: boolean): Promise<void> {
  await store.update((draft) => {
    const group = findGroup(draft, groupRef)
    group.autoJoin = on
  })
}

/** How long the group's certificates last (the owner chooses; 30 days unless it said otherwise). */
export const certificateLifetimeS = (g: { readonly certificateLifetimeS?: number | undefined }): number =>
  g.certificateLifetimeS ?? DEFAULT_CERTIFICATE_DAYS * DAY_S

/** A certificate for `member`, valid from a minute ago (clock skew) for `lifetimeS`. */
/** The member key (hex) a stored certificate names, or undefined if it does not decode. */
export function certificateMember(certHex: string): string | undefined {
  const d = decodeCertificate(Buffer.from(certHex, 'hex'))
  return d.ok ? bytesToHex(d.value.member) : undefined
}

export function certify(
  swarm: KeyPair,
  member: Uint8Array,
  lifetimeS = DEFAULT_CERTIFICATE_DAYS * DAY_S,
  now = Math.floor(Date.now() / 1000),
): Uint8Array {
  return issueCertificate(swarm, { member, iat: now - 60, exp: now + lifetimeS })
}

/** Due for renewal: less than half of the group's lifetime left (or not a certificate at all). */
export function renewalDue(certHex: string | undefined, lifetimeS: number, now: number): boolean {
  const c = certHex === undefined ? undefined : decodeCertificate(Buffer.from(certHex, 'hex'))
  return c === undefined || !c.ok || c.value.exp - now < lifetimeS / 2
}

export function findGroup<G extends Pick<Group, 'id' | 'name'>>(
  profile: { readonly groups: readonly G[] },
  ref: string,
): G {
  const g = profile.groups.find((x) => x.id === ref) ?? profile.groups.find((x) => nameKey(x.name) === nameKey(ref))
  if (g === undefined) throw new ServiceError('unknown-group', `"${ref}"`)
  return g
}

export function ownedGroup<G extends Group>(profile: { groups: G[] }, ref: string): G & { swarmSecretKey: string } {
  const g = findGroup(profile, ref)
  if (!g.owner || g.swarmSecretKey === undefined)
    throw new ServiceError('not-owner', `"${g.name}" was shared with you.`)
  return g as G & { swarmSecretKey: string }
}

export const ownerKeys = (g: Pick<Group, 'swarmPublicKey' | 'swarmSecretKey'>): KeyPair => {
  const k = swarmKeyPair(g)
  if (k === undefined) throw new ServiceError('not-owner')
  return k
}

// Short, stable, readable: the swarm key's first hex digits, longer only on a collision.
function groupId(swarm: Uint8Array, existing: readonly Pick<Group, 'id'>[]): string {
  const hex = bytesToHex(swarm)
  for (let n = 8; n <= hex.length; n += 4) if (!existing.some((g) => g.id === hex.slice(0, n))) return hex.slice(0, n)
  return hex
}
