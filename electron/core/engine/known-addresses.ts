/**
 * Finding each other again (issue 14): the addresses one torrent knows its members at, dialled
 * again with backoff while the torrent has something to fetch and no connection to them. Two
 * kinds: static ones (an invite's or `coterie run --peer`'s, a friend's `friend set-address`),
 * and the listen address of every member we were authorized with, remembered when its connection
 * drops. webtorrent alone retries an outgoing peer three times (1, 5, 15 s) and then forgets it,
 * and never redials a peer that had dialled us: an owner who restarts her node after more than
 * about 20 s was never found again by a member that knew her only by address.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import { formatAddress } from '../protocol/address.js'
import { listenAddress } from './member-exchange.js'

/**
 * The first redial comes this soon after a drop; each unanswered one doubles the wait, up to `max`:
 * a member back after a while is found within 30 s, at the cost of one refused dial per address
 * that often.
 */
export const REDIAL_BACKOFF_MS = { first: 2_000, max: 30_000 } as const
/** Addresses one torrent keeps: static ones first, then members as they drop (the oldest forgotten). */
export const MAX_KNOWN_ADDRESSES = 64

interface Known {
  /** The member (identity key, hex) last authorized from this address, if any. */
  member: string | undefined
  readonly static: boolean
  waitMs: number
  timer: NodeJS.Timeout | undefined
}

export class KnownAddresses {
  readonly #torrent: Torrent
  readonly #memberOf: (wire: Wire) => string | undefined
  readonly #known = new Map<string, Known>()
  #stopped = false

  /** `memberOf`: the identity key (hex) a wire's peer proved, undefined until it is authorized. */
  constructor(torrent: Torrent, memberOf: (wire: Wire) => string | undefined) {
    this.#torrent = torrent
    this.#memberOf = memberOf
    torrent.once('close', () => this.stop())
  }

  /** Static addresses: dialled now, and again with backoff whenever the torrent lacks them. */
  addStatic(addresses: readonly string[]): void {
    for (const address of addresses) {
      const had = this.#known.get(address)
      if (had?.static === true) continue
      if (had === undefined && !this.#room()) continue
      this.#known.set(address, {
        member: had?.member,
        static: true,
        waitMs: REDIAL_BACKOFF_MS.first,
        timer: had?.timer,
      })
      this.#dial(address)
    }
  }

  /** Call when `wire`'s peer is authorized: its listen address is remembered, and redialled if it drops. */
  authorized(wire: Wire): void {
    const a = listenAddress(wire)
    const member = this.#memberOf(wire)
    if (a === undefined || member === undefined) return
    const address = formatAddress(a)
    const had = this.#known.get(address)
    if (had === undefined && !this.#room()) return
    const known = had ?? { member, static: false, waitMs: REDIAL_BACKOFF_MS.first, timer: undefined }
    known.member = member
    known.waitMs = REDIAL_BACKOFF_MS.first // reached: the next drop starts the backoff again
    this.#known.set(address, known)
    wire.once('close', () => this.#schedule(address))
  }

  /** "Retry now": every known address not connected is dialled at once, and its backoff starts over. */
  retryNow(): number {
    let dialled = 0
    for (const [address, k] of this.#known) {
      clearTimeout(k.timer)
      k.timer = undefined
      k.waitMs = REDIAL_BACKOFF_MS.first
      if (this.#connected(address, k)) continue
      this.#dial(address)
      dialled++
    }
    return dialled
  }

  /** The addresses known now (tests and status). */
  addresses(): string[] {
    return [...this.#known.keys()]
  }

  stop(): void {
    this.#stopped = true
    for (const k of this.#known.values()) clearTimeout(k.timer)
  }

  // Room for one more: a full book forgets its oldest remembered member (never a static address).
  #room(): boolean {
    if (this.#known.size < MAX_KNOWN_ADDRESSES) return true
    for (const [address, k] of this.#known) {
      if (k.static) continue
      clearTimeout(k.timer)
      this.#known.delete(address)
      return true
    }
    return false
  }

  // Dials now (unless connected), then checks again after the backoff.
  #dial(address: string): void {
    const k = this.#known.get(address)
    if (k === undefined || this.#stopped || this.#torrent.destroyed) return
    if (!this.#connected(address, k)) this.#torrent.addPeer(address)
    this.#schedule(address)
  }

  #schedule(address: string): void {
    const k = this.#known.get(address)
    if (k === undefined || k.timer !== undefined || this.#stopped) return
    k.timer = setTimeout(() => {
      k.timer = undefined
      if (this.#stopped || this.#torrent.destroyed) return
      // Connected again: its wire's close schedules the next round. Nothing to fetch: no need of anyone.
      if (this.#connected(address, k) || this.#torrent.done || this.#torrent.paused) return
      this.#torrent.addPeer(address)
      k.waitMs = Math.min(k.waitMs * 2, REDIAL_BACKOFF_MS.max)
      this.#schedule(address)
    }, k.waitMs)
    k.timer.unref()
  }

  // Connected to the address, or to the member it belonged to (who may have dialled us from elsewhere).
  #connected(address: string, k: Known): boolean {
    return this.#torrent.wires.some((w) => {
      if (w.destroyed) return false
      const a = listenAddress(w)
      if (a !== undefined && formatAddress(a) === address) return true
      return k.member !== undefined && this.#memberOf(w) === k.member
    })
  }
}
