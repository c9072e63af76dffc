/**
 * The group index as a node keeps it (PROTOCOL.md §13): the owner's node publishes a new version
 * whenever the group changes (a share, a member added or removed, a renewal due), and a member's
 * node applies each newer version it receives: joins new torrents, drops those the owner took out
 * (`retractedShares`), installs its renewed certificate, takes the rotated discovery secret. The signed index lives in
 * indexes/<swarm>.index next to profile.json; it verifies itself, so it is written on its own.
 */
import { readBounded } from '../../platform/bounded-read.js'
import { MAX_INDEX_BYTES } from '../../protocol/constants.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { decodeCertificate } from '../../protocol/certificate.js'
import { fromUtf8 } from '../../protocol/bytes.js'
import { openIndex, publishIndex, type GroupIndex, type GroupIndexContent } from '../../protocol/group-index.js'
import { decodeInfo } from '../../protocol/torrent-info.js'
import {
  swarmKeyPair,
  type Group,
  type Profile,
  type ProfileData,
  type ProfileStore,
  type TorrentEntry,
} from '../../profile/index.js'
import { certificateLifetimeS, certify, findGroup, renewalDue } from './groups.js'
import { asRendezvous } from '../../protocol/rendezvous.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { takeRendezvous, withRendezvous } from './rendezvous.js'
import { defaultDownloadDir } from './downloads.js'
import { safeLayoutOfInfo } from '../../protocol/file-names.js'
import type { NameErrorCode } from '../../../../shared/protocol-codes.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'

/**
 * A share of an index this member did not join, and why (PROTOCOL.md §4.6: only that torrent is
 * refused; the rest of the index is followed). The name is the owner's, unescaped: whoever shows it
 * escapes it (cli/terminal.ts).
 */
export interface SkippedShare {
  readonly infoHash: string
  readonly name: string
  readonly code: NameErrorCode
}

/** What following one index did to the member's profile draft. */
export interface Applied {
  /** Shares joined (added to the profile), by infohash. */
  readonly joined: string[]
  /** Shares left out, each with its reason; the index was followed all the same. */
  readonly skipped: SkippedShare[]
  /** Shares the owner took out that this profile held: their entries went, their files stay. */
  readonly retracted: readonly { infoHash: string; name: string }[]
}

/** A group as the profile snapshot holds it (read-only). */
type GroupView = Profile['groups'][number]

export async function readGroupIndex(store: ProfileStore, swarmHex: string): Promise<GroupIndex | undefined> {
  // Bounded before it is read: the bytes came from a peer, and the file may have been replaced since.
  const read = await readBounded(store.layout.groupIndex(swarmHex), MAX_INDEX_BYTES)
  if (!read.ok) return undefined
  const r = openIndex(read.value, hexToBytes(swarmHex))
  return r.ok ? r.value : undefined // a damaged file is as good as none: a peer will send it again
}

export async function writeGroupIndex(store: ProfileStore, index: GroupIndex): Promise<void> {
  await store.putGroupIndex(bytesToHex(index.swarm), index.bytes)
}

/** Owner: issues or renews (at half their lifetime) the certificates of current members. */
export function renewMemberCertificates(g: Group, now: number): boolean {
  const swarm = swarmKeyPair(g)
  if (swarm === undefined) return false
  const held = new Map<string, string>()
  for (const hex of g.memberCertificates ?? []) {
    const c = decodeCertificate(hexToBytes(hex))
    if (c.ok) held.set(bytesToHex(c.value.member), hex)
  }
  let changed = (g.memberCertificates ?? []).length !== held.size
  const next: string[] = []
  const lifetime = certificateLifetimeS(g)
  for (const m of g.members) {
    const hex = held.get(m)
    if (!renewalDue(hex, lifetime, now)) next.push(hex!)
    else {
      next.push(bytesToHex(certify(swarm, hexToBytes(m), lifetime, now)))
      changed = true
    }
  }
  if (next.length !== held.size) changed = true
  g.memberCertificates = next
  return changed
}

/** Owner: what the index should say now, from the profile. */
export async function indexContent(
  store: ProfileStore,
  profile: Pick<Profile, 'friends' | 'displayName' | 'torrents'>,
  g: GroupView,
  selfKey: string,
  version: number,
  now: number,
): Promise<GroupIndexContent> {
  const friends = new Map(profile.friends.map((f) => [f.publicKey, f.name]))
  const members = [...new Set([selfKey, ...g.members])].map((key) => ({
    key: hexToBytes(key),
    name: key === selfKey ? profile.displayName || 'Owner' : (friends.get(key) ?? key.slice(0, 8)),
  }))
  const shares = await Promise.all(
    profile.torrents.filter((t) => t.groupId === g.id).map((t) => store.readTorrentInfo(t.infoHash)),
  )
  return {
    version,
    iat: now,
    name: g.name,
    secret: hexToBytes(g.groupSecret),
    torrents: withRendezvous(g, shares),
    members,
    revoked: (g.revoked ?? []).map(hexToBytes),
    certificates: [...(g.certificate === undefined ? [] : [g.certificate]), ...(g.memberCertificates ?? [])].map(
      hexToBytes,
    ),
    trackers: g.trackers ?? [],
    ice: g.ice ?? [],
  }
}

/** Whether two index contents say the same thing (the version and time aside). */
export function sameContent(a: GroupIndexContent, b: GroupIndexContent): boolean {
  const key = (c: GroupIndexContent) =>
    JSON.stringify({
      name: c.name,
      secret: bytesToHex(c.secret),
      torrents: c.torrents.map(bytesToHex),
      members: c.members.map((m) => [bytesToHex(m.key), m.name]).sort(),
      revoked: c.revoked.map(bytesToHex).sort(),
      certs: c.certificates.map(bytesToHex).sort(),
      trackers: c.trackers ?? [],
      ice: c.ice ?? [],
    })
  return key(a) === key(b)
}

export const publish = (g: GroupView, content: GroupIndexContent): GroupIndex => {
  const bytes = publishIndex(swarmKeyPair(g)!, content)
  const r = openIndex(bytes, hexToBytes(g.swarmPublicKey))
  if (!r.ok) throw new Error(`publish: own index does not verify (${r.error.code})`)
  return r.value
}

/**
 * Member: applies a newer index to the profile draft; `before` is the index it held until now (the
 * stored file), if any. Returns the torrents joined, skipped (with why) and retracted. The group's
 * local name stays the member's own choice; everything else follows the owner, the group's list of
 * shares included. A share the member cannot take (a name §4.6 refuses) is skipped, never a reason
 * to leave the index unapplied: the version, members, certificates and secret still move on.
 */
export function applyIndex(
  draft: ProfileData,
  g: Group,
  index: GroupIndex,
  ctx: { putTorrentInfo(info: Uint8Array): string; selfKey: string; defaultDownloadDir: string },
  before?: GroupIndex,
): Applied {
  g.indexVersion = index.version
  g.groupSecret = bytesToHex(index.secret)
  g.members = index.members.map((m) => bytesToHex(m.key)).filter((k) => k !== ctx.selfKey)
  g.revoked = index.revoked.map(bytesToHex)
  // The owner's list replaces the one the invite brought: a running node moves to it at once.
  if (index.trackers.length > 0) g.trackers = [...index.trackers]
  else delete g.trackers
  if (index.ice.length > 0) g.ice = [...index.ice]
  else delete g.ice
  const mine = index.certificateOf.get(ctx.selfKey)
  const current = g.certificate === undefined ? undefined : decodeCertificate(hexToBytes(g.certificate))
  if (mine !== undefined && (current === undefined || !current.ok || mine.exp > current.value.exp)) {
    g.certificate = bytesToHex(index.certificates.find((c) => bytesToHex(decodeCertOrEmpty(c)) === ctx.selfKey)!)
  }
  // Retracted shares leave the profile, so the node stops listing and seeding them at its next
  // reload; what was downloaded stays on disk, untouched (the member's own: not DRM).
  const held = draft.torrents.filter((t) => t.groupId === g.id).map((t) => t.infoHash)
  const gone = new Set(retractedShares(g, before, index, held))
  const retracted = draft.torrents
    .filter((t) => t.groupId === g.id && gone.has(t.infoHash))
    .map((t) => ({ infoHash: t.infoHash, name: t.name }))
  if (retracted.length > 0) draft.torrents = draft.torrents.filter((t) => !(t.groupId === g.id && gone.has(t.infoHash)))
  // The rendezvous is joined whatever auto-join says: it is where the group meets, not a share.
  takeRendezvous(g, index.torrents)
  // With auto-join off the rest is listed (the index is kept) and fetched when asked: joinHeldShares.
  if (g.autoJoin === false) return { joined: [], skipped: [], retracted }
  const { joined, skipped } = joinShares(draft, g, indexShares(g, index), ctx.putTorrentInfo, ctx.defaultDownloadDir)
  return { joined, skipped, retracted }
}

/**
 * The shares the owner took out (unshare.ts) that a member may hold, by infohash: since an owner's
 * index lists every share its profile holds, a share is retracted when `after` leaves it out and
 * either the index held until now (`before`) listed it, or `after` was signed after the invite the
 * member joined with (`g.inviteIat`, the owner's clock both times), whose shares it would otherwise
 * list. An index signed no later than the invite may predate a share the invite brought: that
 * share is kept, not retracted (docs/PROTOCOL.md §13.4).
 */
export function retractedShares(
  g: Pick<Group, 'swarmPublicKey' | 'inviteIat'>,
  before: Pick<GroupIndex, 'torrents' | 'infoHashes'> | undefined,
  after: Pick<GroupIndex, 'torrents' | 'infoHashes' | 'iat'>,
  held: readonly string[],
): string[] {
  const still = new Set(indexShares(g, after).map((s) => s.infoHash))
  const listed = new Set(before === undefined ? [] : indexShares(g, before).map((s) => s.infoHash))
  const afterInvite = g.inviteIat !== undefined && after.iat > g.inviteIat
  return held.filter((ih) => !still.has(ih) && (afterInvite || listed.has(ih)))
}

/** The shares an index carries, its rendezvous aside, with their infohashes (hex), in order. */
export function indexShares(
  g: Pick<Group, 'swarmPublicKey'>,
  index: Pick<GroupIndex, 'torrents' | 'infoHashes'>,
): { infoHash: string; info: Uint8Array }[] {
  const swarm = hexToBytes(g.swarmPublicKey)
  return index.torrents
    .map((info, i) => ({ infoHash: bytesToHex(index.infoHashes[i]!), info }))
    .filter((s) => asRendezvous(s.info, swarm) === undefined)
}

/**
 * The shares `after` lists that `before` did not and the profile does not hold: what a member with
 * auto-join off should hear of (listed, not fetched), each by its name.
 */
export function newlyListed(
  g: Pick<Group, 'swarmPublicKey'>,
  before: GroupIndex | undefined,
  after: GroupIndex,
  held: (infoHash: string) => boolean,
): { infoHash: string; name: string }[] {
  const seen = new Set(before === undefined ? [] : indexShares(g, before).map((s) => s.infoHash))
  return indexShares(g, after)
    .filter((s) => !seen.has(s.infoHash) && !held(s.infoHash))
    .map((s) => ({ infoHash: s.infoHash, name: torrentName(s.info) ?? s.infoHash }))
}

/**
 * Adds to the draft those of the group's shares it does not hold yet; returns their infohashes, and
 * the shares left out because their names would not be safe to write (PROTOCOL.md §4.6). Those are
 * not staged at all: an owner's bad names (a control character among them) never reach profile.json,
 * whose schema would refuse the whole update, and so the whole index, for one of them.
 */
function joinShares(
  draft: ProfileData,
  g: Group,
  shares: readonly { infoHash: string; info: Uint8Array }[],
  putTorrentInfo: (info: Uint8Array) => string,
  defaultDownloadDir: string,
): Pick<Applied, 'joined' | 'skipped'> {
  const joined: string[] = []
  const skipped: SkippedShare[] = []
  const dir = g.downloadDir ?? draft.torrents.find((t) => t.groupId === g.id)?.downloadDir ?? defaultDownloadDir
  shares.forEach(({ infoHash, info }) => {
    if (draft.torrents.some((t) => t.infoHash === infoHash)) return
    const layout = safeLayoutOfInfo(info)
    if (!layout.ok) {
      skipped.push({ infoHash, name: torrentName(info) ?? infoHash, code: layout.error.code })
      return
    }
    putTorrentInfo(info)
    const entry: TorrentEntry = {
      infoHash,
      groupId: g.id,
      // §4.6 allows a leading space; the profile's labels do not (they are trimmed).
      name: torrentName(info)?.trim() || infoHash,
      downloadDir: dir,
      addedAt: new Date().toISOString(),
      paused: false,
    }
    draft.torrents.push(entry)
    joined.push(infoHash)
  })
  return { joined, skipped }
}

/** The shares of an index this member would not write, with why: what `group show` lists as refused. */
export function refusedShares(
  g: Pick<Group, 'swarmPublicKey'>,
  index: Pick<GroupIndex, 'torrents' | 'infoHashes'>,
): SkippedShare[] {
  return indexShares(g, index).flatMap((s) => {
    const layout = safeLayoutOfInfo(s.info)
    return layout.ok ? [] : [{ infoHash: s.infoHash, name: torrentName(s.info) ?? s.infoHash, code: layout.error.code }]
  })
}

/**
 * Member: joins the shares of the group's held index that the profile lacks (auto-join was off
 * when they came, or they were removed here): all of them, or only the one named. Returns the
 * infohashes joined; a running node starts them at its next reload.
 */
export async function joinHeldShares(
  store: ProfileStore,
  groupRef: string,
  o: { only?: string; defaultDownloadDir?: string | undefined } = {},
): Promise<string[]> {
  const g = findGroup(store.current, groupRef)
  const index = await readGroupIndex(store, g.swarmPublicKey)
  const shares = (index === undefined ? [] : indexShares(g, index)).filter(
    (s) => o.only === undefined || s.infoHash === o.only,
  )
  if (o.only !== undefined && shares.length === 0)
    throw new ServiceError('unknown-torrent', `"${g.name}" lists no ${o.only}.`)
  // Asked for by name: say why it is not taken. Asked for all: the others are joined (group show lists the refused).
  const layout = o.only === undefined ? undefined : safeLayoutOfInfo(shares[0]!.info)
  if (layout?.ok === false) throw new ServiceError('unsafe-name', NAME_REASONS[layout.error.code])
  let joined: string[] = []
  await store.update((draft, ctx) => {
    const dg = draft.groups.find((x) => x.id === g.id)
    if (dg === undefined) return
    joined = joinShares(
      draft,
      dg,
      shares,
      ctx.putTorrentInfo,
      o.defaultDownloadDir ?? draft.settings.downloadDir ?? defaultDownloadDir(),
    ).joined
  })
  return joined
}

function decodeCertOrEmpty(bytes: Uint8Array): Uint8Array {
  const c = decodeCertificate(bytes)
  return c.ok ? c.value.member : new Uint8Array(0)
}

function torrentName(info: Uint8Array): string | undefined {
  const name = decodeInfo(info, info.length)?.name
  return name instanceof Uint8Array ? fromUtf8(name) : undefined
}
