/**
 * Turns away a refused address's TCP connections at accept, as cheaply as a server in Node can, and
 * holds a few of them open instead of closing them (issue 15).
 *
 * Why: an address the connection budget refuses (CoolDown: a frame the framing refused, too many
 * bytes, a full budget) used to be closed in webtorrent's pool, after Node had built a net.Socket (a
 * Duplex with its two stream states and listeners) only to destroy it. A peer that reconnects as
 * soon as it is closed then runs a loop of accepts and closes as fast as loopback allows: `npm run
 * bench:hostile`'s 2 GiB-frame attacker cost the nodes 1.42x quiet CPU that way, about a third of a
 * core while idle (docs/ENGINE.md §4). Here:
 *   - the check runs in the listening handle's `onconnection`, on the raw accepted handle, before
 *     a net.Socket exists (where Node's own `net.Server` `blockList` checks, from Node 22.13; this
 *     code runs on Node 20 too, and a BlockList cannot forget an address once its cool-down ends);
 *   - up to HELD_PER_ADDRESS connections of a refused address (HELD_MAX in all) are held open
 *     unread until its cool-down ends, then closed: a peer that waits for our handshake before it
 *     reconnects (as one that dials in a loop does) waits out its cool-down instead of costing an
 *     accept and a close per round trip. Held connections are never read, so they cost a file
 *     descriptor and the kernel's socket buffers, nothing on the event loop;
 *   - past those bounds a refused connection is closed at once: a crowd of parallel connections
 *     costs an accept and a close each, the least a server in user space can spend on them.
 * uTP connections (utp-native hands over finished sockets) are still turned away in webtorrent's
 * pool (Engine: refuseCoolingDown).
 */
import type { Server } from 'node:net'
import { addressKey, type CoolDown } from './connection-budget.js'

/** Refused connections of one address held open: one is all a peer reconnecting in a loop needs. */
export const HELD_PER_ADDRESS = 2
/** Refused connections held open in all (file descriptors). */
export const HELD_MAX = 64

/** Node's accepted TCP handle (src/tcp_wrap.cc), before a net.Socket wraps it. */
interface AcceptedHandle {
  getpeername(out: { address?: string | undefined }): number
  close(): void
}
/** Node's listening TCP handle: `onconnection(status, handle)` runs once per accepted connection. */
interface ListeningHandle {
  onconnection: (status: number, handle?: AcceptedHandle) => void
}

interface Held {
  readonly handle: AcceptedHandle
  readonly from: string
  readonly timer: NodeJS.Timeout
}

export interface AcceptGuardOptions {
  readonly perAddress?: number
  readonly max?: number
  /** A connection was turned away (held: kept open until its address's cool-down ends). Tests. */
  readonly onRefused?: (held: boolean) => void
}

export interface AcceptGuard {
  /** Refused connections held open now. */
  readonly held: number
  /** Closes every held connection (the node is closing). */
  close(): void
}

/**
 * Checks every connection `server` accepts against `cooling` before Node builds a socket for it.
 * `server` must be listening. Throws if Node's listening handle has no `onconnection` (a release
 * that moved it): unprotected is worse than not starting.
 */
export function refuseAtAccept(server: Server, cooling: CoolDown, o: AcceptGuardOptions = {}): AcceptGuard {
  const listening = (server as unknown as { _handle?: ListeningHandle | null })._handle
  const accept = listening?.onconnection
  if (listening === undefined || listening === null || typeof accept !== 'function')
    throw new Error('refuseAtAccept: the server is not listening, or Node has no _handle.onconnection')
  const perAddress = o.perAddress ?? HELD_PER_ADDRESS
  const max = o.max ?? HELD_MAX
  const held = new Set<Held>()
  const heldFrom = new Map<string, number>()

  const release = (h: Held): void => {
    if (!held.delete(h)) return
    clearTimeout(h.timer)
    const n = heldFrom.get(h.from)! - 1
    if (n === 0) heldFrom.delete(h.from)
    else heldFrom.set(h.from, n)
    h.handle.close()
  }
  const turnAway = (handle: AcceptedHandle, address: string, leftMs: number): void => {
    const from = addressKey(address)
    const n = heldFrom.get(from) ?? 0
    if (n >= perAddress || held.size >= max) {
      o.onRefused?.(false)
      return handle.close()
    }
    const h: Held = { handle, from, timer: setTimeout(() => release(h), leftMs) }
    h.timer.unref()
    held.add(h)
    heldFrom.set(from, n + 1)
    o.onRefused?.(true)
  }
  // One object for every accept: getpeername fills it in, and nothing keeps it.
  const peer: { address?: string | undefined } = {}
  listening.onconnection = function (this: ListeningHandle, status, handle) {
    if (status === 0 && handle !== undefined) {
      peer.address = undefined
      if (handle.getpeername(peer) === 0 && peer.address !== undefined) {
        const left = cooling.leftMs(peer.address)
        if (left > 0) return turnAway(handle, peer.address, left)
      }
    }
    return accept.call(this, status, handle)
  }
  return {
    get held() {
      return held.size
    },
    close: () => held.forEach(release),
  }
}
