/**
 * Identity and swarm keys, and their pasteable text form.
 *
 * A key text is Bech32m (BIP 350): a prefix naming the kind of key ("coterie" for a person's
 * identity, "coteriegroup" for a group's swarm key), then the 32 key bytes, then a 6-character
 * checksum that detects any error in up to 4 characters, and so every single typo and every swap of
 * two neighbours. A paste that is cut short, has extra characters, or names the other kind of key
 * gets its own error; nothing that fails a check is ever read as some other key.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bech32m, base32crockford } from '@scure/base'
import { err, ok, type Result, type Reason } from '../../../shared/result.js'
import type { KeyTextErrorCode } from '../../../shared/protocol-codes.js'
import { DOMAIN, HRP, KEY_BYTES, PROTOCOL_VERSION } from './constants.js'
import { encode } from './canonical.js'
import { bytesToHex } from './bytes.js'

export type KeyKind = keyof typeof HRP

export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

export function generateKeyPair(): KeyPair {
  const secretKey = ed25519.utils.randomSecretKey()
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) }
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) }
}

/**
 * True for a 32-byte Ed25519 public key that is a canonical encoding of a point in the prime-order
 * subgroup. Small-order keys would let "anyone" produce signatures that verify; keys with a
 * torsion component are where verifiers using the cofactored and the cofactorless equation
 * (noble vs OpenSSL) could disagree, and no honest key has one. Decoding costs
 * a square root, and a node sees the same swarm and member keys over and over: remember them.
 */
export function isValidPublicKey(key: Uint8Array): boolean {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) return false
  const id = bytesToHex(key)
  const known = validity.get(id)
  if (known !== undefined) return known
  let valid: boolean
  try {
    const point = ed25519.Point.fromBytes(key)
    valid = !point.isSmallOrder() && point.isTorsionFree()
  } catch {
    valid = false
  }
  if (validity.size >= VALIDITY_CACHE) validity.delete(validity.keys().next().value!)
  validity.set(id, valid)
  return valid
}
const VALIDITY_CACHE = 1024
const validity = new Map<string, boolean>()

// 32 bytes are 52 five-bit groups; the checksum adds 6.
const DATA_CHARS = Math.ceil((KEY_BYTES * 8) / 5)
const CHECKSUM_CHARS = 6
const expectedLength = (kind: KeyKind): number => HRP[kind].length + 1 + DATA_CHARS + CHECKSUM_CHARS
const CHARSET = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]*$/

export function keyToText(kind: KeyKind, key: Uint8Array): string {
  if (key.length !== KEY_BYTES) throw new RangeError(`keyToText: key must be ${KEY_BYTES} bytes`)
  return bech32m.encode(HRP[kind], bech32m.toWords(key), 200)
}

export type KeyTextProblem = Reason<KeyTextErrorCode>
const problem = (code: KeyTextErrorCode): { ok: false; error: KeyTextProblem } => err({ code })

/**
 * Reads a pasted key of the given kind. Whitespace anywhere is ignored (mail clients wrap long
 * lines), and an all-upper-case paste is accepted, as Bech32 allows; everything else must be exact.
 */
export function parseKeyText(kind: KeyKind, pasted: string): Result<Uint8Array, KeyTextProblem> {
  const text = pasted.replace(/\s+/g, '')
  if (text === '') return problem('empty')
  const s = text.toLowerCase()
  const sep = s.lastIndexOf('1')
  const hrp = sep > 0 ? s.slice(0, sep) : ''
  if (hrp !== HRP[kind]) {
    const other = (Object.keys(HRP) as KeyKind[]).find((k) => k !== kind && HRP[k] === hrp)
    if (other !== undefined) return problem('wrong-kind')
    // A typo inside the prefix: still recognisably ours if the rest looks like a key.
    if (s.startsWith(HRP[kind].slice(0, 4)) && s.length === expectedLength(kind)) return problem('bad-checksum')
    return problem('not-a-key')
  }
  if (text !== s && text !== text.toUpperCase()) return problem('mixed-case')
  const data = s.slice(sep + 1)
  if (!CHARSET.test(data)) return problem('bad-character')
  if (s.length < expectedLength(kind)) return problem('truncated')
  if (s.length > expectedLength(kind)) return problem('too-long')
  let words: number[]
  try {
    words = bech32m.decode(s as `${string}1${string}`, 200).words
  } catch {
    return problem('bad-checksum')
  }
  let key: Uint8Array
  try {
    key = bech32m.fromWords(words)
  } catch {
    return problem('invalid-key') // non-zero padding bits: not an encoding we produce
  }
  if (!isValidPublicKey(key)) return problem('invalid-key')
  return ok(key)
}

/**
 * A short fingerprint to compare out of band ("read me yours"): 80 bits of
 * SHA-256(bencode(["coterie", 1, "fingerprint", key])), in Crockford base32, four groups of four.
 */
export function fingerprint(key: Uint8Array): string {
  const digest = sha256(encode([DOMAIN, PROTOCOL_VERSION, 'fingerprint', key])).subarray(0, 10)
  const text = base32crockford.encode(digest)
  return text.match(/.{4}/g)!.join('-')
}
