/**
 * Backpressure for uploads on one wire (issue 16): a peer's REQUEST is passed on to webtorrent,
 * which reads the block from disk and sends it, only while this connection's send budget has room.
 *
 * Why: webtorrent answers every request at once, and bittorrent-protocol pushes each PIECE into
 * the wire's stream without looking at the stream's answer, so a fast member's pipeline of
 * requests (webtorrent asks for a second's worth, thousands of blocks at loopback speed) became
 * that many blocks read and queued in the seeder's memory: about 100 MB per connection measured,
 * and nothing bounded it with eight members. Here a request waits, as three numbers, until the
 * bytes already read for the peer and not yet taken by its socket's pipeline fit the budget.
 *
 * What counts against the budget: blocks being read from disk for the peer, bytes waiting in the
 * wire's own stream buffer (streamx's readable side, which is all bittorrent-protocol ever fills),
 * and bytes a group speed limit holds back for it (`heldBytes`, engine/group-limits.ts). What
 * wakes a waiting request: a block read that ends (sent or failed), and the stream asking for more
 * (streamx calls `_read` when the pipeline towards the socket has taken its buffer below its
 * high-water mark). Nothing here decides *whether* a peer gets a block: a request passed on meets
 * webtorrent's and the gate's checks exactly as before (a choked peer's is rejected or dropped).
 */
import type Wire from 'bittorrent-protocol'

/**
 * Bytes one connection may have read from disk and not yet handed on towards its socket. The
 * socket's own buffers (the pipeline's streams and the kernel's send buffer) come on top, and keep
 * the link busy while the next blocks are read: measured on loopback (`npm run bench`), 1 MiB
 * loses no throughput against unbounded queues; 8 members cost 8 MiB at most.
 */
export const SEND_BUDGET_BYTES = 1024 * 1024
/**
 * Requests one peer may have waiting for the budget (16 KiB blocks: 256 MiB asked for at once;
 * webtorrent asks for about a second's worth). Past it a request is rejected (BEP 6) or dropped,
 * as a choked peer's is: the peer asks again or times out, and we hold nothing more for it.
 */
export const MAX_WAITING_REQUESTS = 16_384

export interface SendBudget {
  /** Bytes read or being read for the peer and not yet handed on towards its socket. */
  readonly queuedBytes: number
  /** Requests waiting for room in the budget. */
  readonly waitingRequests: number
}

export interface SendBudgetOptions {
  /** Bytes; SEND_BUDGET_BYTES unless given (benchmarks compare sizes). */
  readonly budget?: number | undefined
  /** Bytes already sent by webtorrent but held back before the stream (a group's speed limit). */
  readonly heldBytes?: () => number
  /**
   * Whether we hold a piece. webtorrent leaves a request for a piece it lacks unanswered (a member
   * that is still downloading is asked for one it announced as missing, or raced a HAVE): such a
   * request is passed on uncounted, since it is never read and its answer never comes.
   */
  readonly has?: (index: number) => boolean
}

type Respond = (err: Error | null, block?: Uint8Array) => void

/** bittorrent-protocol's and streamx's internals this wraps (instance methods, looked up per call). */
interface WireInternals {
  _onRequest(index: number, offset: number, length: number): void
  _onCancel(index: number, offset: number, length: number): void
  _read(cb: (err: Error | null) => void): void
  _readableState: { buffered: number } | null
  reject(index: number, offset: number, length: number): void
  emit(event: string | symbol, ...args: unknown[]): boolean
}

interface Waiting {
  readonly index: number
  readonly offset: number
  readonly length: number
}

/**
 * Installs the budget on this wire, in the torrent's 'wire' event (before any REQUEST can arrive:
 * the peer is choked until the gate authorizes it). Returns a live view of its figures.
 */
export function budgetWire(wire: Wire, o: SendBudgetOptions = {}): SendBudget {
  const budget = o.budget ?? SEND_BUDGET_BYTES
  if (!(Number.isSafeInteger(budget) && budget > 0)) throw new RangeError(`send budget: bad size ${budget}`)
  const w = wire as unknown as WireInternals
  const onRequest = w._onRequest.bind(wire)
  const onCancel = w._onCancel.bind(wire)
  const read = w._read.bind(wire)
  const emit = w.emit.bind(wire)

  // FIFO of waiting requests: an array read from `head`, compacted when half of it is spent.
  let waiting: Waiting[] = []
  let head = 0
  let reading = 0 // bytes of requests passed on whose block is not yet sent (or failed)

  const queued = () => reading + (w._readableState?.buffered ?? 0) + (o.heldBytes?.() ?? 0)
  // One block always goes when nothing is queued, whatever its size (BEP 3 allows 128 KiB blocks).
  const fits = (length: number) => wire.amChoking || queued() + length <= budget || queued() === 0

  const release = () => {
    while (head < waiting.length && !wire.destroyed && fits(waiting[head]!.length)) {
      const r = waiting[head++]!
      onRequest(r.index, r.offset, r.length) // a choked peer's is rejected or dropped there, as before
    }
    if (head === waiting.length) {
      waiting = []
      head = 0
    } else if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head)
      head = 0
    }
  }

  w._onRequest = (index, offset, length) => {
    if (head === waiting.length && fits(length)) return onRequest(index, offset, length)
    if (waiting.length - head >= MAX_WAITING_REQUESTS) {
      if (wire.hasFast) w.reject(index, offset, length)
      return
    }
    waiting.push({ index, offset, length })
    release() // room may have come without a wake-up (a control message drained, say)
  }
  w._onCancel = (index, offset, length) => {
    const i = waiting.findIndex((r, j) => j >= head && r.index === index && r.offset === offset && r.length === length)
    if (i >= 0) waiting.splice(i, 1)
    onCancel(index, offset, length)
  }
  // bittorrent-protocol hands each request to webtorrent as ('request', index, offset, length,
  // respond); webtorrent reads the block and calls respond, which sends it. Counting between the
  // two is the only place the read is visible.
  w.emit = (event, ...args) => {
    if (event !== 'request') return emit(event, ...args)
    const length = args[2] as number
    const respond = args[3] as Respond
    if (o.has !== undefined && !o.has(args[0] as number)) return emit(event, ...args)
    reading += length
    let answered = false
    const counted: Respond = (err, block) => {
      if (!answered) {
        answered = true
        reading -= length
      }
      respond(err, block)
      release()
    }
    return emit(event, args[0], args[1], length, counted)
  }
  w._read = (cb) => {
    release()
    read(cb)
  }
  wire.once('close', () => {
    waiting = []
    head = 0
  })

  return {
    get queuedBytes() {
      return queued()
    },
    get waitingRequests() {
      return waiting.length - head
    },
  }
}
