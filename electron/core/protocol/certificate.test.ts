import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { issueCertificate, verifyCertificate, decodeCertificate, type CertificateContext } from './certificate.js'
import { decodeCanonical, encode } from './canonical.js'
import { CLOCK_SKEW_S, MAX_CERTIFICATE_BYTES, MAX_SCOPE_ENTRIES } from './constants.js'
import { sign } from './signing.js'
import { DAY, NOW, keyPair, seed, world } from '../testing/fixtures.js'
import { REJECT_CODES } from '../../../shared/protocol-codes.js'
import { assertOk } from '../testing/assert-result.js'

const w = world('cert')
const ctx = { swarm: w.swarm.publicKey, infoHash: w.infoHash, now: NOW }
const codeOf = (bytes: Uint8Array, c: CertificateContext = ctx) => {
  const r = verifyCertificate(bytes, c)
  return r.ok ? 'ok' : r.error.code
}

describe('certificates', () => {
  it('verifies and exposes every signed field', () => {
    const r = verifyCertificate(w.aliceCert, ctx)
    assertOk(r)
    assert.deepEqual(r.value.member, w.alice.publicKey)
    assert.deepEqual(r.value.swarm, w.swarm.publicKey)
    assert.equal(r.value.exp, NOW + 30 * DAY)
    assert.equal(r.value.scope, undefined)
  })

  it('cannot have its expiry extended by the holder (Closed Swarms left it unsigned)', () => {
    const d = decodeCanonical(w.aliceCert, MAX_CERTIFICATE_BYTES) as Record<string, unknown>
    for (const exp of [NOW + 3650 * DAY, 2 ** 40]) {
      const forged = encode({ ...(d as Record<string, Uint8Array>), exp })
      assert.equal(codeOf(forged), 'bad-certificate-signature')
      // Even once the original has expired, the extended copy does not pass.
      assert.equal(codeOf(forged, { ...ctx, now: NOW + 31 * DAY + CLOCK_SKEW_S }), 'bad-certificate-signature')
    }
  })

  it('rejects a flip of any single bit, anywhere', () => {
    for (let i = 0; i < w.aliceCert.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const m = w.aliceCert.slice()
        m[i]! ^= 1 << bit
        assert.notEqual(codeOf(m), 'ok', `byte ${i} bit ${bit}`)
      }
    }
  })

  it('checks the validity window with the stated clock skew', () => {
    const iat = NOW - DAY
    const exp = NOW + 30 * DAY
    assert.equal(codeOf(w.aliceCert, { ...ctx, now: exp + CLOCK_SKEW_S - 1 }), 'ok')
    assert.equal(codeOf(w.aliceCert, { ...ctx, now: exp + CLOCK_SKEW_S }), 'expired')
    assert.equal(codeOf(w.aliceCert, { ...ctx, now: iat - CLOCK_SKEW_S }), 'ok')
    assert.equal(codeOf(w.aliceCert, { ...ctx, now: iat - CLOCK_SKEW_S - 1 }), 'not-yet-valid')
  })

  it('belongs to one swarm only', () => {
    const other = world('other')
    assert.equal(codeOf(other.aliceCert), 'wrong-swarm')
    // A certificate that claims our swarm but is signed by another key is a forgery.
    const d = decodeCanonical(other.aliceCert, MAX_CERTIFICATE_BYTES) as Record<string, Uint8Array>
    const { sig: _sig, ...rest } = d
    const tbs = { ...rest, swarm: w.swarm.publicKey }
    const forged = encode({ ...tbs, sig: sign(other.swarm.secretKey, 'swarm', encode(tbs)) })
    assert.equal(codeOf(forged), 'bad-certificate-signature')
  })

  it('is signed with the swarm role label: a member signature over the same bytes does not pass', () => {
    const d = decodeCanonical(w.aliceCert, MAX_CERTIFICATE_BYTES) as Record<string, Uint8Array>
    const { sig: _sig, ...tbs } = d
    const asInitiator = encode({ ...tbs, sig: sign(w.swarm.secretKey, 'initiator', encode(tbs)) })
    assert.equal(codeOf(asInitiator), 'bad-certificate-signature')
  })

  it('honours its scope', () => {
    const other = seed('another torrent').subarray(0, 20)
    const scoped = issueCertificate(w.swarm, {
      member: w.alice.publicKey,
      iat: NOW,
      exp: NOW + DAY,
      scope: [other, w.infoHash],
    })
    assert.equal(codeOf(scoped), 'ok')
    const elsewhere = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY, scope: [other] })
    assert.equal(codeOf(elsewhere), 'out-of-scope')
    // Swarm-wide membership checks (no infohash) accept a scoped certificate.
    assert.equal(codeOf(elsewhere, { swarm: ctx.swarm, now: NOW }), 'ok')
  })

  it('rejects malformed and oversize input with a typed code, never a throw', () => {
    assert.equal(codeOf(new Uint8Array()), 'malformed')
    assert.equal(codeOf(new Uint8Array(MAX_CERTIFICATE_BYTES + 1)), 'oversize')
    assert.equal(codeOf(encode({ v: 1 })), 'malformed')
    assert.equal(codeOf(w.aliceCert.subarray(0, w.aliceCert.length - 1)), 'malformed')
    const d = decodeCanonical(w.aliceCert, MAX_CERTIFICATE_BYTES) as Record<string, Uint8Array>
    assert.equal(codeOf(encode({ ...d, extra: 1 })), 'malformed')
    assert.equal(codeOf(encode({ ...d, v: 2 })), 'unsupported-version')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (junk) => {
        const r = verifyCertificate(junk, ctx)
        return !r.ok && (REJECT_CODES as readonly string[]).includes(r.error.code)
      }),
    )
  })

  it('keeps scopes canonical: unsorted or duplicate entries are malformed', () => {
    const a = new Uint8Array(20).fill(1)
    const b = new Uint8Array(20).fill(2)
    const tbs = { v: 1, swarm: w.swarm.publicKey, member: w.alice.publicKey, iat: NOW, exp: NOW + DAY, scope: [b, a] }
    const unsorted = encode({ ...tbs, sig: sign(w.swarm.secretKey, 'swarm', encode(tbs)) })
    assert.equal(codeOf(unsorted), 'malformed')
    assert.throws(
      () => issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY, scope: [a, a] }),
      RangeError,
    )
    const full = Array.from({ length: MAX_SCOPE_ENTRIES + 1 }, (_, i) => seed(`ih ${i}`).subarray(0, 20))
    assert.throws(
      () => issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY, scope: full }),
      RangeError,
    )
    const max = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY, scope: full.slice(1) })
    assert.ok(max.length <= MAX_CERTIFICATE_BYTES, `a maximal certificate is ${max.length} bytes`)
    assertOk(decodeCertificate(max))
  })

  it('refuses to issue nonsense (caller bugs throw)', () => {
    assert.throws(() => issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW, exp: NOW }), RangeError)
    assert.throws(() => issueCertificate(w.swarm, { member: new Uint8Array(32), iat: NOW, exp: NOW + 1 }), RangeError)
  })

  it('property: any issued certificate verifies, and any one-byte change breaks it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (memberSeed, iat, life, pos, delta) => {
          const member = keyPair(Buffer.from(memberSeed).toString('hex')).publicKey
          const cert = issueCertificate(w.swarm, { member, iat, exp: iat + life })
          const c = { swarm: w.swarm.publicKey, now: iat }
          if (!verifyCertificate(cert, c).ok) return false
          const m = cert.slice()
          m[pos % m.length]! ^= delta
          return !verifyCertificate(m, c).ok
        },
      ),
      { numRuns: 200 },
    )
  })
})
