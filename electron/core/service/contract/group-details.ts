/**
 * A group in full, as `coterie group show` prints it: groupView's fields (views.ts, the same one
 * the app's groups.list answers with), plus what only a terminal shows: the group key, the held
 * index's version, members and revocations as the index lists them, the rendezvous, the trackers.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { GroupIndex } from '../../protocol/group-index.js'
import { displayIceUrl } from '../../protocol/ice.js'
import type { Group, Profile, ProfileStore } from '../../profile/index.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import { findGroup } from '../operations/groups.js'
import { readGroupIndex, refusedShares } from '../operations/group-index.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { rendezvousOf } from '../operations/rendezvous.js'
import { fingerprintOf, groupKeyText, groupView, keyText } from './views.js'
import { callControl } from '../runtime/control.js'
import { DeliveryBook, type MemberDelivery } from '../runtime/delivery.js'

export interface PersonDetails {
  readonly key: string
  readonly fingerprint: string
  /** The friend's name, else the name the index gives, else ''. */
  readonly name: string
}

/**
 * A member with its delivery (runtime/delivery.ts): connected to the running node now, when last
 * seen (ISO 8601, null: never seen by this profile), how many of the group's items this node holds
 * (`of`) it holds whole (`has`), and the share of their bytes (`progress`, 0..1).
 */
export interface MemberDetails extends PersonDetails {
  readonly connected: boolean
  readonly lastSeen: string | null
  readonly has: number
  readonly of: number
  readonly progress: number
}

/** Each member's figures, by member key (hex): the running node's, or the profile's record. */
export type DeliveryOf = (member: string) => MemberDelivery | undefined

export interface GroupDetails {
  readonly name: string
  readonly id: string
  readonly owner: boolean
  readonly groupKey: string
  readonly indexVersion: number | null
  /**
   * The version this member's profile follows: below indexVersion when a received index could not
   * be written into the profile yet (the running node tries again at each reload). An owner's too.
   */
  readonly appliedVersion: number | null
  readonly autoJoin: boolean
  readonly uploadLimit: number | null
  readonly downloadLimit: number | null
  readonly certificateExpires: string | null
  readonly torrents: readonly { readonly infoHash: string; readonly name: string }[]
  /** Shares the index lists that this member does not write, and why (PROTOCOL.md §4.6): never joined. */
  readonly refused: readonly { readonly infoHash: string; readonly name: string; readonly reason: string }[]
  /** Where members meet (PROTOCOL.md §12.5): its infohash, never listed as a share. */
  readonly rendezvous: string | null
  readonly members: readonly MemberDetails[]
  readonly revoked: readonly PersonDetails[]
  readonly trackers: readonly string[]
  /** The group's STUN/TURN servers, TURN passwords masked (protocol/ice.ts displayIceUrl). */
  readonly ice: readonly string[]
}

export function groupDetails(
  p: Profile,
  g: DeepReadonly<Group>,
  index: GroupIndex | undefined,
  delivery: DeliveryOf = () => undefined,
): GroupDetails {
  const view = groupView(p, g)
  const friends = new Map(p.friends.map((f) => [f.publicKey, f.name]))
  const person = (key: string, name?: string): PersonDetails => ({
    key: keyText(key),
    fingerprint: fingerprintOf(key),
    name: friends.get(key) ?? name ?? '',
  })
  const rendezvous = rendezvousOf(g)
  const listed: { key: string; name?: string }[] =
    index?.members.map((m) => ({ key: bytesToHex(m.key), name: m.name })) ?? []
  return {
    name: view.name,
    id: view.id,
    owner: view.owner,
    groupKey: groupKeyText(g.swarmPublicKey),
    indexVersion: index?.version ?? null,
    appliedVersion: g.indexVersion ?? null,
    // The switch as stored: groupView shows an owner as always joining, this shows what was set.
    autoJoin: g.autoJoin !== false,
    uploadLimit: view.uploadLimit,
    downloadLimit: view.downloadLimit,
    certificateExpires: view.certificateExpires ?? null,
    torrents: p.torrents.filter((t) => t.groupId === g.id).map((t) => ({ infoHash: t.infoHash, name: t.name })),
    refused:
      index === undefined || g.owner
        ? []
        : refusedShares(g, index).map((s) => ({ infoHash: s.infoHash, name: s.name, reason: NAME_REASONS[s.code] })),
    rendezvous: rendezvous === undefined ? null : bytesToHex(rendezvous.infoHash),
    // The index's list when one is held (it names every member), then what the profile knows that
    // it does not (ourselves, members added since).
    members: [
      ...listed,
      ...[p.identity.publicKey, ...g.members]
        .filter((k) => !listed.some((m) => m.key === k))
        .map((key): { key: string; name?: string } => ({ key })),
    ].map((m) => {
      const d = delivery(m.key)
      return {
        ...person(m.key, m.name),
        connected: d?.connected ?? false,
        lastSeen: d?.lastSeen ?? null,
        has: d?.has ?? 0,
        of: d?.of ?? p.torrents.filter((t) => t.groupId === g.id).length,
        progress: d?.progress ?? 0,
      }
    }),
    revoked: (index?.revoked.map((k) => bytesToHex(k)) ?? g.revoked ?? []).map((k) => person(k)),
    trackers: g.trackers ?? [],
    ice: (g.ice ?? []).map(displayIceUrl),
  }
}

/** The group named `ref` (id or name) with the index this profile holds for it. */
export async function groupDetailsOf(store: ProfileStore, ref: string): Promise<GroupDetails> {
  const g = findGroup(store.current, ref)
  const delivery = await deliveryOf(store)
  return groupDetails(store.current, g, await readGroupIndex(store, g.swarmPublicKey), (k) => delivery[g.id]?.[k])
}

/** Every group's members with their delivery, as `coterie status --json` gives them. */
export async function groupsDelivery(
  store: ProfileStore,
): Promise<{ id: string; name: string; members: MemberDetails[] }[]> {
  const delivery = await deliveryOf(store)
  const out = []
  for (const g of store.current.groups) {
    const d = groupDetails(store.current, g, await readGroupIndex(store, g.swarmPublicKey), (k) => delivery[g.id]?.[k])
    out.push({ id: d.id, name: d.name, members: [...d.members] })
  }
  return out
}

/**
 * group id -> member key -> figures: the running node's, live; with no node running, what the
 * profile's record last kept (profile/delivery.ts), no one connected.
 */
async function deliveryOf(store: ProfileStore): Promise<Record<string, Record<string, MemberDelivery>>> {
  const live = await callControl(store.dir, 'members').catch(() => undefined)
  if (live?.ok === true) return live.result as Record<string, Record<string, MemberDelivery>>
  const book = await DeliveryBook.load(store.layout)
  const p = store.current
  return Object.fromEntries(
    p.groups.map((g) => [
      g.id,
      Object.fromEntries(
        [p.identity.publicKey, ...g.members, ...book.known(g.id)].map((k) => [
          k,
          { ...book.of(p, g.id, k), connected: false },
        ]),
      ),
    ]),
  )
}
