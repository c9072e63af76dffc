/**
 * Which members of each group are connected to this node now, from the engine's peers: a member
 * is connected when a peer on any torrent of the group (its rendezvous included, PROTOCOL.md
 * §12.5) proved that member key and we authorized it. Also when each was last connected, since
 * this node started only: a member not seen since then may well have joined and been online
 * before, so nothing here says "never".
 *
 * 'groups.changed' goes out when that changes, coalesced like the torrents' progress: one look
 * per interval, and only the groups whose members' state changed.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { TorrentSummary } from '../../engine/engine.js'
import type { Group, Profile } from '../../profile/index.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import { rendezvousOf } from '../operations/rendezvous.js'
import type { GroupView } from '../../../../shared/ipc/views.js'
import { PROGRESS_INTERVAL_MS, type Emit } from './events.js'

export interface MemberPresence {
  readonly connected: boolean
  /** When not connected: the last time they were since this node started (ISO 8601). */
  readonly lastSeen?: string
}

export class Presence {
  /** group id -> member keys (hex) connected now. */
  #connected = new Map<string, Set<string>>()
  /** `${group id} ${member hex}` -> when last connected (ISO 8601), kept across disconnections. */
  readonly #seen = new Map<string, string>()
  /** rendezvous infohash by `${swarm} ${rendezvous id}`: rebuilding it hashes its info each time. */
  readonly #rendezvous = new Map<string, string>()

  /** Takes the engine's peers as they are now. */
  update(profile: Profile, summaries: readonly TorrentSummary[], now = new Date()): void {
    const groupOf = new Map<string, string>(profile.torrents.map((t) => [t.infoHash, t.groupId]))
    for (const g of profile.groups) {
      const r = this.#rendezvousOf(g)
      if (r !== undefined) groupOf.set(r, g.id)
    }
    const next = new Map<string, Set<string>>()
    for (const s of summaries) {
      const group = groupOf.get(s.infoHash)
      if (group === undefined) continue
      for (const p of s.peers) {
        if (p.state !== 'authorized' || p.member === undefined) continue
        const set = next.get(group) ?? new Set<string>()
        next.set(group, set.add(p.member))
      }
    }
    const at = now.toISOString()
    for (const [group, members] of next) for (const m of members) this.#seen.set(`${group} ${m}`, at)
    this.#connected = next
  }

  of(groupId: string, member: string): MemberPresence {
    if (this.#connected.get(groupId)?.has(member) === true) return { connected: true }
    const lastSeen = this.#seen.get(`${groupId} ${member}`)
    return { connected: false, ...(lastSeen !== undefined && { lastSeen }) }
  }

  /** What a group's view shows of its members' state, as one comparable string. */
  signature(g: DeepReadonly<Group>): string {
    return JSON.stringify(g.members.map((m) => [m, this.of(g.id, m)]))
  }

  #rendezvousOf(g: DeepReadonly<Group>): string | undefined {
    if (g.rendezvous === undefined) return undefined
    const key = `${g.swarmPublicKey} ${g.rendezvous}`
    let ih = this.#rendezvous.get(key)
    if (ih === undefined) {
      const r = rendezvousOf(g)
      if (r === undefined) return undefined
      ih = bytesToHex(r.infoHash)
      this.#rendezvous.set(key, ih)
    }
    return ih
  }
}

/** Looks at the peers every interval; sends the views of the groups whose members' state changed. */
export class PresenceEvents {
  readonly #sent = new Map<string, string>()
  readonly #presence: Presence
  readonly #look: () => { profile: Profile; summaries: readonly TorrentSummary[] }
  readonly #view: (profile: Profile, g: DeepReadonly<Group>) => GroupView
  readonly #emit: Emit
  readonly #timer: NodeJS.Timeout

  constructor(
    presence: Presence,
    look: () => { profile: Profile; summaries: readonly TorrentSummary[] },
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
    const { profile, summaries } = this.#look()
    this.#presence.update(profile, summaries)
    const changed: GroupView[] = []
    for (const g of profile.groups) {
      const sig = this.#presence.signature(g)
      // A group not looked at before starts from "no one connected": what groups.list answered.
      const before = this.#sent.get(g.id) ?? JSON.stringify(g.members.map((m) => [m, { connected: false }]))
      this.#sent.set(g.id, sig)
      if (sig !== before) changed.push(this.#view(profile, g))
    }
    for (const id of this.#sent.keys()) if (!profile.groups.some((g) => g.id === id)) this.#sent.delete(id)
    if (changed.length > 0) this.#emit('groups.changed', { changed })
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
