/**
 * The cryptographic core of the handshake: transcript hash, X25519 + HKDF key schedule, and the
 * AEAD that hides certificates from anyone but the two endpoints. Pure functions over bytes.
 *
 *   th   = SHA-256(bencode(["coterie", 1, "transcript", infohash, nI, eI, nR, eR]))
 *   dh   = X25519(own ephemeral secret, peer ephemeral public)        (all-zero => refuse)
 *   okm  = HKDF-SHA256(ikm = dh, salt = th, info = bencode(["coterie", 1, "keys"]), 96 bytes)
 *   kIR  = okm[0..32]   seals the initiator's proof     kRI = okm[32..64]   seals the responder's
 *   session = okm[64..96]   handed to the engine for relay-proof transfers (docs/PROTOCOL.md §5.4)
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { isAllZero } from './bytes.js'
import { encode } from './canonical.js'
import { DOMAIN, PROTOCOL_VERSION } from './constants.js'
import { primitives } from './primitives.js'

export interface Ephemeral {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

export function ephemeralFromSecret(secretKey: Uint8Array): Ephemeral {
  return { secretKey, publicKey: primitives().x25519Public(secretKey) }
}

export interface TranscriptInput {
  readonly infoHash: Uint8Array
  readonly initiatorNonce: Uint8Array
  readonly initiatorEphemeral: Uint8Array
  readonly responderNonce: Uint8Array
  readonly responderEphemeral: Uint8Array
}

export function transcriptHash(t: TranscriptInput): Uint8Array {
  return sha256(
    encode([
      DOMAIN,
      PROTOCOL_VERSION,
      'transcript',
      t.infoHash,
      t.initiatorNonce,
      t.initiatorEphemeral,
      t.responderNonce,
      t.responderEphemeral,
    ]),
  )
}

export interface SessionKeys {
  readonly initiatorToResponder: Uint8Array
  readonly responderToInitiator: Uint8Array
  readonly session: Uint8Array
}

/** Derives the keys, or undefined when the peer's ephemeral key gives no real shared secret. */
export function deriveKeys(own: Ephemeral, peerPublic: Uint8Array, th: Uint8Array): SessionKeys | undefined {
  let dh: Uint8Array
  try {
    dh = primitives().x25519Shared(own.secretKey, peerPublic)
  } catch {
    return undefined
  }
  if (isAllZero(dh)) return undefined // low-order point: the "secret" would be public
  const okm = hkdf(sha256, dh, th, encode([DOMAIN, PROTOCOL_VERSION, 'keys']), 96)
  return {
    initiatorToResponder: okm.slice(0, 32),
    responderToInitiator: okm.slice(32, 64),
    session: okm.slice(64, 96),
  }
}

// Each of kIR and kRI seals exactly one message per connection, so a fixed nonce never repeats.
const ZERO_NONCE = new Uint8Array(12)

export function seal(key: Uint8Array, th: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return primitives().aeadSeal(key, ZERO_NONCE, th, plaintext)
}

export function open(key: Uint8Array, th: Uint8Array, box: Uint8Array): Uint8Array | undefined {
  return primitives().aeadOpen(key, ZERO_NONCE, th, box)
}
