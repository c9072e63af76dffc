/**
 * Every Coterie signature is made over bencode(["coterie", 1, role, payload]): the domain label,
 * the protocol version and the signer's role come first, so a signature made for one purpose
 * (say, a responder's proof) can never verify as another (an initiator's, a certificate, an invite).
 */
import { DOMAIN, PROTOCOL_VERSION, type Role } from './constants.js'
import { encode } from './canonical.js'
import { isValidPublicKey } from './keys.js'
import { primitives } from './primitives.js'

export function signingInput(role: Role, payload: Uint8Array): Uint8Array {
  return encode([DOMAIN, PROTOCOL_VERSION, role, payload])
}

export function sign(secretKey: Uint8Array, role: Role, payload: Uint8Array): Uint8Array {
  return primitives().ed25519Sign(secretKey, signingInput(role, payload))
}

/**
 * Strict RFC 8032 verification (noble's default: canonical S, canonical point encodings),
 * with small-order public keys refused. Never throws: malformed input is simply "not valid".
 */
export function verify(publicKey: Uint8Array, role: Role, payload: Uint8Array, signature: Uint8Array): boolean {
  if (!isValidPublicKey(publicKey) || signature.length !== 64) return false
  try {
    return primitives().ed25519Verify(publicKey, signingInput(role, payload), signature)
  } catch {
    return false
  }
}
