/**
 * Bounded framing on one wire (docs/PROTOCOL.md §5.7): a frame is judged by its length prefix, and
 * by its id byte as soon as that is in, before its body is buffered (protocol/frame-bounds.ts), and
 * a frame longer than any legitimate message closes the connection there. Received bytes are
 * buffered without copying what is already held.
 *
 * Why on the wire instance, not in bittorrent-protocol: its parser caps no length (a peer holding
 * the infohash announced 4 GiB and streamed), and its _write joins the whole pending buffer into a
 * new one on every chunk, so a long frame costs CPU in the square of its size (96 MiB: 65 s). The
 * parser's steps are methods looked up on the wire (`this._onMessageLength`), so wrappers on the
 * instance take over every later frame, the way the upload gate wraps unchoke and piece; no patch
 * to the package is needed. What this relies on is typed in types/bittorrent-protocol.d.ts and
 * checked here at install: a release that renames it fails loudly rather than running unbounded.
 *
 * Installed in webtorrent's 'wire' event, which comes right after the peer's BitTorrent handshake
 * (the handshake and MSE steps before it read fixed, small sizes). On an incoming plaintext
 * connection webtorrent emits it only after an await, so a first frame may already be waiting:
 * its prefix is judged at install.
 */
import Wire from 'bittorrent-protocol'
import type { FrameErrorCode } from '../../../shared/protocol-codes.js'
import { checkFrame, checkPrefix } from '../protocol/frame-bounds.js'

export interface FramingOptions {
  /** Pieces in the wire's torrent, for the bitfield's bound; undefined before its metadata. */
  readonly pieces: () => number | undefined
  /** The frame refused and its announced length, just before the wire is destroyed. */
  readonly onRefused?: ((code: FrameErrorCode, length: number) => void) | undefined
}

/**
 * What the TLS switch (tls-switch.ts) needs of the framing: received bytes taken away from the
 * parser from a point on, and bytes of its own handed to the parser as if they had arrived.
 */
export interface Framing {
  /**
   * From now on every received byte (after MSE, if any) goes to `sink` instead of the parser;
   * returns the bytes the parser held but had not parsed yet, which come first.
   */
  divert(sink: (bytes: Uint8Array) => void): Uint8Array[]
  /** Bytes for the parser, judged and parsed exactly as received ones were before `divert`. */
  feed(bytes: Uint8Array): void
}

const proto = Wire.prototype
const HOOKS = ['_write', '_processBuffer', '_onMessageLength', '_onMessage', '_parse'] as const

export function boundFraming(wire: Wire, o: FramingOptions): Framing {
  for (const hook of HOOKS) {
    if (typeof proto[hook] !== 'function') throw new Error(`boundFraming: bittorrent-protocol has no Wire.${hook}`)
  }
  let refused = false

  const refuse = (code: FrameErrorCode, length: number): void => {
    if (refused) return
    refused = true
    // Nothing more of this peer is parsed: what is buffered is dropped, and no size is ever enough.
    wire._buffer = []
    wire._bufferSize = 0
    proto._parse.call(wire, Number.MAX_VALUE, () => {})
    o.onRefused?.(code, length)
    wire.destroy()
  }

  // The length prefix: refused before a byte of its body is buffered (0 is a keep-alive).
  const onMessageLength = (buffer: Uint8Array): void => {
    const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0)
    const bad = checkPrefix(length, o.pieces())
    if (bad !== undefined) return refuse(bad, length)
    proto._onMessageLength.call(wire, buffer) // _parse(length, this._onMessage): ours, below
  }
  // A whole frame, when it arrived in the chunk that carried its prefix (otherwise peekId saw it).
  const onMessage = (buffer: Uint8Array): void => {
    const bad = buffer.length > 0 ? checkFrame(buffer.length, buffer[0]!, o.pieces()) : undefined
    if (bad !== undefined) return refuse(bad, buffer.length)
    proto._onMessage.call(wire, buffer)
  }
  // The id byte of a frame whose body is still arriving: judged now, not when the body is in.
  const peekId = (): void => {
    if (refused || wire._parser !== onMessage || wire._bufferSize === 0) return
    const bad = checkFrame(wire._parserSize, wire._buffer[0]![0]!, o.pieces())
    if (bad !== undefined) refuse(bad, wire._parserSize)
  }

  wire._onMessageLength = onMessageLength
  wire._onMessage = onMessage
  // Joins what is held only when a frame can be parsed from it, so each byte is copied once.
  wire._processBuffer = () => {
    if (wire._buffer.length > 1) wire._buffer = [joined(wire._buffer, wire._bufferSize)]
    proto._processBuffer.call(wire)
    peekId()
  }
  const feed = (plain: Uint8Array): void => {
    if (refused) return
    wire._bufferSize += plain.length
    wire._buffer.push(plain)
    // MSE's resynchronization scans the joined bytes (bounded by its own limit): as before.
    if (wire._bufferSize >= wire._parserSize || wire._cryptoSyncPattern !== null) wire._processBuffer()
    else peekId()
  }
  let diverted: ((bytes: Uint8Array) => void) | undefined
  wire._write = (data: Uint8Array, cb: (err: Error | null) => void) => {
    if (refused) return cb(null)
    const plain = wire._encryptor !== null ? wire._encryptor.decrypt(data) : data
    if (diverted !== undefined) diverted(plain)
    else feed(plain)
    cb(null)
  }
  const framing: Framing = {
    divert(sink) {
      diverted = sink
      const held = wire._buffer
      wire._buffer = []
      wire._bufferSize = 0
      return held
    },
    feed,
  }

  // A frame whose prefix was read before we were installed (webtorrent's await, above).
  if (wire._parser === proto._onMessageLength) wire._parser = onMessageLength
  else if (wire._parser === proto._onMessage) {
    const bad = checkPrefix(wire._parserSize, o.pieces())
    if (bad !== undefined) refuse(bad, wire._parserSize)
    else {
      wire._parser = onMessage
      peekId()
    }
  }
  return framing
}

// Not zero-filled: every byte is written below. Frames that span reads (every PIECE inside TLS,
// whose records hold 16 KiB) are joined here, so the fill would cost on each.
function joined(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = Buffer.allocUnsafe(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
