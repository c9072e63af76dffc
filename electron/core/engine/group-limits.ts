/**
 * Per-group speed limits, on top of the global ones: one rate limit per group and direction,
 * shared by every wire of every torrent of that group (a group is its swarm key, which every one
 * of its torrents' info dictionaries commits to), and changed in place so a new limit reaches live
 * wires at once.
 *
 * Why here and not in webtorrent's throttles: webtorrent pipes each connection through the
 * client's two ThrottleGroups (speed-limiter) when it connects, before the BitTorrent handshake
 * says which torrent the connection is for (an incoming one, at least), so it cannot pick a
 * group's throttle then, and its pipeline cannot be re-plumbed once data flows. The wire itself is
 * where a connection first belongs to a torrent, and it has exactly two byte paths: `push` for
 * every byte we send (webtorrent's and the sealing layer's messages alike, after MSE's cipher) and
 * `_write` for every byte we receive (before parsing, so plain peers' blocks and sealed records
 * count the same). Both are wrapped here, under the global throttles, which still apply to what
 * passes: the lower of the two wins. Nothing here decides what is sent; the gate still does, so
 * holding bytes back can never let a piece reach a wire the gate did not authorize.
 */
import type Wire from 'bittorrent-protocol'

/** How much a rate limit lets through at once after a quiet spell: a quarter second's worth. */
const BURST_S = 0.25
/** Bytes queued for one peer past its group's upload limit before we drop the connection. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024

interface Waiter {
  readonly bytes: number
  readonly go: () => void
  readonly gone: () => boolean
}

/**
 * Bytes per second through a token bucket that may go into debt: a chunk passes whenever the
 * bucket is not in debt, and its size is taken out, so any chunk size works and the average rate
 * is exact. Waiters go in arrival order (fair between the group's wires).
 */
export class RateLimit {
  #rate: number | undefined
  #tokens = 0
  #at = 0
  readonly #queue: Waiter[] = []
  #timer: NodeJS.Timeout | undefined
  #pumping = false
  readonly #now: () => number

  constructor(now: () => number = () => performance.now()) {
    this.#now = now
  }

  /** Bytes per second; undefined when unlimited. */
  get rate(): number | undefined {
    return this.#rate
  }

  /** A new rate (undefined: none) for what is waiting too, at once. */
  set(rate: number | undefined): void {
    if (rate !== undefined && !(Number.isSafeInteger(rate) && rate > 0))
      throw new RangeError(`rate limit: expected a positive whole number of bytes per second, got ${rate}`)
    if (rate === this.#rate) return
    this.#refill()
    this.#rate = rate
    this.#tokens = rate === undefined ? 0 : Math.min(this.#tokens, rate * BURST_S)
    this.#pump()
  }

  /** Takes `bytes` now if they may go now (and nobody waits before them). */
  tryTake(bytes: number): boolean {
    if (this.#rate === undefined) return true
    if (this.#queue.length > 0) return false
    this.#refill()
    if (this.#tokens < 0) return false
    this.#tokens -= bytes
    return true
  }

  /** Calls `go` once `bytes` may go; never, if `gone` turns true first. */
  wait(bytes: number, go: () => void, gone: () => boolean): void {
    this.#queue.push({ bytes, go, gone })
    this.#pump()
  }

  /** Wakes the queue, e.g. when a waiter is gone and should stop holding up those behind it. */
  poke(): void {
    this.#pump()
  }

  #refill(): void {
    const now = this.#now()
    if (this.#rate !== undefined)
      this.#tokens = Math.min(this.#rate * BURST_S, this.#tokens + (this.#rate * (now - this.#at)) / 1000)
    this.#at = now
  }

  // A waiter's `go` may queue the next chunk (or end its wire) from inside the loop: the loop picks
  // that up itself instead of recursing, so a burst of many chunks never deepens the stack.
  #pump(): void {
    if (this.#pumping) return
    this.#pumping = true
    try {
      this.#drain()
    } finally {
      this.#pumping = false
    }
  }

  #drain(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#refill()
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!
      if (head.gone()) {
        this.#queue.shift()
        continue
      }
      if (this.#rate !== undefined) {
        if (this.#tokens < 0) break
        this.#tokens -= head.bytes
      }
      this.#queue.shift()
      head.go()
    }
    if (this.#queue.length === 0 || this.#rate === undefined) return
    // Until the debt is paid; a change of rate or a poke reschedules sooner.
    this.#timer = setTimeout(() => this.#pump(), Math.max(1, Math.ceil((-this.#tokens * 1000) / this.#rate)))
    this.#timer.unref()
  }
}

/** A group's two limits. */
export interface GroupLimit {
  readonly upload: RateLimit
  readonly download: RateLimit
}

export interface Limits {
  readonly upload?: number | undefined
  readonly download?: number | undefined
}

/** The limits of every group, by swarm key (hex): one object per group for as long as the engine runs. */
export class GroupLimits {
  readonly #groups = new Map<string, GroupLimit>()

  of(swarmHex: string): GroupLimit {
    let g = this.#groups.get(swarmHex)
    if (g === undefined) this.#groups.set(swarmHex, (g = { upload: new RateLimit(), download: new RateLimit() }))
    return g
  }

  set(swarmHex: string, limits: Limits): void {
    const g = this.of(swarmHex)
    g.upload.set(limits.upload)
    g.download.set(limits.download)
  }

  get(swarmHex: string): Limits {
    const g = this.#groups.get(swarmHex)
    return { upload: g?.upload.rate, download: g?.download.rate }
  }
}

/** streamx's view of the wire (bittorrent-protocol's Wire is a streamx Duplex). */
interface Streamx {
  push(data: Uint8Array | null): boolean
  _write(data: Uint8Array, cb: (err: Error | null) => void): void
  end(data?: unknown): unknown
}

/** What a limit holds back on one wire (the send budget counts it, engine/send-budget.ts). */
export interface LimitedWire {
  /** Bytes sent by webtorrent that the upload limit has not let into the stream yet. */
  readonly heldBytes: number
}

/**
 * Makes every byte of this wire pass its group's limits. Installed in the torrent's 'wire' event,
 * before the wire sends or parses anything past the BitTorrent handshake.
 */
export function limitWire(wire: Wire, limit: GroupLimit, onOverflow: (bytes: number) => void = () => {}): LimitedWire {
  const w = wire as unknown as Streamx
  let ending = false
  const gone = () => ending || wire.destroyed

  // Sending: what the limit holds back waits here, in order, and goes to the stream when its turn
  // comes. A peer cannot make us hold more than MAX_HELD_BYTES (it would have to ask for blocks far
  // faster than the limit lets them go): past that, the connection goes.
  const push = w.push.bind(wire)
  const held: Uint8Array[] = []
  let heldBytes = 0
  const next = () => {
    const data = held.shift()
    if (data === undefined || gone()) return
    heldBytes -= data.length
    push(data)
    if (held.length > 0) limit.upload.wait(held[0]!.length, next, gone)
  }
  w.push = (data) => {
    if (data === null) {
      // The wire ends: what is still held would only be discarded by it (bittorrent-protocol's
      // _onFinish reads its own buffer empty the same way).
      held.length = 0
      heldBytes = 0
      return push(null)
    }
    if (held.length === 0 && limit.upload.tryTake(data.length)) return push(data)
    held.push(data)
    heldBytes += data.length
    if (heldBytes > MAX_HELD_BYTES) {
      onOverflow(heldBytes)
      wire.destroy()
      return false
    }
    if (held.length === 1) limit.upload.wait(data.length, next, gone)
    return false
  }

  // Receiving: the chunk's write completes once the limit lets it through, so the stream pushes
  // back on the socket meanwhile (as webtorrent's own throttle does).
  const write = w._write.bind(wire)
  let pending: ((err: Error | null) => void) | undefined
  w._write = (data, cb) => {
    if (ending) return cb(null) // what was queued behind a released write: the connection is over
    if (limit.download.tryTake(data.length)) return write(data, cb)
    pending = cb
    limit.download.wait(
      data.length,
      () => {
        pending = undefined
        write(data, cb)
      },
      gone,
    )
  }
  // Ending waits for the write in progress: release a held one unparsed, as the connection is over.
  const end = w.end.bind(wire)
  w.end = (data?: unknown) => {
    ending = true
    const cb = pending
    pending = undefined
    cb?.(null)
    limit.download.poke()
    limit.upload.poke()
    return end(data)
  }
  return {
    get heldBytes() {
      return heldBytes
    },
  }
}
