/**
 * A bound on what downloading holds in memory (issue 16): the bytes of the pieces a node's torrents
 * have started and not yet written, at most PIECE_BYTES_IN_FLIGHT over all of them.
 *
 * Why: webtorrent keeps every block of a piece in memory until the piece is complete, then joins
 * them into one Buffer, hashes it and hands it to the store, and only forgets the piece once the
 * store says it is written. It starts new pieces for as long as a wire's pipeline (about a second
 * of its download speed) has room, so nothing bounds the pieces in flight: at loopback speed with
 * 4 MiB pieces (a 4 GiB file) that is tens of pieces, and when the disk lags behind the network,
 * whole pieces waiting for their write pile up too (docs/ENGINE.md §5). Here a piece is started
 * only while the pieces already started leave room for it; the blocks of pieces already started
 * are still requested as before, so the wires stay busy, and a piece written makes room for the next.
 *
 * How: webtorrent reserves every block through `torrent._request(wire, index, hotswap)`, the one
 * place a piece is started, and looks it up on the instance, so wrapping it there refuses to start
 * a piece past the bound. While the bound is full, `_updateWire` (which otherwise walks every
 * missing piece for each block that arrives) is shortened to the started pieces. A piece leaves the
 * bound when webtorrent marks it verified (written), or is replaced (a failed hash). A started piece
 * that no connected peer can finish (its source left) is dropped when it would hold the bound, as
 * webtorrent drops a piece that failed its hash: its blocks are asked for again later.
 *
 * Where a piece's bytes are held: webtorrent keeps each block as it arrived (a Buffer of its own,
 * or a view that keeps a whole socket chunk alive) and joins them into a fresh Buffer to hash and
 * write. Blocks held that long outlive V8's young generation, so once the piece is written they are
 * garbage that only a full collection frees, which V8 starts only after some 64 MiB of such
 * external memory: a member's ArrayBuffers reached 80-100 MiB with 32 MiB of pieces in flight
 * (`npm run bench:memory`, docs/ENGINE.md §5). So each started piece gets a buffer of its own from a
 * pool (as many as the bound holds), each block is copied into it as it arrives (and dies young),
 * the buffer is what is hashed and written (no join), and it goes back to the pool once the piece
 * is written (the pool is let go when nothing is downloading). The pool's buffers are Uint8Arrays, which a store's `slice` copies, so nothing read
 * from a piece still being written can see its buffer reused.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'

const MiB = 1024 * 1024

/**
 * Bytes of started, unwritten pieces a node may hold, over all its torrents. 16 MiB is 4 pieces of
 * a 4 GiB file's 4 MiB (1024 blocks requested at once: 0.1-0.2 s at loopback speed, seconds on a
 * real link). Measured with `npm run bench:memory` (1.5 GiB of a 4 GiB file, 1 -> 1, 2026-12-03):
 * the member peaked at 206 MiB with 32 MiB, 170 MiB with 16; throughput in docs/ENGINE.md §5.
 * Each torrent may always have one piece started, so a piece larger than the bound, or a torrent
 * started while others fill it, still makes progress.
 */
export const PIECE_BYTES_IN_FLIGHT = 16 * MiB

/** webtorrent's block size (torrent-piece's BLOCK_LENGTH): what a pipeline is counted in. */
const BLOCK_LENGTH = 16 * 1024
/** webtorrent's PIPELINE_MAX_DURATION: a wire is asked for this many seconds of its download speed. */
const PIPELINE_SECONDS = 1

/**
 * The bound, shared by a node's torrents: the bytes of their started pieces, and the buffers of
 * written pieces kept for the next ones (pooled and in flight together stay within `limit`).
 */
export class PieceBudget {
  /** Bytes of the pieces started and not yet written, each counted at its full length. */
  bytes = 0
  /** The most `bytes` has been since the last `resetPeak()`. */
  peakBytes = 0
  readonly #pool = new Map<number, Uint8Array[]>()
  #pooledBytes = 0

  constructor(readonly limit: number = PIECE_BYTES_IN_FLIGHT) {
    if (!(limit > 0)) throw new RangeError('pieces-in-flight: the bound must be positive')
  }

  resetPeak(): void {
    this.peakBytes = this.bytes
  }

  take(length: number): Uint8Array {
    const b = this.#pool.get(length)?.pop()
    if (b === undefined) return new Uint8Array(length)
    this.#pooledBytes -= length
    return b
  }

  give(buffer: Uint8Array): void {
    if (this.bytes + this.#pooledBytes + buffer.byteLength > this.limit) return
    const list = this.#pool.get(buffer.byteLength) ?? []
    list.push(buffer)
    this.#pool.set(buffer.byteLength, list)
    this.#pooledBytes += buffer.byteLength
  }

  /** Lets the pooled buffers go (nothing is being downloaded: a seeding node holds none). */
  drain(): void {
    if (this.bytes > 0) return
    this.#pool.clear()
    this.#pooledBytes = 0
  }
}

/** torrent-piece's Piece, as much as is read or replaced here (its own fields, checked when a piece is adopted). */
interface Piece {
  readonly length: number
  missing: number
  _chunks: number
  _buffered: number
  _reservations: number
  _buffer: (Uint8Array | undefined)[] | null
  _cancellations: number[] | null
  sources: unknown[] | null
  _flushed: boolean
  set(i: number, data: Uint8Array, source: unknown): boolean
  flush(): Uint8Array | null
}

/** A started piece and the buffer its blocks are copied into. */
interface Started {
  readonly piece: Piece
  readonly buffer: Uint8Array
}

/** webtorrent's Torrent internals this wraps or reads (instance methods, looked up per call). */
interface TorrentInternals {
  pieces: (Piece | null)[] | undefined
  pieceLength: number
  _reservations: ((Wire | null)[] | null | undefined)[] | undefined
  _critical: (boolean | undefined)[]
  wires: Wire[]
  _request(wire: Wire, index: number, hotswap: boolean): boolean
  _updateWire(wire: Wire): unknown
  on(event: 'verified', f: (index: number) => void): unknown
  on(event: 'warning' | 'done' | 'close', f: () => void): unknown
}

interface WireFields {
  peerChoking: boolean
  downloaded: number
  destroyed: boolean
  requests: unknown[]
  peerPieces: { get(i: number): boolean }
  peerExtendedHandshake?: { reqq?: unknown }
  downloadSpeed(): number
}

export interface PiecesInFlight {
  /** This torrent's bytes of pieces started and not yet written. */
  readonly bytes: number
  /** The most `bytes` has been. */
  readonly peakBytes: number
}

/** Installs the bound on a torrent (before it starts downloading). Throws if webtorrent's internals moved. */
export function boundPiecesInFlight(torrent: Torrent, budget: PieceBudget): PiecesInFlight {
  const t = torrent as unknown as TorrentInternals
  if (typeof t._request !== 'function' || typeof t._updateWire !== 'function') {
    throw new Error('pieces-in-flight: webtorrent no longer has Torrent._request/_updateWire')
  }
  const request = t._request
  const updateWire = t._updateWire
  /** Started pieces by index, with the Piece object started (a failed hash replaces it). */
  const started = new Map<number, Started>()
  let bytes = 0
  let peak = 0
  /** Something may have replaced a started piece without a 'verified' (a failed hash): look again. */
  let stale = false

  const forget = (index: number) => {
    const s = started.get(index)
    if (s === undefined) return
    started.delete(index)
    bytes -= s.piece.length
    budget.bytes -= s.piece.length
    // Written (verified), failed its hash, or dropped unfinished: nothing reads the buffer any more.
    budget.give(s.buffer)
  }
  const prune = () => {
    stale = false
    for (const [i, s] of started) if (t.pieces?.[i] !== s.piece) forget(i)
  }
  const hasRoom = (length: number) => {
    if (stale) prune()
    return started.size === 0 || budget.bytes + length <= budget.limit
  }
  const requestable = (index: number) =>
    t.wires.some((w) => {
      const f = w as unknown as WireFields
      return !f.destroyed && !f.peerChoking && f.peerPieces.get(index)
    })
  /** Drops started pieces nobody is sending and no connected peer can finish; true if any went. */
  const dropOrphans = () => {
    let dropped = false
    for (const [i, { piece: p }] of started) {
      if (p.missing === 0) continue // complete: being hashed or written
      if (t._reservations?.[i]?.some((w) => w !== null) === true) continue
      if (requestable(i)) continue
      const Ctor = p.constructor as new (length: number) => Piece
      if (t.pieces !== undefined) t.pieces[i] = new Ctor(p.length)
      forget(i)
      dropped = true
    }
    return dropped
  }

  t.on('verified', forget)
  t.on('warning', () => (stale = true))
  t.on('done', () => budget.drain())
  // A torrent removed mid-download gives its share back (its pieces' buffers go with it).
  t.on('close', () => {
    budget.bytes -= bytes
    bytes = 0
    started.clear()
    budget.drain()
  })

  t._request = function (wire, index, hotswap) {
    const piece = t.pieces?.[index]
    // A written piece (webtorrent nulls it as it marks it verified): its own first check says no.
    // The hot case: webtorrent's walk asks once per piece the peer has, for every block that arrives.
    if (piece === null) return false
    if (piece === undefined || started.get(index)?.piece === piece) return request.call(this, wire, index, hotswap)
    if (!hasRoom(piece.length)) return false
    const ok = request.call(this, wire, index, hotswap)
    if (ok) {
      const buffer = budget.take(piece.length)
      started.set(index, { piece, buffer })
      copyBlocksInto(piece, buffer)
      bytes += piece.length
      budget.bytes += piece.length
      if (bytes > peak) peak = bytes
      if (budget.bytes > budget.peakBytes) budget.peakBytes = budget.bytes
    }
    return ok
  }

  t._updateWire = function (wire) {
    const f = wire as unknown as WireFields
    if (f.destroyed || f.peerChoking || f.downloaded === 0 || hasRoom(t.pieceLength)) {
      return updateWire.call(this, wire)
    }
    // Full: only the started pieces can be asked for. webtorrent's own walk would try every
    // missing piece, in vain, for each block that arrives.
    const max = pipelineLength(f)
    for (const [i, { piece: p }] of started) {
      if (f.requests.length >= max) return undefined
      // torrent-piece's own count: every block reserved and none given back, nothing to ask for.
      if (p._reservations >= p._chunks && (p._cancellations?.length ?? 0) === 0) continue
      if (!f.peerPieces.get(i)) continue
      while (f.requests.length < max && t._request(wire, i, t._critical[i] === true)) {
        // each call reserves one more block of piece i
      }
    }
    if (f.requests.length === 0 && dropOrphans() && hasRoom(t.pieceLength)) return updateWire.call(this, wire)
    return undefined
  }

  return {
    get bytes() {
      if (stale) prune()
      return bytes
    },
    get peakBytes() {
      return peak
    },
  }
}

/**
 * Makes `piece` keep its blocks in `buffer`: each block is copied in as it arrives (torrent-piece's
 * own `set` then records the copy), and `flush` hands over the buffer instead of joining the blocks.
 * Own properties of this one Piece object: torrent-piece's class is left as it is.
 */
function copyBlocksInto(piece: Piece, buffer: Uint8Array): void {
  for (const f of ['_buffer', '_buffered', '_chunks', '_reservations', '_flushed', '_cancellations'] as const) {
    if (!(f in piece)) throw new Error(`pieces-in-flight: torrent-piece no longer has Piece.${f}`)
  }
  const set = piece.set
  piece.set = function (i, data, source) {
    if (this._flushed) return false // torrent-piece's own answer: the buffer is being hashed or written
    const at = i * BLOCK_LENGTH
    const n = Math.min(data.length, buffer.length - at)
    // Like torrent-piece, a block already held keeps its first bytes (a webseed's range may overlap).
    for (let o = 0; o < n; o += BLOCK_LENGTH) {
      if (this._buffer?.[i + o / BLOCK_LENGTH] === undefined) {
        buffer.set(data.subarray(o, Math.min(o + BLOCK_LENGTH, n)), at + o)
      }
    }
    return set.call(this, i, buffer.subarray(at, at + n), source)
  }
  piece.flush = function () {
    if (this._buffer === null || this._chunks !== this._buffered) return null
    this._buffer = null
    this._cancellations = null
    this.sources = null
    this._flushed = true
    return buffer
  }
}

/** webtorrent's getBlockPipelineLength(wire, PIPELINE_MAX_DURATION): how many blocks a wire is asked for. */
function pipelineLength(w: WireFields): number {
  let n = 2 + Math.ceil((PIPELINE_SECONDS * w.downloadSpeed()) / BLOCK_LENGTH)
  const reqq = w.peerExtendedHandshake?.reqq
  if (typeof reqq === 'number' && reqq > 0) n = Math.min(n, reqq)
  return n
}
