/** Invites: the owner seals a group to one friend; the friend opens it and joins. */
import { resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { hexToBytes, randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex, fromUtf8 } from '../../protocol/bytes.js'
import { decodeInfo } from '../../protocol/torrent-info.js'
import { MAX_INVITE_BYTES, MAX_INVITE_PEERS } from '../../protocol/constants.js'
import { createInvite, isPeerAddress, openInvite, type OpenedInvite } from '../../protocol/invite.js'
import { fingerprint, type KeyPair } from '../../protocol/keys.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import { identityKeyPair, type Group, type ProfileStore } from '../../profile/index.js'
import { readBounded } from '../../platform/bounded-read.js'
import { findFriend } from './friends.js'
import { certificateLifetimeS, certificateMember, certify, ownedGroup, ownerKeys } from './groups.js'
import { ensureRendezvous, isRendezvous, takeRendezvous, withRendezvous } from './rendezvous.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { checkDownloadFolder, groupFolder } from './placement.js'
import { INVITE_REASONS, NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { safeLayoutOfInfo } from '../../protocol/file-names.js'

export interface InviteOptions {
  /** Extra "host:port" to put in the invite (e.g. this node's public address). */
  readonly peers?: readonly string[]
}

/** Writes an invite for `friendRef` to `out` and answers its bytes; the friend becomes a member if not one yet. */
export async function writeInvite(
  store: ProfileStore,
  groupRef: string,
  friendRef: string,
  out: string,
  o: InviteOptions = {},
): Promise<Uint8Array> {
  const bytes = await inviteFor(store, groupRef, friendRef, o)
  await writeFileAtomic(resolve(out), Buffer.from(bytes))
  return bytes
}

/** The bytes of an invite for `friendRef` (a `.coterie` file); the friend becomes a member if not one yet. */
export async function inviteFor(
  store: ProfileStore,
  groupRef: string,
  friendRef: string,
  o: InviteOptions = {},
): Promise<Uint8Array> {
  const bad = (o.peers ?? []).find((p) => !isPeerAddress(p))
  if (bad !== undefined) throw new ServiceError('bad-peer', `"${bad}"`)
  const { result: file } = await store.update(async (draft, ctx) => {
    const group = ownedGroup(draft, groupRef)
    const friend = findFriend(draft, friendRef)
    if (!group.members.includes(friend.publicKey)) group.members.push(friend.publicKey)
    const swarm = ownerKeys(group)
    const to = hexToBytes(friend.publicKey)
    ensureRendezvous(group) // a group made before rendezvous existed gets one now
    const shares = await Promise.all(
      draft.torrents.filter((t) => t.groupId === group.id).map((t) => store.readTorrentInfo(t.infoHash)),
    )
    const torrents = withRendezvous(group, shares)
    const certificate = certify(swarm, to, certificateLifetimeS(group))
    // The group index carries this same certificate, so the owner's node need not issue another.
    group.memberCertificates = [
      ...(group.memberCertificates ?? []).filter((c) => certificateMember(c) !== friend.publicKey),
      bytesToHex(certificate),
    ]
    // Our name as we set it, a claim the friend sees beside our fingerprint; none picked, none sent.
    return sealInvite({ inviter: identityKeyPair(ctx.identity), swarm }, draft.displayName, group, {
      to,
      certificate,
      torrents,
      peers: o.peers ?? [],
    })
  })
  return file
}

/**
 * The invite bytes sealing `group` (whose swarm key pair is `signers.swarm`) to the key `to`
 * (PROTOCOL.md §7): the group as it is now, the certificate issued for `to`, its torrents, and
 * where to find peers (those given first, then the group's own). A friend's invite and a content
 * provider's subscriber's (subscription.ts) are both this one record.
 */
export function sealInvite(
  signers: { readonly inviter: KeyPair; readonly swarm: KeyPair },
  fromName: string,
  group: DeepReadonly<Pick<Group, 'name' | 'groupSecret' | 'announcePublic' | 'trackers' | 'ice' | 'peers'>>,
  c: { to: Uint8Array; certificate: Uint8Array; torrents: Uint8Array[]; peers: readonly string[] },
): Uint8Array {
  return createInvite(
    signers,
    {
      ...(fromName !== '' && { fromName }),
      to: c.to,
      iat: Math.floor(Date.now() / 1000),
      group: {
        name: group.name,
        swarm: signers.swarm.publicKey,
        secret: hexToBytes(group.groupSecret),
        announcePublic: group.announcePublic,
        trackers: [...(group.trackers ?? [])],
        ice: [...(group.ice ?? [])],
      },
      certificate: c.certificate,
      torrents: c.torrents,
      peers: [...new Set([...c.peers, ...group.peers])].slice(0, MAX_INVITE_PEERS),
    },
    randomBytes(32),
  )
}

/** What an invite grants, for a person to read before accepting. */
export interface InvitePreview {
  readonly group: string
  readonly from: string
  readonly fromFingerprint: string
  /** The friend's name, if the sender is one of our friends. */
  readonly fromFriend?: string
  /** The name the sender claims for themself in the invite, if any (unverified: the fingerprint is what counts). */
  readonly fromName?: string
  readonly torrents: readonly string[]
  readonly expires: string
  readonly invite: OpenedInvite
}

/** An invite file's path, or its bytes (dropped on the window, received over IPC). */
export type InviteSource = string | Uint8Array

async function inviteBytes(source: InviteSource): Promise<Uint8Array> {
  const tooLarge = () => new ServiceError('bad-invite', 'It is far larger than any invite.')
  if (typeof source !== 'string') {
    if (source.length > MAX_INVITE_BYTES) throw tooLarge()
    return source
  }
  // Never more than an invite's maximum, whatever the path is (`coterie join /dev/zero`): platform/bounded-read.ts.
  const full = resolve(source)
  const r = await readBounded(full, MAX_INVITE_BYTES)
  if (r.ok) return r.value
  if (r.error === 'missing') throw new ServiceError('missing-file', full)
  if (r.error === 'too-large') throw tooLarge()
  if (r.error === 'not-a-file') throw new ServiceError('bad-invite', `${full} is not a file.`)
  throw new ServiceError('bad-invite', r.detail)
}

export async function readInvite(store: ProfileStore, source: InviteSource): Promise<InvitePreview> {
  const bytes = await inviteBytes(source)
  const profile = await store.read()
  const opened = openInvite(bytes, identityKeyPair(profile.identity), Math.floor(Date.now() / 1000))
  if (!opened.ok) throw new ServiceError('bad-invite', INVITE_REASONS[opened.error.code])
  const inv = opened.value
  const from = bytesToHex(inv.from)
  return {
    group: inv.group.name,
    from,
    fromFingerprint: fingerprint(inv.from),
    ...(inv.fromName !== undefined && { fromName: inv.fromName }),
    ...(profile.friends.some((f) => f.publicKey === from) && {
      fromFriend: profile.friends.find((f) => f.publicKey === from)!.name,
    }),
    torrents: inv.infoHashes.filter((_, i) => !isRendezvous(inv.torrents[i]!, bytesToHex(inv.group.swarm))),
    expires: new Date(inv.parsedCertificate.exp * 1000).toISOString(),
    invite: inv,
  }
}

/**
 * Where a joined group's files go: a folder the person chose, used as it is, or the base under
 * which the group gets a folder of its own (placement.ts groupFolder), so that no two groups
 * write into one folder unless someone asked for it.
 */
export type Destination = string | { readonly base: string }

/** The folder a join would use, for the person to see (and change) before accepting. */
export async function joinFolder(
  store: ProfileStore,
  swarmHex: string,
  groupName: string,
  to: Destination,
): Promise<string> {
  if (typeof to === 'string') return resolve(to)
  const groups = store.current.groups
  const held = groups.find((g) => g.swarmPublicKey === swarmHex)
  if (held?.downloadDir !== undefined) return held.downloadDir // joining again: where it already goes
  return groupFolder(
    to.base,
    { id: held?.id ?? swarmHex.slice(0, 8), name: held?.name ?? uniqueName(groupName, groups) },
    groups,
  )
}

/** Accepts an invite: the group, our certificate and its torrents enter the profile. */
export async function join(
  store: ProfileStore,
  source: InviteSource,
  to: Destination,
): Promise<{ group: Group; torrents: string[] }> {
  const { invite } = await readInvite(store, source)
  const swarmHex = bytesToHex(invite.group.swarm)
  const dir = await joinFolder(store, swarmHex, invite.group.name, to)
  await checkDownloadFolder(dir, store.dir) // never the profile folder, where the identity is
  const { result } = await store.update((draft, ctx) => {
    // Joining again (a renewed invite) updates the certificate, secret, peers and collection.
    let group = draft.groups.find((g) => g.swarmPublicKey === swarmHex)
    if (group === undefined) {
      group = {
        id: swarmHex.slice(0, 8),
        name: uniqueName(invite.group.name, draft.groups),
        owner: false,
        swarmPublicKey: swarmHex,
        groupSecret: bytesToHex(invite.group.secret),
        members: [],
        announcePublic: false,
        peers: [],
        createdAt: new Date().toISOString(),
      }
      while (draft.groups.some((g) => g.id === group!.id)) group.id = swarmHex.slice(0, group.id.length + 4)
      draft.groups.push(group)
    }
    group.certificate = bytesToHex(invite.certificate)
    group.groupSecret = bytesToHex(invite.group.secret)
    // The owner decides how the group is announced; a member follows the latest invite, or it
    // would keep announcing privately what the owner made public (and miss its trackers).
    group.announcePublic = invite.group.announcePublic
    if (invite.group.trackers.length > 0) group.trackers = [...invite.group.trackers]
    else delete group.trackers
    if (invite.group.ice.length > 0) group.ice = [...invite.group.ice]
    else delete group.ice
    group.peers = [...new Set([...invite.peers, ...group.peers])]
    // Whoever invited us is a member (the owner, until the group index names the rest): a friend's
    // static address is then tried for this group before the first index arrives (issue 14).
    const inviter = bytesToHex(invite.from)
    if (inviter !== ctx.identity.publicKey && !group.members.includes(inviter)) group.members.push(inviter)
    group.downloadDir = dir // where what the owner adds later goes (group index)
    group.inviteIat = invite.iat // an index signed later says which of its shares are still shared
    const added: string[] = []
    const shares = takeRendezvous(group, invite.torrents)
    invite.torrents.forEach((info, i) => {
      if (!shares.includes(info)) return // the rendezvous: the group keeps it, it is no share
      const infoHash = ctx.putTorrentInfo(info)
      if (draft.torrents.some((t) => t.infoHash === infoHash)) return
      draft.torrents.push({
        infoHash,
        groupId: group!.id,
        name: torrentName(info) ?? invite.infoHashes[i]!,
        downloadDir: dir,
        addedAt: new Date().toISOString(),
        paused: false,
      })
      added.push(infoHash)
    })
    return { group: structuredClone(group), torrents: added }
  })
  return result
}

function uniqueName(name: string, groups: readonly Pick<Group, 'name'>[]): string {
  let candidate = name
  for (let n = 2; groups.some((g) => g.name.toLowerCase() === candidate.toLowerCase()); n++)
    candidate = `${name} (${n})`
  return candidate
}

/** The name a torrent suggests for its file or folder (BEP 3), if it has one. */
export function torrentName(info: Uint8Array): string | undefined {
  const name = decodeInfo(info, info.length)?.name // BEP 3: the suggested file or folder name
  return name instanceof Uint8Array ? fromUtf8(name) : undefined
}

/** The torrents of an invite whose names the file-name rule refuses (PROTOCOL.md §4.6): joined, never written. */
export function refusedNames(
  invite: Pick<OpenedInvite, 'torrents' | 'infoHashes'>,
): { infoHash: string; reason: string }[] {
  return invite.torrents.flatMap((info, i) => {
    const r = safeLayoutOfInfo(info)
    return r.ok ? [] : [{ infoHash: invite.infoHashes[i]!, reason: NAME_REASONS[r.error.code] }]
  })
}
