import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ed25519 } from '@noble/curves/ed25519.js'
import { installNativePrimitives, nativePrimitives } from './native-primitives.js'
import { noblePrimitives, primitives, usePrimitives } from '../protocol/primitives.js'
import { buildVectors } from '../testing/vectors.js'
import { verify } from '../protocol/signing.js'
import { hexToBytes } from '@noble/hashes/utils.js'

const L = 2n ** 252n + 27742317777372353535851937790883648493n
const leToBig = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n)
const bigToLe = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))
const secret = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('native curve primitives agree with @noble/curves', () => {
  after(() => usePrimitives(noblePrimitives))

  it('sign the same bytes and derive the same keys', () => {
    fc.assert(
      fc.property(secret, secret, fc.uint8Array({ maxLength: 300 }), (a, b, m) => {
        const pub = noblePrimitives.x25519Public(b)
        return (
          Buffer.from(nativePrimitives.ed25519Sign(a, m)).equals(noblePrimitives.ed25519Sign(a, m)) &&
          Buffer.from(nativePrimitives.x25519Public(a)).equals(noblePrimitives.x25519Public(a)) &&
          Buffer.from(nativePrimitives.x25519Shared(a, pub)).equals(noblePrimitives.x25519Shared(a, pub))
        )
      }),
      { numRuns: 100 },
    )
  })

  it('seal the same AEAD boxes, and open only untouched ones', () => {
    const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 })
    fc.assert(
      fc.property(
        secret,
        nonce,
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 20_000 }),
        fc.nat(),
        (key, n, aad, m, at) => {
          const box = nativePrimitives.aeadSeal(key, n, aad, m)
          const bad = box.slice()
          bad[at % bad.length]! ^= 1
          const opened = nativePrimitives.aeadOpen(key, n, aad, box)
          return (
            Buffer.from(box).equals(noblePrimitives.aeadSeal(key, n, aad, m)) &&
            opened !== undefined &&
            Buffer.from(opened).equals(m) &&
            nativePrimitives.aeadOpen(key, n, aad, bad) === undefined &&
            nativePrimitives.aeadOpen(key, n, aad, box.subarray(0, 15)) === undefined
          )
        },
      ),
      { numRuns: 100 },
    )
  })

  it('accept and refuse the same signatures, including non-canonical S and flipped bits', () => {
    fc.assert(
      fc.property(secret, fc.uint8Array({ maxLength: 100 }), fc.nat(511), (sk, m, bit) => {
        const pk = ed25519.getPublicKey(sk)
        const sig = noblePrimitives.ed25519Sign(sk, m)
        const flipped = sig.slice()
        flipped[bit >> 3]! ^= 1 << (bit & 7)
        const malleable = sig.slice()
        malleable.set(bigToLe(leToBig(sig.subarray(32)) + L), 32) // S + L: same math, not canonical
        const agree = (s: Uint8Array) => {
          const safe = (f: () => boolean) => {
            try {
              return f()
            } catch {
              return false
            }
          }
          return (
            safe(() => nativePrimitives.ed25519Verify(pk, m, s)) === safe(() => noblePrimitives.ed25519Verify(pk, m, s))
          )
        }
        return (
          nativePrimitives.ed25519Verify(pk, m, sig) &&
          agree(flipped) &&
          agree(malleable) &&
          !nativePrimitives.ed25519Verify(pk, m, malleable)
        )
      }),
      { numRuns: 100 },
    )
  })

  it("give the Ed25519 edge-case vectors' verdicts (PROTOCOL.md §3): the same refusals as the pure reference", () => {
    const v = buildVectors().negative.ed25519
    installNativePrimitives()
    try {
      assert.equal(primitives().name, 'node:crypto')
      for (const c of v.cases)
        assert.equal(
          verify(hexToBytes(c.publicKey), v.role, hexToBytes(v.payload), hexToBytes(c.signature)),
          c.valid,
          c.why,
        )
    } finally {
      usePrimitives(noblePrimitives)
    }
  })

  it('refuse a low-order X25519 point (the all-zero shared secret)', () => {
    const lowOrder = new Uint8Array(32) // u = 0
    assert.throws(() => nativePrimitives.x25519Shared(new Uint8Array(32).fill(9), lowOrder))
  })

  it('seal the same AES-GCM records, with headroom for framing, and open only untouched ones', () => {
    const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 })
    fc.assert(
      fc.property(
        secret,
        nonce,
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 20_000 }),
        fc.nat(20),
        fc.nat(),
        (key, n, aad, m, room, at) => {
          const box = nativePrimitives.recordSeal(key, n, aad, m)
          const bad = box.slice()
          bad[at % bad.length]! ^= 1
          const opened = nativePrimitives.recordOpen(key, n, aad, box)
          return (
            Buffer.from(box).equals(noblePrimitives.recordSeal(key, n, aad, m)) &&
            Buffer.from(nativePrimitives.recordSeal(key, n, aad, m, room).subarray(room)).equals(box) &&
            Buffer.from(noblePrimitives.recordSeal(key, n, aad, m, room).subarray(room)).equals(box) &&
            opened !== undefined &&
            Buffer.from(opened).equals(m) &&
            nativePrimitives.recordOpen(key, n, aad, bad) === undefined &&
            noblePrimitives.recordOpen(key, n, aad, bad) === undefined
          )
        },
      ),
      { numRuns: 100 },
    )
  })

  it('carve records from shared slabs without one overwriting another', () => {
    const key = new Uint8Array(32).fill(5)
    const nonce = new Uint8Array(12)
    const blocks = Array.from({ length: 100 }, (_, i) => new Uint8Array(16384).fill(i))
    const boxes = blocks.map((b) => nativePrimitives.recordSeal(key, nonce, Uint8Array.of(1), b, 13))
    boxes.forEach((box, i) => {
      const opened = nativePrimitives.recordOpen(key, nonce, Uint8Array.of(1), box.subarray(13))
      assert.ok(opened !== undefined && Buffer.from(opened).equals(blocks[i]!), `record ${i} intact after 99 others`)
    })
  })

  it('produce the stored protocol vectors byte for byte once installed', () => {
    const reference = JSON.stringify(buildVectors())
    assert.deepEqual(installNativePrimitives(), { curves: true, chacha: true, gcm: true })
    assert.equal(primitives().name, 'node:crypto')
    assert.equal(JSON.stringify(buildVectors()), reference)
  })

  it("keep the native curves and AES-GCM where the runtime lacks ChaCha20-Poly1305 (Electron's BoringSSL)", () => {
    const reference = JSON.stringify(buildVectors())
    assert.deepEqual(installNativePrimitives({ chacha: false }), { curves: true, chacha: false, gcm: true })
    const p = primitives()
    assert.equal(p.name, 'node:crypto (pure: ChaCha20-Poly1305)')
    assert.equal(p.aeadSeal, noblePrimitives.aeadSeal)
    assert.equal(p.ed25519Verify, nativePrimitives.ed25519Verify)
    assert.equal(p.recordSeal, nativePrimitives.recordSeal)
    assert.equal(JSON.stringify(buildVectors()), reference)
    installNativePrimitives()
    assert.equal(primitives().name, 'node:crypto')
  })
})
