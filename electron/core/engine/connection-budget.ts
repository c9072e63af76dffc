/**
 * The connection budget of one torrent (issue 15): incoming connections that have not proved
 * membership (pending, refused, or peers without Coterie) share a small budget of their own, with a
 * deadline, and are never asked for blocks, so they cannot take what a member needs.
 *
 * Why: webtorrent accepts every incoming connection and counts it against the torrent's connection
 * cap, which also holds back its own dials; and it asks any peer that claims a piece for blocks.
 * 100 stalling connections that claimed every piece, reopened as they were closed, kept a member
 * from dialing its owner (0 % for 90 s), and blocks asked of stallers are held until they time out
 * (webtorrent then asks again elsewhere, and in the end game asked one peer twice for the same
 * block and waited 30 s for the second answer). Here:
 *   - an incoming connection enters the budget as soon as webtorrent takes it (before its wire has
 *     handshaken, with MSE), and leaves it when the peer is authorized or the connection closes;
 *   - beyond UNPROVEN_BUDGET, the oldest other connection in the budget is dropped to make room: a
 *     newcomer always gets in, and a member's handshake takes one round trip, after which it is
 *     out of the budget for good;
 *   - at UNPROVEN_DEADLINE_MS (the handshake's deadline) a connection still in the budget is dropped;
 *   - while in the budget, the peer's UNCHOKE is held back (and its allowed-fast set ignored), so no
 *     block is asked of it; an authorized peer's held UNCHOKE takes effect at once;
 *   - connections we dial are outside the budget (members can always dial, and a plain BitTorrent
 *     seeder we dial is downloaded from as before), and the torrent's cap is raised by the budget
 *     (Engine.start), so members keep all of webtorrent's usual slots.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import { HANDSHAKE_TIMEOUT_MS } from '../protocol/constants.js'

/** Incoming connections per torrent not yet proved to be a member's. */
export const UNPROVEN_BUDGET = 8
/** How long one may stay unproven: the handshake's own deadline. */
export const UNPROVEN_DEADLINE_MS = HANDSHAKE_TIMEOUT_MS

/** What webtorrent's incoming Peer offers (lib/peer.js): its wire exists from the connection on. */
interface IncomingPeer {
  readonly wire: Wire | null
  destroy(err?: Error): void
}

interface Entry {
  readonly peer: IncomingPeer
  /** The peer's wire (webtorrent clears peer.wire when it destroys the peer). */
  readonly wire: Wire
  readonly since: number
  readonly timer: NodeJS.Timeout
  /** Puts back the wire's own choke handling, replaying an UNCHOKE held meanwhile. */
  readonly release: () => void
}

export type DropReason = 'over-budget' | 'deadline'

export interface BudgetOptions {
  readonly budget?: number
  readonly deadlineMs?: number
  /** A connection dropped, and why: diagnostics and tests. */
  readonly onDropped?: (why: DropReason) => void
}

export class ConnectionBudget {
  readonly #entries = new Map<IncomingPeer, Entry>()
  readonly #budget: number
  readonly #deadlineMs: number
  readonly #o: BudgetOptions

  constructor(o: BudgetOptions = {}) {
    this.#budget = o.budget ?? UNPROVEN_BUDGET
    this.#deadlineMs = o.deadlineMs ?? UNPROVEN_DEADLINE_MS
    this.#o = o
  }

  /** Connections in the budget now. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Puts every incoming connection of `torrent` in this budget, from the moment webtorrent takes
   * it (its `_addIncomingPeer`, the one place every incoming peer passes, TCP and uTP, with or
   * without MSE).
   */
  watch(torrent: Torrent): void {
    const t = torrent as unknown as { _addIncomingPeer?: (peer: IncomingPeer) => void }
    const add = t._addIncomingPeer
    if (typeof add !== 'function') throw new Error('ConnectionBudget: webtorrent has no Torrent._addIncomingPeer')
    t._addIncomingPeer = (peer: IncomingPeer) => {
      add.call(torrent, peer)
      if (!torrent.destroyed) this.admit(peer)
    }
  }

  /** A new incoming connection: in the budget, making room if it is full. */
  admit(peer: IncomingPeer): void {
    const wire = peer.wire
    if (wire === null || wire.destroyed || this.#entries.has(peer)) return
    const timer = setTimeout(() => this.#drop(peer, 'deadline'), this.#deadlineMs)
    timer.unref()
    this.#entries.set(peer, { peer, wire, since: Date.now(), timer, release: holdUnchoke(wire) })
    wire.once('close', () => this.#forget(peer))
    while (this.#entries.size > this.#budget) this.#drop(this.#oldestBut(peer), 'over-budget')
  }

  /** The peer on `wire` proved membership: out of the budget for good, and asked for blocks. */
  promote(wire: Wire): void {
    for (const e of this.#entries.values()) {
      if (e.wire !== wire) continue
      this.#forget(e.peer)
      return e.release()
    }
  }

  #oldestBut(newcomer: IncomingPeer): IncomingPeer {
    let oldest: Entry | undefined
    for (const e of this.#entries.values())
      if (e.peer !== newcomer && (oldest === undefined || e.since < oldest.since)) oldest = e
    return (oldest ?? this.#entries.get(newcomer)!).peer
  }

  #drop(peer: IncomingPeer, why: DropReason): void {
    if (!this.#forget(peer)) return
    this.#o.onDropped?.(why)
    peer.destroy()
  }

  #forget(peer: IncomingPeer): boolean {
    const e = this.#entries.get(peer)
    if (e === undefined) return false
    clearTimeout(e.timer)
    this.#entries.delete(peer)
    return true
  }
}

/**
 * Keeps `wire` choked from our side's point of view: the peer's UNCHOKE is remembered, not applied,
 * and its allowed-fast pieces are ignored (webtorrent asks for those even while choked). Returns
 * what undoes it.
 */
function holdUnchoke(wire: Wire): () => void {
  const own = { unchoke: wire._onUnchoke, choke: wire._onChoke, allowedFast: wire._onAllowedFast }
  let unchoked = false
  wire._onUnchoke = () => void (unchoked = true)
  wire._onChoke = () => {
    unchoked = false
    own.choke.call(wire)
  }
  wire._onAllowedFast = () => {}
  return () => {
    wire._onUnchoke = own.unchoke
    wire._onChoke = own.choke
    wire._onAllowedFast = own.allowedFast
    if (unchoked && !wire.destroyed) wire._onUnchoke()
  }
}
