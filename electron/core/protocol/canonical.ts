/**
 * Canonical bencode (BEP 3 with the strictness a signature needs).
 *
 * Everything Coterie signs or sends is a bencoded value. A byte string is accepted only if it is
 * the one canonical encoding of its value: keys sorted and unique, integers without leading zeros
 * or "-0", no trailing bytes. We check that by re-encoding the decoded value and comparing bytes,
 * which holds for any decoder, so a second implementation needs no special parser: one value, one
 * encoding, and a signature can never be moved to a different-looking message.
 */
import bencode from 'bencode'
import { equalBytes } from './bytes.js'

export type Bencodable = number | Uint8Array | string | readonly Bencodable[] | { readonly [key: string]: Bencodable | undefined }

/** Encodes with sorted keys; `undefined` fields are omitted (they mean "absent"). */
export function encode(value: Bencodable): Uint8Array {
  return bencode.encode(value)
}

/** The decoded shape: byte strings stay bytes; the schema layer decides which are text. */
export type Decoded = number | Uint8Array | Decoded[] | { [key: string]: Decoded }

/**
 * Decodes `data` if, and only if, it is canonical bencode no longer than `maxBytes`.
 * Returns undefined otherwise: the caller maps that to its own typed rejection.
 */
export function decodeCanonical(data: Uint8Array, maxBytes: number): Decoded | undefined {
  if (!(data instanceof Uint8Array) || data.length === 0 || data.length > maxBytes) return undefined
  let value: unknown
  try {
    value = bencode.decode(data)
  } catch {
    return undefined
  }
  if (!isPlainBencode(value)) return undefined
  let again: Uint8Array
  try {
    again = bencode.encode(value)
  } catch {
    return undefined
  }
  return equalBytes(again, data) ? (value as Decoded) : undefined
}

// Rejects what a hostile decoder output could smuggle past re-encoding (floats, prototypes, nulls).
function isPlainBencode(v: unknown, depth = 0): boolean {
  if (depth > 16) return false
  if (typeof v === 'number') return Number.isSafeInteger(v)
  if (v instanceof Uint8Array) return true
  if (Array.isArray(v)) return v.every((x) => isPlainBencode(x, depth + 1))
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v).every((x) => isPlainBencode(x, depth + 1))
  }
  return false
}
