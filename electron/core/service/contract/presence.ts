/**
 * Which members of each group are connected to this node now, when each was last connected, and
 * what each holds of the group's items: the node's delivery book (runtime/delivery.ts), looked at
 * for the app's views. A member is connected when a peer on any torrent of the group (its
 * rendezvous included, PROTOCOL.md §12.5) proved that member key and we authorized it; when it was
 * last seen and what it held are kept across restarts (profile/delivery.ts).
 *
 * 'groups.changed' goes out when that changes, coalesced like the torrents' progress: one look
 * per interval, and only the groups whose members' state changed (progress by whole percents).
 */
import type { CoterieNode } from '../runtime/node.js'
import type { MemberDelivery } from '../runtime/delivery.js'
import type { Group, Profile } from '../../profile/index.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import type { GroupView } from '../../../../shared/ipc/views.js'
import { PROGRESS_INTERVAL_MS, type Emit } from './events.js'

export type MemberPresence = MemberDelivery

export class Presence {
  readonly #node: Pick<CoterieNode, 'delivery'>
  /** group id -> member key (hex) -> figures, as of the last look. */
  #now: Record<string, Record<string, MemberDelivery>> = {}

  constructor(node: Pick<CoterieNode, 'delivery'>) {
    this.#node = node
  }

  /** Looks at the node's peers now. */
  update(): void {
    this.#now = this.#node.delivery()
  }

  /** A member's figures as of the last look (looking now if this group was not looked at). */
  of(groupId: string, member: string): MemberPresence | undefined {
    if (this.#now[groupId]?.[member] === undefined) this.update()
    return this.#now[groupId]?.[member]
  }

  /** Whether a member other than us is connected in this group, as of the last look. */
  anyoneConnected(groupId: string): boolean {
    // Our own row is "connected" too, but never carries a lastSeen.
    return Object.values(this.#now[groupId] ?? {}).some((d) => d.connected && d.lastSeen !== undefined)
  }

  /** What a group's view shows of its members' state, as one comparable string. */
  signature(g: DeepReadonly<Group>): string {
    return JSON.stringify(
      Object.entries(this.#now[g.id] ?? {}).map(([k, d]) => [
        k,
        d.connected,
        d.connected ? undefined : d.lastSeen,
        d.has,
        d.of,
        Math.floor(d.progress * 100),
      ]),
    )
  }
}

/** Looks at the peers every interval; sends the views of the groups whose members' state changed. */
export class PresenceEvents {
  readonly #sent = new Map<string, string>()
  readonly #presence: Presence
  readonly #look: () => Profile
  readonly #view: (profile: Profile, g: DeepReadonly<Group>) => GroupView
  readonly #emit: Emit
  readonly #timer: NodeJS.Timeout

  constructor(
    presence: Presence,
    look: () => Profile,
    view: (profile: Profile, g: DeepReadonly<Group>) => GroupView,
    emit: Emit,
    intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.#presence = presence
    this.#look = look
    this.#view = view
    this.#emit = emit
    this.#timer = setInterval(() => this.tick(), intervalMs)
    this.#timer.unref()
  }

  tick(): void {
    const profile = this.#look()
    this.#presence.update()
    const changed: GroupView[] = []
    for (const g of profile.groups) {
      const sig = this.#presence.signature(g)
      // A group not looked at before is sent if someone is connected already: groups.list answered
      // "not connected" until the first look, and what it said of the rest the record said too.
      const before = this.#sent.get(g.id)
      this.#sent.set(g.id, sig)
      if (before === undefined ? this.#presence.anyoneConnected(g.id) : sig !== before)
        changed.push(this.#view(profile, g))
    }
    for (const id of this.#sent.keys()) if (!profile.groups.some((g) => g.id === id)) this.#sent.delete(id)
    if (changed.length > 0) this.#emit('groups.changed', { changed })
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
