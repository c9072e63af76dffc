/**
 * The group index on the engine's connections (PROTOCOL.md §13.1): the newest verified index of
 * each group the engine serves, and, on every connection authorized both ways, an IndexSync that
 * announces it and fetches a newer one from the peer. A newer index is kept, announced on every
 * other connection of the group (so members relay it), and reported for the node to act on.
 *
 * Renewals (§13.3): a peer refused `expired` that proved its member key gets the index pushed to
 * it, if the index lists it and carries a certificate for it valid now; a peer that refused us
 * `expired` may push it to us, and we take nothing else from it.
 */
import { EventEmitter } from 'node:events'
import { bytesToHex } from '@noble/hashes/utils.js'
import { acceptIndex, supersedes, type GroupIndex } from '../protocol/group-index.js'
import { isFamily, type Envelope } from '../protocol/envelope.js'
import { IndexSync, type SyncOutput } from '../protocol/index-sync.js'
import { renewalFor, renewalPayloads } from '../protocol/renewal.js'
import type { CoterieExtension } from '../gate/extension.js'

interface Link {
  /** The group (its swarm key, hex). */
  readonly id: string
  readonly ext: CoterieExtension
  readonly sync: IndexSync
  /** We pushed the index to this lapsed peer (once per connection). */
  renewed: boolean
}

/** Emitted as 'renewal': we pushed the index to a member whose certificate expired. */
export interface RenewalServed {
  readonly member: string
  readonly version: number
}

/**
 * Events: 'index' (GroupIndex)   a newer index of a group arrived from a peer
 *         'changed' (GroupIndex) the index held for a group changed (from a peer, or set)
 *         'ignored' (string)     something a peer sent about the index was not used, and why
 *         'renewal' (RenewalServed) we pushed the index to a lapsed member (§13.3)
 */
export class IndexBook extends EventEmitter {
  readonly #held = new Map<string, GroupIndex>()
  readonly #links = new Map<string, Set<Link>>()
  readonly #now: () => number

  /** `now`: unix seconds, to tell a renewal from a certificate that expired too. */
  constructor(now: () => number = () => Math.floor(Date.now() / 1000)) {
    super()
    this.#now = now
  }

  get(swarm: Uint8Array): GroupIndex | undefined {
    return this.#held.get(bytesToHex(swarm))
  }

  /** Installs an index the node holds (from the profile, or just published); false if not newer. */
  set(swarm: Uint8Array, bytes: Uint8Array): boolean {
    const r = acceptIndex(this.get(swarm), bytes, swarm)
    if (!r.ok) return false
    this.#keep(r.value)
    return true
  }

  /** The groups (swarm keys, hex) an index is held for. */
  groups(): string[] {
    return [...this.#held.keys()]
  }

  /**
   * Drops a group the node left or deleted: its index is no longer held, announced or relayed,
   * and whatever its last connections still send is ignored (they close with their torrents).
   */
  forget(swarm: Uint8Array): void {
    const id = bytesToHex(swarm)
    this.#held.delete(id)
    this.#links.delete(id)
  }

  /** Follows one connection of a torrent of the group `swarm`. */
  attach(swarm: Uint8Array, ext: CoterieExtension, onClose: (f: () => void) => void): void {
    const id = bytesToHex(swarm)
    const link: Link = { id, ext, sync: new IndexSync(swarm, () => this.#held.get(id)), renewed: false }
    const mutual = () => ext.sealsOutgoing && ext.opensIncoming
    const announce = () => {
      if (mutual()) for (const m of link.sync.announce()) ext.sendSealed(m)
    }
    ext.on('authorized', announce)
    ext.on('self', announce)
    // A group forgotten while this connection closes takes nothing more from it.
    const live = () => this.#links.get(id)?.has(link) === true
    const take = (out: SyncOutput) => {
      if (!live()) return
      if (out.ignored !== undefined) this.emit('ignored', out.ignored)
      if (out.accepted !== undefined && supersedes(this.#held.get(id), out.accepted)) {
        this.#keep(out.accepted)
        this.emit('index', out.accepted)
      }
    }
    ext.on('message', (payload: Envelope) => {
      if (!isFamily(payload, 'index') || !live()) return
      const out = link.sync.onEnvelope(payload)
      for (const m of out.send) ext.sendSealed(m)
      take(out)
    })
    ext.on('lapsed', () => this.#renew(link))
    // From a peer that refused us `expired`: only the index it pushes, and nothing goes back (we
    // are not accepted, so we may not seal to it). The first thing not of use ends the renewal.
    ext.on('renewal', (payload: Envelope) => {
      const out: SyncOutput = isFamily(payload, 'index')
        ? link.sync.onEnvelope(payload)
        : { send: [], ignored: 'unexpected' }
      if (out.ignored !== undefined || out.accepted !== undefined) ext.endRenewal()
      take(out)
    })
    let links = this.#links.get(id)
    if (links === undefined) this.#links.set(id, (links = new Set()))
    links.add(link)
    onClose(() => links.delete(link))
    announce()
  }

  #keep(index: GroupIndex): void {
    const id = bytesToHex(index.swarm)
    this.#held.set(id, index)
    this.emit('changed', index)
    for (const link of this.#links.get(id) ?? []) {
      if (link.ext.sealsOutgoing && link.ext.opensIncoming) for (const m of link.sync.announce()) link.ext.sendSealed(m)
      else if (link.ext.lapsed !== undefined) this.#renew(link)
    }
  }

  // A lapsed peer gets the newest index once, and only if that index renews it (protocol/renewal.ts).
  #renew(link: Link): void {
    const member = link.ext.lapsed?.member
    if (member === undefined || link.renewed) return
    const held = this.#held.get(link.id)
    if (held === undefined || !renewalFor(held, member, this.#now())) return
    link.renewed = true
    for (const m of renewalPayloads(held)) if (!link.ext.sendRenewal(m)) return
    this.emit('renewal', { member: bytesToHex(member), version: held.version } satisfies RenewalServed)
  }
}
