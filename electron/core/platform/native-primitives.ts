/**
 * Node's own (OpenSSL; BoringSSL in Electron) Ed25519 and X25519 behind the protocol's Primitives
 * interface. Raw 32-byte keys are wrapped in their fixed DER prefixes (RFC 8410) to make
 * KeyObjects, which are cached because a node sees the same swarm and member keys again and again.
 * installNativePrimitives() only switches after the native results match @noble/curves on a
 * self-test, so a runtime without these curves keeps the pure implementation.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, sign, verify, type KeyObject } from 'node:crypto'
import { noblePrimitives, primitives, usePrimitives, type Primitives } from '../protocol/primitives.js'
import { equalBytes } from '../protocol/bytes.js'

const DER = {
  ed25519Public: Buffer.from('302a300506032b6570032100', 'hex'),
  ed25519Private: Buffer.from('302e020100300506032b657004220420', 'hex'),
  x25519Public: Buffer.from('302a300506032b656e032100', 'hex'),
  x25519Private: Buffer.from('302e020100300506032b656e04220420', 'hex'),
}
const CACHE_LIMIT = 512

function cached(make: (raw: Uint8Array) => KeyObject): (raw: Uint8Array) => KeyObject {
  const cache = new Map<string, KeyObject>()
  return (raw) => {
    const id = Buffer.from(raw).toString('base64')
    let k = cache.get(id)
    if (k === undefined) {
      if (raw.length !== 32) throw new RangeError('key must be 32 bytes')
      k = make(raw)
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
      cache.set(id, k)
    }
    return k
  }
}
const edPublic = cached((raw) => createPublicKey({ key: Buffer.concat([DER.ed25519Public, raw]), format: 'der', type: 'spki' }))
const edPrivate = cached((raw) => createPrivateKey({ key: Buffer.concat([DER.ed25519Private, raw]), format: 'der', type: 'pkcs8' }))
const xPublic = cached((raw) => createPublicKey({ key: Buffer.concat([DER.x25519Public, raw]), format: 'der', type: 'spki' }))
// Ephemeral secrets are used once: not worth a cache slot.
const xPrivate = (raw: Uint8Array) => createPrivateKey({ key: Buffer.concat([DER.x25519Private, raw]), format: 'der', type: 'pkcs8' })
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

const TAG_BYTES = 16 // Poly1305

export const nativePrimitives: Primitives = {
  name: 'node:crypto',
  ed25519Sign: (sk, m) => bytes(sign(null, m, edPrivate(sk))),
  ed25519Verify: (pk, m, sig) => sig.length === 64 && verify(null, m, edPublic(pk), sig),
  x25519Public: (sk) => bytes(createPublicKey(xPrivate(sk)).export({ format: 'der', type: 'spki' }).subarray(DER.x25519Public.length)),
  x25519Shared: (sk, pk) => bytes(diffieHellman({ privateKey: xPrivate(sk), publicKey: xPublic(pk) })),
  aeadSeal: (key, nonce, aad, plaintext) => {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES })
    c.setAAD(aad, { plaintextLength: plaintext.length })
    const out = Buffer.allocUnsafe(plaintext.length + TAG_BYTES)
    const n = c.update(plaintext).copy(out, 0)
    c.final()
    c.getAuthTag().copy(out, n)
    return bytes(out)
  },
  aeadOpen: (key, nonce, aad, box) => {
    if (box.length < TAG_BYTES) return undefined
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES })
    d.setAAD(aad, { plaintextLength: box.length - TAG_BYTES })
    d.setAuthTag(box.subarray(box.length - TAG_BYTES))
    const plain = d.update(box.subarray(0, box.length - TAG_BYTES))
    try {
      d.final()
    } catch {
      return undefined // wrong key, nonce, aad or a flipped bit: the tag does not verify
    }
    return bytes(plain)
  },
}

/** Switches the protocol to native curves if they agree with @noble/curves; returns whether it did. */
export function installNativePrimitives(): boolean {
  // The self-test runs the pure curves (tens of ms; the bench's profiles showed it as the largest
  // @noble cost of a process that starts engines repeatedly): once per process is enough.
  if (primitives() === nativePrimitives) return true
  try {
    const sk = new Uint8Array(32).map((_, i) => i * 7 + 1)
    const m = new Uint8Array([99, 111, 116, 101, 114, 105, 101])
    const n = noblePrimitives
    const pk = n.x25519Public(sk.slice().reverse())
    const sig = nativePrimitives.ed25519Sign(sk, m)
    const same =
      equalBytes(sig, n.ed25519Sign(sk, m)) &&
      n.ed25519Verify(edPublicRaw(sk), m, sig) &&
      nativePrimitives.ed25519Verify(edPublicRaw(sk), m, sig) &&
      !nativePrimitives.ed25519Verify(edPublicRaw(sk), m.subarray(1), sig) &&
      equalBytes(nativePrimitives.x25519Public(sk), n.x25519Public(sk)) &&
      equalBytes(nativePrimitives.x25519Shared(sk, pk), n.x25519Shared(sk, pk)) &&
      sameAead(sk, m)
    if (same) usePrimitives(nativePrimitives)
    return same
  } catch {
    return false
  }
}

function sameAead(key: Uint8Array, m: Uint8Array): boolean {
  const nonce = key.subarray(0, 12)
  const box = nativePrimitives.aeadSeal(key, nonce, m, m)
  const opened = noblePrimitives.aeadOpen(key, nonce, m, box)
  const tampered = box.slice()
  tampered[0]! ^= 1
  return (
    equalBytes(box, noblePrimitives.aeadSeal(key, nonce, m, m)) && opened !== undefined && equalBytes(opened, m) &&
    nativePrimitives.aeadOpen(key, nonce, m, tampered) === undefined
  )
}

function edPublicRaw(sk: Uint8Array): Uint8Array {
  return bytes(createPublicKey(edPrivate(sk)).export({ format: 'der', type: 'spki' }).subarray(DER.ed25519Public.length))
}
