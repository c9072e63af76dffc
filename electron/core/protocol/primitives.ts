/**
 * The curve operations the handshake runs per connection, the AEAD that seals its proofs and
 * invites, and the one that seals bulk transfers, behind one small interface.
 * The default is @noble/curves (pure JS: runs in Node, Electron and the renderer alike). A Node
 * process may install a native implementation with the same results (electron/core/platform/
 * native-primitives.ts: about 14x faster verification here), so a seeder verifying thousands of
 * peers is not CPU-bound. The protocol core itself stays pure either way.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { gcm } from '@noble/ciphers/aes.js'

export interface Primitives {
  readonly name: string
  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array
  /** RFC 8032 verification with canonical encodings (no ZIP-215 leniency). May throw on junk. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  x25519Public(secretKey: Uint8Array): Uint8Array
  /** May throw on a low-order or malformed public key; callers also refuse an all-zero result. */
  x25519Shared(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /** ChaCha20-Poly1305 (RFC 8439): ciphertext || 16-byte tag. Handshake proofs and invites. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** The plaintext, or undefined if the box does not open under this key, nonce and aad. */
  aeadOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, box: Uint8Array): Uint8Array | undefined
  /**
   * AES-256-GCM (SP 800-38D, 12-byte nonce, 16-byte tag), for transfer records (§5.6): hardware AES
   * in OpenSSL and in Electron's BoringSSL, which has no ChaCha20-Poly1305 cipher. The box starts
   * `headroom` bytes into the result, left for the caller's framing so a record leaves as one
   * buffer (one copy and one stream write less per 16 KiB block). The headroom's bytes are
   * unspecified (the native seal does not zero them): the caller writes every one before sending.
   */
  recordSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, headroom?: number): Uint8Array
  recordOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, box: Uint8Array): Uint8Array | undefined
}

const withHeadroom = (box: Uint8Array, headroom: number): Uint8Array => {
  if (headroom === 0) return box
  const out = new Uint8Array(headroom + box.length)
  out.set(box, headroom)
  return out
}

export const noblePrimitives: Primitives = {
  name: '@noble/curves',
  ed25519Sign: (sk, m) => ed25519.sign(m, sk),
  ed25519Verify: (pk, m, sig) => ed25519.verify(sig, m, pk, { zip215: false }),
  x25519Public: (sk) => x25519.getPublicKey(sk),
  x25519Shared: (sk, pk) => x25519.getSharedSecret(sk, pk),
  aeadSeal: (key, nonce, aad, plaintext) => chacha20poly1305(key, nonce, aad).encrypt(plaintext),
  aeadOpen: (key, nonce, aad, box) => {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(box)
    } catch {
      return undefined
    }
  },
  recordSeal: (key, nonce, aad, plaintext, headroom = 0) =>
    withHeadroom(gcm(key, nonce, aad).encrypt(plaintext), headroom),
  recordOpen: (key, nonce, aad, box) => {
    try {
      return gcm(key, nonce, aad).decrypt(box)
    } catch {
      return undefined
    }
  },
}

let current: Primitives = noblePrimitives

export const primitives = (): Primitives => current

/** Installs another implementation (process-wide); returns the previous one. */
export function usePrimitives(p: Primitives): Primitives {
  const previous = current
  current = p
  return previous
}
