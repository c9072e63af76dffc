/**
 * The longest frame each BitTorrent message may be on a Coterie wire (docs/PROTOCOL.md §5.7), so
 * a frame is judged by its 4-byte length prefix (and its id byte) before its body is buffered: a
 * peer that announces a 4 GiB frame is refused after 4 bytes, not after 4 GiB. Pure: numbers in,
 * a verdict out; gate/bounded-framing.ts applies it to a wire.
 *
 * Every bound is the largest message a legitimate peer sends us, derived from the named limits
 * below: we request 16 KiB blocks only, so a PIECE carries at most one block (sealed: plus its
 * tag); a bitfield has one bit per piece of the torrent; an extended message (BEP 10) is at most
 * a ut_metadata piece (16 KiB and its dictionary) or a Coterie message (MAX_MESSAGE_BYTES), and
 * the bound leaves room for other clients' extended handshakes.
 */
import type { FrameErrorCode } from '../../../shared/protocol-codes.js'
import { MAX_INVITE_BYTES } from './constants.js'
import { TAG_BYTES } from './transfer.js'

/** The block size this node requests (webtorrent's Piece.BLOCK_LENGTH, the BEP 3 convention). */
export const BLOCK_BYTES = 16 * 1024
/**
 * The payload of one extended message (BEP 10), its ext id excluded: 4× the largest one we know
 * of (a ut_metadata piece, 16 KiB plus its dictionary; a Coterie message is at most 8 KiB).
 */
export const MAX_EXTENDED_PAYLOAD_BYTES = 64 * 1024 // 64 KiB
/**
 * Pieces a torrent may have when the wire's torrent has no metadata yet: an info dictionary is at
 * most an invite's size, 20 bytes of hash per piece.
 */
export const MAX_PIECES = Math.floor(MAX_INVITE_BYTES / 20)

/** BitTorrent message ids (BEP 3, BEP 6 fast extension, BEP 10 extension protocol). */
export const MESSAGE = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  haveAll: 0x0e,
  haveNone: 0x0f,
  reject: 0x10,
  allowedFast: 0x11,
  extended: 20,
} as const

/** A PIECE frame: id, index, begin, one block, and the seal's tag when it is a sealed record. */
export const MAX_PIECE_FRAME = 1 + 4 + 4 + BLOCK_BYTES + TAG_BYTES
/** An extended frame: id, ext id, payload. */
export const MAX_EXTENDED_FRAME = 1 + 1 + MAX_EXTENDED_PAYLOAD_BYTES

/** BEP 3 and BEP 6 messages of one fixed length: any other length is refused. */
const FIXED: ReadonlyMap<number, number> = new Map([
  [MESSAGE.choke, 1],
  [MESSAGE.unchoke, 1],
  [MESSAGE.interested, 1],
  [MESSAGE.notInterested, 1],
  [MESSAGE.haveAll, 1],
  [MESSAGE.haveNone, 1],
  [MESSAGE.have, 5],
  [MESSAGE.suggest, 5],
  [MESSAGE.allowedFast, 5],
  [MESSAGE.port, 3],
  [MESSAGE.request, 13],
  [MESSAGE.cancel, 13],
  [MESSAGE.reject, 13],
])

/** A bitfield frame for `pieces` pieces (MAX_PIECES when the torrent's metadata is not known yet). */
export const bitfieldFrame = (pieces: number | undefined): number =>
  1 + Math.ceil(Math.min(pieces ?? MAX_PIECES, MAX_PIECES) / 8)

/** The longest frame of any kind: what a length prefix is checked against before its id arrives. */
export const maxFrame = (pieces: number | undefined): number =>
  Math.max(MAX_PIECE_FRAME, MAX_EXTENDED_FRAME, bitfieldFrame(pieces))

/*
 * The checks return why a frame is refused, or undefined when it may be read: they run on every
 * message of every wire (a PIECE per 16 KiB), so a passing frame allocates nothing.
 */

/** Judges a length prefix (0 is a keep-alive) before anything of its frame is buffered. */
export function checkPrefix(length: number, pieces: number | undefined): FrameErrorCode | undefined {
  return length <= maxFrame(pieces) ? undefined : 'frame-too-long'
}

/**
 * Judges a frame of `length` bytes (its prefix's value) once its id byte is known. Ids this node
 * does not use (BEP 52's, a newer extension's) are bounded like extended messages and ignored.
 */
export function checkFrame(length: number, id: number, pieces: number | undefined): FrameErrorCode | undefined {
  const fixed = FIXED.get(id)
  if (fixed !== undefined) return length === fixed ? undefined : 'wrong-frame-length'
  const max =
    id === MESSAGE.piece ? MAX_PIECE_FRAME : id === MESSAGE.bitfield ? bitfieldFrame(pieces) : MAX_EXTENDED_FRAME
  if (length > max) return 'frame-too-long'
  // A PIECE needs its index and begin; an extended message its ext id.
  if ((id === MESSAGE.piece && length < 9) || (id === MESSAGE.extended && length < 2)) return 'wrong-frame-length'
  return undefined
}
