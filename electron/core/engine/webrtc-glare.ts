/**
 * Glare between two nodes that offer to each other at once (docs/NAT.md). Through a WebSocket
 * tracker each node sends WebRTC offers on every announce, so two lonely nodes announcing within
 * seconds each get the other's offer and an answer to their own: two connections per pair, and
 * webtorrent keeps one per peer id. Choosing at arrival, when neither has opened, fails whenever the
 * two sides choose differently: a plain WebTorrent client keeps the first to arrive, a rule keeps
 * another, and neither opens (seen on loopback: a Coterie node and a plain client, no wire in 90 s).
 *
 * So a torrent is handed only connections that have opened. Until then they wait here, per node:
 *   - one that opens is taken at once if it is the one the rule prefers (offered by the node with
 *     the lower peer id: two Coterie nodes keep the same one), or if no preferred one is pending;
 *   - otherwise it is taken after GLARE_GRACE_MS unless the preferred one opens first: a peer that
 *     chose the other (a plain client) dropped the preferred one at its end, so it never opens;
 *   - once one is taken, the others to that node are closed; a connection already held by the
 *     torrent is never replaced;
 *   - at most MAX_PENDING_PER_NODE wait per node, each at most PENDING_MS (webtorrent's own WebRTC
 *     connect timeout), and all of them are closed when the torrent closes. Beyond it, an answer to
 *     our own offer still gets in (a plain client answers only the connection it keeps; refusing it
 *     left a plain client and us holding different ones for 25 s), in place of the newest of the
 *     peer's offers.
 */
import type { RtcPeer } from './tracker-discovery.js'

/** How long an opened connection the rule does not prefer waits for the preferred one to open. */
export const GLARE_GRACE_MS = 2_000
/** How long a WebRTC connection may take to open before it is given up. */
export const PENDING_MS = 25_000
/** WebRTC connections to one node waiting to open at once (each announce may bring one more). */
export const MAX_PENDING_PER_NODE = 4

/** What of a simple-peer connection this module reads and listens to. */
export interface ArrivingPeer extends RtcPeer {
  readonly initiator?: boolean
  readonly connected?: boolean
  once(event: 'connect' | 'close', listener: () => void): unknown
}

/** What of the torrent it needs: whether it holds a peer with this id, and handing it one. */
export interface GlareTorrent {
  holds(id: string): boolean
  take(peer: RtcPeer): void
}

interface Waiting {
  readonly peer: ArrivingPeer
  readonly expires: ReturnType<typeof setTimeout>
  grace?: ReturnType<typeof setTimeout>
}

export class RtcGlare {
  readonly #torrent: GlareTorrent
  readonly #ownPeerId: string
  readonly #waiting = new Map<string, Waiting[]>()
  #closed = false

  constructor(torrent: GlareTorrent, ownPeerId: string) {
    this.#torrent = torrent
    this.#ownPeerId = ownPeerId
  }

  /** A WebRTC connection the tracker just handed us, to the node `peer.id`. */
  arrive(peer: ArrivingPeer): void {
    const queue = this.#waiting.get(peer.id) ?? []
    if (this.#closed || this.#torrent.holds(peer.id)) {
      peer.destroy()
      return
    }
    if (queue.length >= MAX_PENDING_PER_NODE) {
      // An answer to our own offer says the peer kept that connection (a plain client answers only
      // the one it keeps): it is taken in place of the newest of the peer's own offers. Otherwise
      // the newest arrival is the one refused: a first-come peer keeps its earliest answered offer.
      const theirs = queue.filter((w) => w.peer.initiator !== true)
      if (peer.initiator !== true || theirs.length === 0) {
        peer.destroy()
        return
      }
      this.#drop(theirs[theirs.length - 1]!, true, false)
    }
    const w: Waiting = { peer, expires: setTimeout(() => this.#drop(w, true), PENDING_MS) }
    this.#waiting.set(peer.id, [...(this.#waiting.get(peer.id) ?? []), w])
    peer.once('close', () => this.#drop(w, false))
    if (peer.connected === true) this.#opened(w)
    else peer.once('connect', () => this.#opened(w))
  }

  /** The torrent closed: every connection still waiting is closed. */
  close(): void {
    this.#closed = true
    for (const queue of [...this.#waiting.values()]) for (const w of [...queue]) this.#drop(w, true, false)
  }

  /** Connections waiting to open, all nodes together (what the tests read). */
  get pending(): number {
    let n = 0
    for (const queue of this.#waiting.values()) n += queue.length
    return n
  }

  /** Whether the rule prefers `peer`: the connection offered by the node with the lower peer id. */
  #preferred(peer: ArrivingPeer): boolean {
    return (peer.initiator === true) === this.#ownPeerId < peer.id
  }

  #opened(w: Waiting): void {
    if (!this.#isWaiting(w)) return
    if (this.#preferred(w.peer) || !this.#preferredPending(w.peer.id)) this.#take(w)
    else w.grace ??= setTimeout(() => this.#take(w), GLARE_GRACE_MS)
  }

  /** Whether a connection the rule prefers is still on its way to `id`. */
  #preferredPending(id: string): boolean {
    return (this.#waiting.get(id) ?? []).some((o) => this.#preferred(o.peer) && o.peer.connected !== true)
  }

  #take(w: Waiting): void {
    if (!this.#isWaiting(w)) return
    const queue = this.#waiting.get(w.peer.id) ?? []
    this.#forget(w)
    for (const other of [...queue]) if (other !== w) this.#drop(other, true, false)
    if (this.#torrent.holds(w.peer.id)) w.peer.destroy()
    else this.#torrent.take(w.peer)
  }

  #isWaiting(w: Waiting): boolean {
    return this.#waiting.get(w.peer.id)?.includes(w) === true
  }

  #forget(w: Waiting): void {
    clearTimeout(w.expires)
    if (w.grace !== undefined) clearTimeout(w.grace)
    const queue = this.#waiting.get(w.peer.id)
    if (queue === undefined) return
    const rest = queue.filter((o) => o !== w)
    if (rest.length === 0) this.#waiting.delete(w.peer.id)
    else this.#waiting.set(w.peer.id, rest)
  }

  /** Stops waiting for `w` (closing it when `destroy`); `settle`: see whether another may go now. */
  #drop(w: Waiting, destroy: boolean, settle = true): void {
    if (!this.#isWaiting(w)) return
    this.#forget(w)
    if (destroy) w.peer.destroy()
    if (!settle) return
    // One that opened and waits out the grace for a preferred one that just died need not wait.
    const opened = (this.#waiting.get(w.peer.id) ?? []).find((o) => o.grace !== undefined)
    if (opened !== undefined && !this.#preferredPending(w.peer.id)) this.#take(opened)
  }
}
