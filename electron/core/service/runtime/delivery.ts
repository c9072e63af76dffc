/**
 * Delivery per member (issue 17): whether each member of a group has the group's items, worked
 * out from what its node announces on our wires. After the closed-swarm handshake the engine
 * knows which member key each wire proved; what that peer holds is its bitfield and HAVEs
 * (`pieces` of engine/peers.ts). So for each group, member and item this book keeps the share of
 * the item's pieces the member last announced, and when the member was last connected (a peer on
 * any torrent of the group, its rendezvous included, proved its key and we authorized it).
 *
 * Only what this node sees: a member is observed on the items this profile holds, while it is
 * connected to us; between connections the last figures stand (and are saved, profile/delivery.ts,
 * so they outlive a restart). This node's own row is its own progress. Why announced pieces and
 * not a sealed status in the group's messages: docs/ENGINE.md §7.
 */
import type { TorrentSummary } from '../../engine/engine.js'
import {
  loadDelivery,
  saveDelivery,
  MAX_DELIVERY_ENTRIES,
  type DeliveryGroup,
  type DeliveryGroups,
  type Profile,
  type ProfileLayout,
} from '../../profile/index.js'
import { MAX_INDEX_MEMBERS } from '../../protocol/constants.js'

/** What a group screen and `coterie group show` say about one member. */
export interface MemberDelivery {
  /** Its node is connected to ours now (always true for our own row). */
  readonly connected: boolean
  /** When this node last saw it connected (ISO 8601); absent: never, as far as this profile knows. */
  readonly lastSeen?: string
  /** Items of the group it holds whole, out of `of`. */
  readonly has: number
  /** The group's items this node holds (and so can observe members on). */
  readonly of: number
  /** 0..1: the bytes of those items it holds, by what it last announced. */
  readonly progress: number
}

/**
 * How often a connected member's lastSeen alone makes the record worth writing again: the figures
 * shown are minutes ("last seen 14:05"), a write a minute while anyone is connected is plenty.
 */
export const LAST_SEEN_SAVE_MS = 60_000

/** `group id` -> the member keys (hex) connected now. */
type Connected = Map<string, Set<string>>

export class DeliveryBook {
  #groups: DeliveryGroups
  #connected: Connected = new Map()
  /** Changed since the record was last written. */
  #dirty = false
  #saving: Promise<void> = Promise.resolve()

  private constructor(groups: DeliveryGroups) {
    this.#groups = groups
  }

  /** The book as the profile's record left it (empty if there is none). */
  static async load(layout: ProfileLayout): Promise<DeliveryBook> {
    return new DeliveryBook(await loadDelivery(layout))
  }

  static empty(): DeliveryBook {
    return new DeliveryBook({})
  }

  get dirty(): boolean {
    return this.#dirty
  }

  /**
   * Takes the engine's torrents as they are now. `rendezvousGroup` names the group whose
   * rendezvous an infohash is (members meet there, so it counts for "connected", not as an item).
   */
  update(
    profile: Profile,
    summaries: readonly TorrentSummary[],
    rendezvousGroup: (infoHash: string) => string | undefined,
    now = new Date(),
  ): void {
    const self = profile.identity.publicKey
    const itemGroup = new Map(profile.torrents.map((t) => [t.infoHash, t.groupId]))
    const connected: Connected = new Map()
    /** `group member infohash` -> the most any of its wires announced. */
    const announced = new Map<string, number>()
    for (const s of summaries) {
      const item = itemGroup.get(s.infoHash)
      const group = item ?? rendezvousGroup(s.infoHash)
      if (group === undefined) continue
      const g = this.#group(group)
      if (item !== undefined && s.pieces > 0) {
        this.#set(g.items, s.infoHash, s.length)
        this.#held(g, self, s.infoHash, s.state === 'seeding' ? 1 : s.progress, now)
      }
      for (const p of s.peers) {
        if (p.state !== 'authorized' || p.member === undefined) continue
        const set = connected.get(group) ?? new Set<string>()
        connected.set(group, set.add(p.member))
        if (item === undefined || s.pieces === 0) continue
        const key = `${group} ${p.member} ${s.infoHash}`
        announced.set(key, Math.max(announced.get(key) ?? 0, Math.min(1, p.pieces / s.pieces)))
      }
    }
    for (const [key, share] of announced) {
      const [group, member, infoHash] = key.split(' ') as [string, string, string]
      this.#held(this.#group(group), member, infoHash, share, now)
    }
    for (const [group, members] of connected) for (const m of members) this.#seen(this.#group(group), m, now)
    this.#connected = connected
    this.#prune(profile)
  }

  /** One member's figures in a group, over the items the profile holds of it now. */
  of(profile: Profile, groupId: string, member: string): MemberDelivery {
    const self = member === profile.identity.publicKey
    const items = profile.torrents.filter((t) => t.groupId === groupId).map((t) => t.infoHash)
    const g = this.#groups[groupId]
    const m = g?.members[member]
    let has = 0
    let bytes = 0
    let total = 0
    for (const ih of items) {
      const share = m?.held[ih] ?? 0
      const length = g?.items[ih] ?? 0
      if (share >= 1) has++
      bytes += share * length
      total += length
    }
    return {
      connected: self || this.#connected.get(groupId)?.has(member) === true,
      ...(m !== undefined && !self && { lastSeen: m.lastSeen }),
      has,
      of: items.length,
      progress: total > 0 ? bytes / total : items.length > 0 ? has / items.length : 0,
    }
  }

  /** Member keys (hex) this book knows in a group: seen connected, or figures held. */
  known(groupId: string): string[] {
    return Object.keys(this.#groups[groupId]?.members ?? {})
  }

  /** Writes the record if anything changed since the last write; one write at a time. */
  save(layout: ProfileLayout): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      if (!this.#dirty) return
      this.#dirty = false
      try {
        await saveDelivery(layout, this.#groups)
      } catch (e) {
        this.#dirty = true
        throw e
      }
    })
    return this.#saving
  }

  #group(id: string): DeliveryGroup {
    const g = (this.#groups[id] ??= { items: {}, members: {} })
    return g
  }

  #held(g: DeliveryGroup, member: string, infoHash: string, share: number, now: Date): void {
    const m = g.members[member]
    if (m === undefined) {
      g.members[member] = { lastSeen: now.toISOString(), held: { [infoHash]: share } }
      this.#dirty = true
    } else this.#set(m.held, infoHash, share)
  }

  #seen(g: DeliveryGroup, member: string, now: Date): void {
    const m = (g.members[member] ??= { lastSeen: now.toISOString(), held: {} })
    if (now.getTime() - Date.parse(m.lastSeen) >= LAST_SEEN_SAVE_MS) this.#dirty = true
    m.lastSeen = now.toISOString()
  }

  #set(record: Record<string, number>, key: string, value: number): void {
    if (record[key] === value) return
    record[key] = value
    this.#dirty = true
  }

  // Only what the profile still has: its groups, their items, members it lists or saw (a member
  // seen before the index named it is kept). Past the bounds, the members seen longest ago go.
  #prune(profile: Profile): void {
    const self = profile.identity.publicKey
    for (const id of Object.keys(this.#groups)) {
      const group = profile.groups.find((g) => g.id === id)
      if (group === undefined) {
        delete this.#groups[id]
        this.#dirty = true
        continue
      }
      const g = this.#groups[id]!
      const items = new Set(profile.torrents.filter((t) => t.groupId === id).map((t) => t.infoHash))
      const listed = new Set([self, ...group.members])
      const revoked = new Set(group.revoked ?? [])
      for (const ih of Object.keys(g.items)) if (!items.has(ih)) this.#drop(g.items, ih)
      for (const [key, m] of Object.entries(g.members)) {
        if (revoked.has(key) || (!listed.has(key) && this.#connected.get(id)?.has(key) !== true)) {
          this.#drop(g.members, key)
          continue
        }
        for (const ih of Object.keys(m.held)) if (!items.has(ih)) this.#drop(m.held, ih)
      }
      const byAge = Object.entries(g.members).sort((a, b) => Date.parse(b[1].lastSeen) - Date.parse(a[1].lastSeen))
      for (const [key] of byAge.slice(MAX_INDEX_MEMBERS)) this.#drop(g.members, key)
    }
    this.#bound()
  }

  #bound(): void {
    const all = Object.values(this.#groups).flatMap((g) => Object.entries(g.members).map(([k, m]) => ({ g, k, m })))
    let entries = all.reduce((n, x) => n + Object.keys(x.m.held).length, 0)
    if (entries <= MAX_DELIVERY_ENTRIES) return
    all.sort((a, b) => Date.parse(a.m.lastSeen) - Date.parse(b.m.lastSeen))
    for (const x of all) {
      if (entries <= MAX_DELIVERY_ENTRIES) break
      entries -= Object.keys(x.m.held).length
      this.#drop(x.g.members, x.k)
    }
  }

  #drop(record: Record<string, unknown>, key: string): void {
    delete record[key]
    this.#dirty = true
  }
}
