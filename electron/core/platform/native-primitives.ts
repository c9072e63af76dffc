/**
 * Node's own (OpenSSL; BoringSSL in Electron) Ed25519, X25519 and AEADs behind the protocol's
 * Primitives interface. Raw 32-byte keys are wrapped in their fixed DER prefixes (RFC 8410) to make
 * KeyObjects, which are cached because a node sees the same swarm and member keys again and again.
 * installNativePrimitives() takes each family (curves, ChaCha20-Poly1305, AES-256-GCM) only after
 * its native results match @noble on a self-test, so a runtime without one (Electron's BoringSSL
 * has no ChaCha20-Poly1305 cipher) keeps the pure implementation of that family alone.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  sign,
  verify,
} from 'node:crypto'
import type { CipherChaCha20Poly1305, CipherGCM, DecipherChaCha20Poly1305, DecipherGCM, KeyObject } from 'node:crypto'
import { noblePrimitives, usePrimitives, type Primitives } from '../protocol/primitives.js'
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
const edPublic = cached((raw) =>
  createPublicKey({ key: Buffer.concat([DER.ed25519Public, raw]), format: 'der', type: 'spki' }),
)
const edPrivate = cached((raw) =>
  createPrivateKey({ key: Buffer.concat([DER.ed25519Private, raw]), format: 'der', type: 'pkcs8' }),
)
const xPublic = cached((raw) =>
  createPublicKey({ key: Buffer.concat([DER.x25519Public, raw]), format: 'der', type: 'spki' }),
)
// Ephemeral secrets are used once: not worth a cache slot.
const xPrivate = (raw: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([DER.x25519Private, raw]), format: 'der', type: 'pkcs8' })
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

const TAG_BYTES = 16 // Poly1305 and GCM alike

type Seal = (
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  headroom?: number,
) => Uint8Array
type Open = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, box: Uint8Array) => Uint8Array | undefined

type Ciphers = {
  cipher(key: Uint8Array, nonce: Uint8Array): CipherGCM | CipherChaCha20Poly1305
  decipher(key: Uint8Array, nonce: Uint8Array): DecipherGCM | DecipherChaCha20Poly1305
}
const CHACHA: Ciphers = {
  cipher: (key, nonce) => createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES }),
  decipher: (key, nonce) => createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES }),
}
const GCM: Ciphers = {
  cipher: (key, nonce) => createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }),
  decipher: (key, nonce) => createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES }),
}

// Sealed records are carved from 256 KiB slabs, as Node pools small Buffers: a fresh 16 KiB
// ArrayBuffer per block cost a quarter of the seal's CPU (allocation, then freeing external
// memory). A slab lives until its last record has left through the socket; small slabs bound
// what one slow peer's queued records can hold alive (at most 15 records' worth each).
const SLAB_BYTES = 256 * 1024
let slab = new ArrayBuffer(0)
let slabUsed = 0

function carve(size: number): Buffer {
  if (size > SLAB_BYTES / 8) return Buffer.allocUnsafe(size) // 32 KiB: larger than any block
  if (slabUsed + size > slab.byteLength) {
    // Not zero-filled (new ArrayBuffer's zeroing cost 21 us a slab, 8x this): every byte of a
    // record is written before it leaves (the caller's header, the ciphertext, the tag), and the
    // padding between records is never inside any view.
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer
    slabUsed = 0
  }
  const out = Buffer.from(slab, slabUsed, size)
  slabUsed += (size + 7) & ~7
  return out
}

function nativeSeal(ciphers: Ciphers): Seal {
  return (key, nonce, aad, plaintext, headroom = 0) => {
    const c = ciphers.cipher(key, nonce)
    c.setAAD(aad, { plaintextLength: plaintext.length })
    const out = carve(headroom + plaintext.length + TAG_BYTES)
    const n = c.update(plaintext).copy(out, headroom)
    c.final()
    c.getAuthTag().copy(out, headroom + n)
    return bytes(out)
  }
}

function nativeOpen(ciphers: Ciphers): Open {
  return (key, nonce, aad, box) => {
    if (box.length < TAG_BYTES) return undefined
    const d = ciphers.decipher(key, nonce)
    d.setAAD(aad, { plaintextLength: box.length - TAG_BYTES })
    d.setAuthTag(box.subarray(box.length - TAG_BYTES))
    const plain = d.update(box.subarray(0, box.length - TAG_BYTES))
    try {
      d.final()
    } catch {
      return undefined // wrong key, nonce, aad or a flipped bit: the tag does not verify
    }
    return bytes(plain)
  }
}

/** Everything native; what installNativePrimitives() installs where every self-test passes. */
export const nativePrimitives: Primitives = {
  name: 'node:crypto',
  ed25519Sign: (sk, m) => bytes(sign(null, m, edPrivate(sk))),
  ed25519Verify: (pk, m, sig) => sig.length === 64 && verify(null, m, edPublic(pk), sig),
  x25519Public: (sk) =>
    bytes(createPublicKey(xPrivate(sk)).export({ format: 'der', type: 'spki' }).subarray(DER.x25519Public.length)),
  x25519Shared: (sk, pk) => bytes(diffieHellman({ privateKey: xPrivate(sk), publicKey: xPublic(pk) })),
  aeadSeal: nativeSeal(CHACHA),
  aeadOpen: nativeOpen(CHACHA),
  recordSeal: nativeSeal(GCM),
  recordOpen: nativeOpen(GCM),
}

/** Which families run natively after installNativePrimitives(). */
export interface NativeFamilies {
  readonly curves: boolean
  readonly chacha: boolean
  readonly gcm: boolean
}

/**
 * Switches each primitive family to native where it agrees with @noble; returns which did.
 * `available` is for tests: it pretends a runtime lacks a family (as Electron lacks ChaCha20).
 */
export function installNativePrimitives(available: Partial<NativeFamilies> = {}): NativeFamilies {
  const families = selfTest(available)
  const [n, x] = [noblePrimitives, nativePrimitives]
  const pure = [
    !families.curves && 'curves',
    !families.chacha && 'ChaCha20-Poly1305',
    !families.gcm && 'AES-GCM',
  ].filter(Boolean)
  usePrimitives({
    name: pure.length === 0 ? x.name : `${x.name} (pure: ${pure.join(', ')})`,
    ...pick(families.curves ? x : n, 'ed25519Sign', 'ed25519Verify', 'x25519Public', 'x25519Shared'),
    ...pick(families.chacha ? x : n, 'aeadSeal', 'aeadOpen'),
    ...pick(families.gcm ? x : n, 'recordSeal', 'recordOpen'),
  })
  return families
}

// The self-test runs the pure curves (tens of ms; the bench's profiles showed it as the largest
// @noble cost of a process that starts engines repeatedly): once per process is enough.
let tested: NativeFamilies | undefined

function selfTest(available: Partial<NativeFamilies>): NativeFamilies {
  tested ??= (() => {
    const sk = new Uint8Array(32).map((_, i) => i * 7 + 1)
    const m = new Uint8Array([99, 111, 116, 101, 114, 105, 101])
    const x = nativePrimitives
    return {
      curves: passes(() => sameCurves(sk, m)),
      chacha: passes(() => sameAead(x.aeadSeal, x.aeadOpen, noblePrimitives.aeadSeal, sk, m)),
      gcm: passes(() => sameAead(x.recordSeal, x.recordOpen, noblePrimitives.recordSeal, sk, m)),
    }
  })()
  return {
    curves: tested.curves && available.curves !== false,
    chacha: tested.chacha && available.chacha !== false,
    gcm: tested.gcm && available.gcm !== false,
  }
}

function pick<K extends keyof Primitives>(from: Primitives, ...keys: K[]): Pick<Primitives, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<Primitives, K>
}

function passes(test: () => boolean): boolean {
  try {
    return test()
  } catch {
    return false // e.g. "Unknown cipher" where the runtime lacks it
  }
}

function sameCurves(sk: Uint8Array, m: Uint8Array): boolean {
  const n = noblePrimitives
  const x = nativePrimitives
  const pk = n.x25519Public(sk.slice().reverse())
  const sig = x.ed25519Sign(sk, m)
  return (
    equalBytes(sig, n.ed25519Sign(sk, m)) &&
    n.ed25519Verify(edPublicRaw(sk), m, sig) &&
    x.ed25519Verify(edPublicRaw(sk), m, sig) &&
    !x.ed25519Verify(edPublicRaw(sk), m.subarray(1), sig) &&
    equalBytes(x.x25519Public(sk), n.x25519Public(sk)) &&
    equalBytes(x.x25519Shared(sk, pk), n.x25519Shared(sk, pk))
  )
}

function sameAead(seal: Seal, open: Open, reference: Seal, key: Uint8Array, m: Uint8Array): boolean {
  const nonce = key.subarray(0, 12)
  const box = seal(key, nonce, m, m)
  const opened = open(key, nonce, m, box)
  const tampered = box.slice()
  tampered[0]! ^= 1
  return (
    equalBytes(box, reference(key, nonce, m, m)) &&
    equalBytes(seal(key, nonce, m, m, 3).subarray(3), box) &&
    opened !== undefined &&
    equalBytes(opened, m) &&
    open(key, nonce, m, tampered) === undefined
  )
}

function edPublicRaw(sk: Uint8Array): Uint8Array {
  return bytes(
    createPublicKey(edPrivate(sk)).export({ format: 'der', type: 'spki' }).subarray(DER.ed25519Public.length),
  )
}
