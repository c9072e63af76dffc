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
 *   - beyond UNPROVEN_BUDGET, the address holding the most connections in the budget gives one up
 *     (its oldest) to a newcomer from an address holding fewer, and a newcomer from that heaviest
 *     address itself is refused, before its wire is set up (cheap): one attacker, however many
 *     connections it opens, never keeps a peer elsewhere out, and a member's handshake takes one
 *     round trip, after which it is out of the budget for good;
 *   - at UNPROVEN_DEADLINE_MS (the handshake's deadline) a connection still in the budget is dropped;
 *   - one that sends more than UNPROVEN_MAX_BYTES before it is authorized is dropped, and its address
 *     refused for COOL_DOWN_MS, as is that of one the framing refused (penalize): no handshake needs
 *     that much; and the heaviest address is refused for OVER_BUDGET_COOL_DOWN_MS once one of its
 *     newcomers found the budget full. A refused address is turned away at accept (CoolDown), so an
 *     attacker reconnecting at once costs no BitTorrent handshake, let alone a wire;
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
/**
 * Bytes an unproven connection may send us: a handshake, an extended handshake, the largest
 * bitfield (MAX_PIECES, about 100 KiB) and the Coterie handshake need far less.
 */
export const UNPROVEN_MAX_BYTES = 1024 * 1024 // 1 MiB
/** How long an address is refused after its connection sent what no legitimate peer sends. */
export const COOL_DOWN_MS = 60_000
/** How long the heaviest address is refused after one of its newcomers found the budget full. */
export const OVER_BUDGET_COOL_DOWN_MS = 1_000

/**
 * Addresses refused for a while, shared by every torrent's budget of a node, and checked when a
 * connection is accepted (Engine), before any BitTorrent is read: a refused attacker reconnecting
 * in a loop costs an accept and a close, nothing more.
 */
export class CoolDown {
  readonly #until = new Map<string, number>()

  /** Refuses `address` (any form addressKey takes) for `ms` from now. */
  add(address: string, ms: number): void {
    const key = addressKey(address)
    this.#until.set(key, Math.max(this.#until.get(key) ?? 0, Date.now() + ms))
  }

  has(address: string): boolean {
    return this.leftMs(address) > 0
  }

  /** How long `address` stays refused: 0 when it is not. */
  leftMs(address: string): number {
    if (this.#until.size === 0) return 0 // the common case, a node no one abused: no key to build
    const key = addressKey(address)
    const until = this.#until.get(key)
    if (until === undefined) return 0
    const left = until - Date.now()
    if (left > 0) return left
    this.#until.delete(key)
    return 0
  }
}

/** What webtorrent's incoming Peer offers (lib/peer.js): its wire exists from the connection on. */
interface IncomingPeer {
  readonly wire: Wire | null
  readonly conn?: { readonly remoteAddress?: string } | null
  destroy(err?: Error): void
  on(event: 'download', f: (bytes: number) => void): void
}

interface Entry {
  readonly peer: IncomingPeer
  /** The peer's wire (webtorrent clears peer.wire when it destroys the peer). */
  readonly wire: Wire
  /** Where it comes from (addressKey). */
  readonly from: string
  readonly since: number
  received: number
  readonly timer: NodeJS.Timeout
  /** Puts back the wire's own choke handling, replaying an UNCHOKE held meanwhile. */
  readonly release: () => void
}

export type DropReason = 'over-budget' | 'deadline' | 'too-many-bytes' | 'cooling-down'

export interface BudgetOptions {
  readonly budget?: number
  readonly deadlineMs?: number
  /** The node's refused addresses (one per budget when absent). */
  readonly cooling?: CoolDown
  /** A connection dropped, and why: diagnostics and tests. */
  readonly onDropped?: (why: DropReason) => void
}

export class ConnectionBudget {
  readonly #entries = new Map<IncomingPeer, Entry>()
  readonly #budget: number
  readonly #deadlineMs: number
  readonly #o: BudgetOptions
  readonly #cooling: CoolDown

  constructor(o: BudgetOptions = {}) {
    this.#budget = o.budget ?? UNPROVEN_BUDGET
    this.#deadlineMs = o.deadlineMs ?? UNPROVEN_DEADLINE_MS
    this.#o = o
    this.#cooling = o.cooling ?? new CoolDown()
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

  /** A new incoming connection: in the budget, making room if it is full, or refused. */
  admit(peer: IncomingPeer): void {
    const wire = peer.wire
    if (wire === null || wire.destroyed || this.#entries.has(peer)) return
    const from = addressKey(peer.conn?.remoteAddress ?? wire.remoteAddress ?? '')
    if (this.#cooling.has(from)) return this.#refuse(peer, 'cooling-down')
    if (this.#entries.size >= this.#budget) {
      const heaviest = this.#heaviest()
      if (heaviest === undefined || this.#count(from) + 1 >= this.#count(heaviest.from)) {
        this.#cooling.add(from, OVER_BUDGET_COOL_DOWN_MS)
        return this.#refuse(peer, 'over-budget')
      }
      this.#drop(heaviest.peer, 'over-budget')
    }
    const timer = setTimeout(() => this.#drop(peer, 'deadline'), this.#deadlineMs)
    timer.unref()
    const e: Entry = { peer, wire, from, since: Date.now(), received: 0, timer, release: holdUnchoke(wire) }
    this.#entries.set(peer, e)
    wire.once('close', () => this.#forget(peer))
    peer.on('download', (bytes) => {
      e.received += bytes
      if (e.received > UNPROVEN_MAX_BYTES && this.#entries.get(peer) === e) this.penalize(wire, 'too-many-bytes')
    })
  }

  /**
   * The unproven peer on `wire` sent what no legitimate peer sends (a frame the framing refused,
   * too many bytes): its connection is dropped and its address refused for COOL_DOWN_MS.
   */
  penalize(wire: Wire, why: DropReason = 'over-budget'): void {
    for (const e of this.#entries.values()) {
      if (e.wire !== wire) continue
      this.#cooling.add(e.from, COOL_DOWN_MS)
      return this.#drop(e.peer, why)
    }
  }

  /**
   * The peer on `wire` proved membership (or, its certificate lapsed, its member key: its renewal
   * is bounded on its own): out of the budget for good, and asked for blocks.
   */
  promote(wire: Wire): void {
    for (const e of this.#entries.values()) {
      if (e.wire !== wire) continue
      this.#forget(e.peer)
      return e.release()
    }
  }

  #count(from: string): number {
    let n = 0
    for (const e of this.#entries.values()) if (e.from === from) n++
    return n
  }

  // The oldest connection of the address holding the most (the oldest such, on a tie).
  #heaviest(): Entry | undefined {
    const counts = new Map<string, number>()
    for (const e of this.#entries.values()) counts.set(e.from, (counts.get(e.from) ?? 0) + 1)
    let best: Entry | undefined
    for (const e of this.#entries.values()) {
      const n = counts.get(e.from)!
      const m = best === undefined ? -1 : counts.get(best.from)!
      if (n > m || (n === m && e.since < best!.since)) best = e
    }
    return best
  }

  #refuse(peer: IncomingPeer, why: DropReason): void {
    this.#o.onDropped?.(why)
    peer.destroy()
  }

  #drop(peer: IncomingPeer, why: DropReason): void {
    if (this.#forget(peer)) this.#refuse(peer, why)
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
 * What counts as one source: an IPv4 address, or an IPv6 /64 (one host is handed a whole /64, so
 * its addresses cost it nothing). IPv4-mapped IPv6 is IPv4.
 */
export function addressKey(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (v4 !== null) return v4[1]!
  const full = expandIpv6(address)
  return full === undefined ? address : full.slice(0, 4).join(':') + '::/64'
}

function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : halves[0]!.split(':')
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : []
  const missing = 8 - head.length - tail.length
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined
  return [...head, ...Array<string>(missing).fill('0'), ...tail].map((h) => h.toLowerCase())
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
