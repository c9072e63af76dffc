/**
 * Canonical bencode (BEP 3, with the strictness a signature needs), encoder and strict decoder.
 *
 * Everything Coterie signs or sends is bencoded, and a byte string is accepted only if it is the
 * one canonical encoding of its value: dictionary keys sorted as raw bytes and unique, integers
 * without leading zeros or "-0", string lengths without leading zeros, no trailing bytes. One
 * value, one encoding: a signature can never be moved to a different-looking message.
 *
 * Why not the `bencode` package's decoder: it accepts a negative string length and steps
 * backwards, so "d1:a-3:e" loops forever (a remote hang before any authentication), and it
 * accepts non-canonical input. Parsing hostile bytes is this module's whole job, so it is done
 * here, in one bounded forward pass. The encoder's output is checked against the package's in
 * the tests, so we still speak the BitTorrent world's bencode.
 */
import { compareBytes, fromUtf8, utf8 } from './bytes.js'

export type Bencodable =
  number | Uint8Array | string | readonly Bencodable[] | { readonly [key: string]: Bencodable | undefined }

/** The decoded shape: byte strings stay bytes; the schema layer decides which are text. */
export type Decoded = number | Uint8Array | Decoded[] | { [key: string]: Decoded }

// Deep enough for a multi-file info dictionary (info > files > entry > path), shallow enough that
// nesting cannot exhaust the stack.
export const MAX_DEPTH = 32
const I = 0x69,
  L = 0x6c,
  D = 0x64,
  E = 0x65,
  COLON = 0x3a,
  MINUS = 0x2d,
  ZERO = 0x30,
  NINE = 0x39

/** Encodes with keys sorted as UTF-8 bytes; `undefined` fields are omitted (they mean "absent"). */
export function encode(value: Bencodable): Uint8Array {
  const parts: Uint8Array[] = []
  write(value, parts, 0)
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function write(v: Bencodable, out: Uint8Array[], depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError('encode: nested too deeply')
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`encode: ${v} is not a safe integer`)
    out.push(utf8(`i${v}e`))
  } else if (typeof v === 'string') {
    writeBytes(utf8(v), out)
  } else if (v instanceof Uint8Array) {
    writeBytes(v, out)
  } else if (Array.isArray(v)) {
    out.push(utf8('l'))
    for (const x of v as readonly Bencodable[]) write(x, out, depth + 1)
    out.push(utf8('e'))
  } else if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v)
      .filter((e): e is [string, Bencodable] => e[1] !== undefined)
      .map(([k, x]) => [utf8(k), x] as const)
      .sort((a, b) => compareBytes(a[0], b[0]))
    out.push(utf8('d'))
    for (const [k, x] of entries) {
      writeBytes(k, out)
      write(x, out, depth + 1)
    }
    out.push(utf8('e'))
  } else {
    throw new TypeError(`encode: cannot bencode ${typeof v}`)
  }
}

function writeBytes(b: Uint8Array, out: Uint8Array[]): void {
  out.push(utf8(`${b.length}:`), b)
}

/** Thrown inside the parser only; never escapes decodeCanonical. */
const INVALID = Symbol('invalid bencode')

/**
 * Decodes `data` if, and only if, it is canonical bencode no longer than `maxBytes`.
 * Returns undefined otherwise: the caller maps that to its own typed rejection.
 * Dictionary keys must be UTF-8 (every Coterie and BitTorrent key is).
 */
export function decodeCanonical(data: Uint8Array, maxBytes: number): Decoded | undefined {
  if (!(data instanceof Uint8Array) || data.length === 0 || data.length > maxBytes) return undefined
  const cursor = { at: 0 }
  try {
    const value = read(data, cursor, 0)
    return cursor.at === data.length ? value : undefined
  } catch (e) {
    if (e === INVALID) return undefined
    throw e
  }
}

function read(b: Uint8Array, c: { at: number }, depth: number): Decoded {
  if (depth > MAX_DEPTH) throw INVALID
  const t = b[c.at]
  if (t === I) {
    c.at++
    return readInteger(b, c, E)
  }
  if (t === L) {
    c.at++
    const list: Decoded[] = []
    while (b[c.at] !== E) list.push(read(b, c, depth + 1)) // read() throws at the end of input
    c.at++
    return list
  }
  if (t === D) {
    c.at++
    const dict: { [key: string]: Decoded } = {}
    let previous: Uint8Array | undefined
    while (b[c.at] !== E) {
      const raw = readBytes(b, c)
      if (previous !== undefined && compareBytes(previous, raw) >= 0) throw INVALID // unsorted or duplicate
      previous = raw
      const key = fromUtf8(raw)
      if (key === undefined) throw INVALID
      // defineProperty, not assignment: a "__proto__" key stays an ordinary own key.
      Object.defineProperty(dict, key, {
        value: read(b, c, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    c.at++
    return dict
  }
  if (t !== undefined && t >= ZERO && t <= NINE) return readBytes(b, c)
  throw INVALID
}

function readBytes(b: Uint8Array, c: { at: number }): Uint8Array {
  const length = readInteger(b, c, COLON)
  if (length < 0 || length > b.length - c.at) throw INVALID
  const bytes = b.slice(c.at, c.at + length)
  c.at += length
  return bytes
}

// Canonical integers only: "0", or an optional "-" and digits without a leading zero; never "-0".
function readInteger(b: Uint8Array, c: { at: number }, terminator: number): number {
  const negative = b[c.at] === MINUS
  if (negative) c.at++
  const first = c.at
  while (c.at < b.length && c.at - first <= 16 && (b[c.at] as number) >= ZERO && (b[c.at] as number) <= NINE) c.at++
  const digits = c.at - first
  if (digits === 0 || digits > 16 || b[c.at] !== terminator) throw INVALID
  if (b[first] === ZERO && (digits > 1 || negative)) throw INVALID
  let n = 0
  for (let k = first; k < c.at; k++) n = n * 10 + ((b[k] as number) - ZERO)
  if (!Number.isSafeInteger(n) || (negative && terminator === COLON)) throw INVALID
  c.at++
  return negative ? -n : n
}
