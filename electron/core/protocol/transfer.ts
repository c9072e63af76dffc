/**
 * Sealed transfers (docs/PROTOCOL.md §5.6): once a side has authorized its peer and said so, every
 * piece block and every `sealed` message it sends on that connection is a record sealed under a
 * key only the two endpoints of this handshake can derive. A relay that forwarded the handshake,
 * or anyone on the path, sees ciphertext; a flipped bit fails the tag and ends the connection.
 *
 *   okm  = HKDF-SHA256(IKM = session, salt = th, info = bencode(["coterie", 1, "transfer"]), 64)
 *   kdIR = okm[0..32]   seals what I sends        kdRI = okm[32..64]   seals what R sends
 *   record n = AES-256-GCM(key, nonce = 0^4 || uint64be(n), aad).seal(plaintext), n = 0, 1, 2 ...
 *              per direction, one per record, never reused
 *   piece record    aad = 0x07 || uint32be(index) || uint32be(begin)
 *   sealed message  aad = 0x14
 *
 * Records are numbered in the order they are written to the connection, and BitTorrent delivers
 * them in that order, so both ends count alike without sending the counter. Pure: bytes in, bytes
 * out; the AEAD comes from primitives() (native in the engine: noble's is too slow for bulk). AES-GCM
 * rather than the handshake's ChaCha20-Poly1305: hardware AES, and Electron's BoringSSL has no
 * ChaCha20-Poly1305 cipher, so the desktop app would seal every block in pure JS.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { encode } from './canonical.js'
import { DOMAIN, KEY_BYTES, PROTOCOL_VERSION, ROLE } from './constants.js'
import { decodeEnvelope, isFamily } from './envelope.js'
import type { HandshakeRole } from './handshake.js'
import { primitives } from './primitives.js'

export const TAG_BYTES = 16
/** A direction stops after this many records (2^32 blocks of 16 KiB = 64 TiB): reconnect for more. */
export const MAX_RECORDS = 2 ** 32
const PIECE_AAD_TAG = 0x07 // BitTorrent's PIECE message id
const MESSAGE_AAD_TAG = 0x14 // BEP 10's extended message id

export interface TransferKeys {
  readonly initiatorToResponder: Uint8Array
  readonly responderToInitiator: Uint8Array
}

export function transferKeys(session: Uint8Array, th: Uint8Array): TransferKeys {
  if (session.length !== KEY_BYTES || th.length !== 32)
    throw new RangeError('transferKeys: session and th are 32 bytes')
  const okm = hkdf(sha256, session, th, encode([DOMAIN, PROTOCOL_VERSION, 'transfer']), 64)
  return { initiatorToResponder: okm.slice(0, 32), responderToInitiator: okm.slice(32, 64) }
}

export function recordNonce(n: number): Uint8Array {
  const nonce = new Uint8Array(12)
  const view = new DataView(nonce.buffer)
  view.setUint32(4, Math.floor(n / 2 ** 32))
  view.setUint32(8, n >>> 0)
  return nonce
}

export function pieceAad(index: number, begin: number): Uint8Array {
  const aad = new Uint8Array(9)
  const view = new DataView(aad.buffer)
  aad[0] = PIECE_AAD_TAG
  view.setUint32(1, index)
  view.setUint32(5, begin)
  return aad
}

const MESSAGE_AAD = Uint8Array.of(MESSAGE_AAD_TAG)

/**
 * One direction of one connection: a key and the number of the next record. The nonce and piece
 * aad are rewritten in place for each record (the AEAD copies them before it returns): two
 * allocations less per 16 KiB block, on a path where allocation and GC cost as much as the cipher.
 */
class Direction {
  #next = 0
  readonly #nonce = new Uint8Array(12)
  readonly #nonceView = new DataView(this.#nonce.buffer)
  readonly #aad = new Uint8Array(9)
  readonly #aadView = new DataView(this.#aad.buffer)
  constructor(readonly key: Uint8Array) {
    this.#aad[0] = PIECE_AAD_TAG
  }

  get records(): number {
    return this.#next
  }

  /** The aad of a PIECE record (same bytes as pieceAad), valid until the next call. */
  pieceAad(index: number, begin: number): Uint8Array {
    this.#aadView.setUint32(1, index)
    this.#aadView.setUint32(5, begin)
    return this.#aad
  }

  seal(aad: Uint8Array, plaintext: Uint8Array, headroom = 0): Uint8Array | undefined {
    if (this.#next >= MAX_RECORDS) return undefined
    return primitives().recordSeal(this.key, this.#take(), aad, plaintext, headroom)
  }

  // A record that fails still used its number: the connection is over anyway (the caller drops it).
  open(aad: Uint8Array, box: Uint8Array): Uint8Array | undefined {
    if (this.#next >= MAX_RECORDS || box.length < TAG_BYTES) return undefined
    return primitives().recordOpen(this.key, this.#take(), aad, box)
  }

  /** recordNonce(n) for the next number, which it uses up. */
  #take(): Uint8Array {
    const n = this.#next++
    this.#nonceView.setUint32(4, Math.floor(n / 2 ** 32))
    this.#nonceView.setUint32(8, n >>> 0)
    return this.#nonce
  }
}

/**
 * Both directions of one connection, from our side. `undefined` from any method means the
 * connection must close: a box that does not open, or a direction out of record numbers.
 */
export class SealedTransfer {
  readonly #send: Direction
  readonly #receive: Direction

  constructor(session: Uint8Array, th: Uint8Array, role: HandshakeRole) {
    const k = transferKeys(session, th)
    const [send, receive] =
      role === ROLE.initiator
        ? [k.initiatorToResponder, k.responderToInitiator]
        : [k.responderToInitiator, k.initiatorToResponder]
    this.#send = new Direction(send)
    this.#receive = new Direction(receive)
  }

  get recordsSent(): number {
    return this.#send.records
  }

  get recordsReceived(): number {
    return this.#receive.records
  }

  /** The record, `headroom` bytes into the result (room for the caller's PIECE header). */
  sealPiece(index: number, begin: number, block: Uint8Array, headroom = 0): Uint8Array | undefined {
    return this.#send.seal(this.#send.pieceAad(index, begin), block, headroom)
  }

  openPiece(index: number, begin: number, box: Uint8Array): Uint8Array | undefined {
    return this.#receive.open(this.#receive.pieceAad(index, begin), box)
  }

  sealMessage(payload: Uint8Array): Uint8Array | undefined {
    return this.#send.seal(MESSAGE_AAD, payload)
  }

  openMessage(box: Uint8Array): Uint8Array | undefined {
    return this.#receive.open(MESSAGE_AAD, box)
  }
}

/** The `sealed` extension message: d 3:box <len>:<box> 1:t 6:sealed e. */
export const encodeSealedMessage = (box: Uint8Array): Uint8Array => encode({ t: 'sealed', box })

/**
 * The box of a `sealed` message, `'other'` for any other Coterie message (the handshake's), or
 * `'malformed'` for a `sealed` message that is not exactly {t, box} or is over the size bound.
 */
export function sealedBox(bytes: Uint8Array): Uint8Array | 'other' | 'malformed' {
  // An oversize message names no family: 'other' (the handshake refuses it as oversize).
  const e = decodeEnvelope(bytes)
  return e.kind === 'sealed' ? e.box : isFamily(e, 'sealed') ? 'malformed' : 'other'
}
