/**
 * The group index on the engine's connections (PROTOCOL.md §13.1): the newest verified index of
 * each group the engine serves, and, on every connection authorized both ways, an IndexSync that
 * announces it and fetches a newer one from the peer. A newer index is kept, announced on every
 * other connection of the group (so members relay it), and reported for the node to act on.
 */
import { EventEmitter } from 'node:events'
import { bytesToHex } from '@noble/hashes/utils.js'
import { acceptIndex, supersedes, type GroupIndex } from '../protocol/group-index.js'
import { IndexSync, isIndexPayload } from '../protocol/index-sync.js'
import type { CoterieExtension } from '../wire/coterie-extension.js'

interface Link {
  readonly ext: CoterieExtension
  readonly sync: IndexSync
}

/**
 * Events: 'index' (GroupIndex)   a newer index of a group arrived from a peer
 *         'changed' (GroupIndex) the index held for a group changed (from a peer, or set)
 *         'ignored' (string)     something a peer sent about the index was not used, and why
 */
export class IndexBook extends EventEmitter {
  readonly #held = new Map<string, GroupIndex>()
  readonly #links = new Map<string, Set<Link>>()

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

  /** Follows one connection of a torrent of the group `swarm`. */
  attach(swarm: Uint8Array, ext: CoterieExtension, onClose: (f: () => void) => void): void {
    const id = bytesToHex(swarm)
    const link: Link = { ext, sync: new IndexSync(swarm, () => this.#held.get(id)) }
    const mutual = () => ext.sealsOutgoing && ext.opensIncoming
    const announce = () => {
      if (mutual()) for (const m of link.sync.announce()) ext.sendSealed(m)
    }
    ext.on('authorized', announce)
    ext.on('self', announce)
    ext.on('message', (payload: Uint8Array) => {
      if (!isIndexPayload(payload)) return
      const out = link.sync.onPayload(payload)
      for (const m of out.send) ext.sendSealed(m)
      if (out.ignored !== undefined) this.emit('ignored', out.ignored)
      if (out.accepted !== undefined && supersedes(this.#held.get(id), out.accepted)) {
        this.#keep(out.accepted)
        this.emit('index', out.accepted)
      }
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
    }
  }
}
