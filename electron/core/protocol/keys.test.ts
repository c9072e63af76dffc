import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { base32crockford, bech32m } from '@scure/base'
import { sha256 } from '@noble/hashes/sha2.js'
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js'
import {
  fingerprint,
  generateKeyPair,
  isValidPublicKey,
  keyPairFromSecret,
  keyToText,
  parseKeyText,
  type KeyKind,
} from './keys.js'
import { HRP } from './constants.js'
import { bytesToHex, concatBytes, utf8 } from './bytes.js'
import { keyPair } from '../testing/fixtures.js'
import { KEY_TEXT_CODES, type KeyTextErrorCode } from '../../../shared/protocol-codes.js'
import { assertOk, assertErr } from '../testing/assert-result.js'

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const KINDS: readonly KeyKind[] = ['identity', 'swarm']
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

const alice = keyPair('keys alice').publicKey
const codeOf = (kind: KeyKind, s: string): KeyTextErrorCode | 'ok' => {
  const r = parseKeyText(kind, s)
  return r.ok ? 'ok' : r.error.code
}
const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)))
// Bech32m with a valid checksum over arbitrary words: what a hostile or buggy encoder could emit.
const rawText = (hrp: string, words: number[]): string => bech32m.encode(hrp, words, 200)

// The eight small-order points of Ed25519 (and a non-canonical sign bit on two of them).
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map(hex)

describe('key text: round trip', () => {
  it('parses back every valid key it prints, for both kinds', () => {
    fc.assert(
      fc.property(key32, fc.constantFrom(...KINDS), (secret, kind) => {
        const { publicKey } = keyPairFromSecret(secret)
        const text = keyToText(kind, publicKey)
        assert.ok(text.startsWith(`${HRP[kind]}1`))
        const r = parseKeyText(kind, text)
        assertOk(r)
        assert.deepEqual(r.value, publicKey)
      }),
    )
    const fresh = generateKeyPair().publicKey
    assert.deepEqual(parseKeyText('swarm', keyToText('swarm', fresh)), { ok: true, value: fresh })
  })

  it('refuses to print a key of the wrong length (a caller bug)', () => {
    assert.throws(() => keyToText('identity', new Uint8Array(31)), RangeError)
    assert.throws(() => keyToText('swarm', new Uint8Array(33)), RangeError)
  })

  it('ignores whitespace and line breaks inside a paste, and accepts all upper case', () => {
    for (const kind of KINDS) {
      const text = keyToText(kind, alice)
      const wrapped = `  \t${text.slice(0, 20)}\n${text.slice(20, 41)}\r\n ${text.slice(41)} \n`
      assert.deepEqual(parseKeyText(kind, wrapped), { ok: true, value: alice })
      assert.deepEqual(parseKeyText(kind, text.toUpperCase()), { ok: true, value: alice })
      assert.deepEqual(parseKeyText(kind, text.toUpperCase().replace(/(.{9})/g, '$1 ')), { ok: true, value: alice })
    }
  })
})

describe('key text: every typo is caught (exhaustive over one key of each kind)', () => {
  for (const kind of KINDS) {
    const text = keyToText(kind, alice)
    const start = HRP[kind].length + 1 // first character after the separator

    it(`${kind}: every single-character substitution is rejected`, () => {
      let tried = 0
      for (let i = start; i < text.length; i++) {
        for (const c of CHARSET) {
          if (c === text[i]) continue
          const code = codeOf(kind, text.slice(0, i) + c + text.slice(i + 1))
          assert.ok(code === 'bad-checksum' || code === 'bad-character', `position ${i} -> ${c}: ${code}`)
          tried++
        }
      }
      assert.equal(tried, (text.length - start) * 31)
    })

    it(`${kind}: every swap of two differing neighbours is rejected`, () => {
      let tried = 0
      for (let i = start; i + 1 < text.length; i++) {
        if (text[i] === text[i + 1]) continue
        const swapped = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2)
        assert.equal(codeOf(kind, swapped), 'bad-checksum', `swap at ${i}`)
        tried++
      }
      assert.ok(tried > 40) // a 58-character data part has many differing neighbours
    })

    it(`${kind}: every truncation gets a typed reason, never a key`, () => {
      const dataChars = text.length - start
      for (let k = 1; k <= text.length; k++) {
        const head = text.slice(0, text.length - k)
        const expectEnd = k === text.length ? 'empty' : k <= dataChars ? 'truncated' : 'not-a-key'
        assert.equal(codeOf(kind, head), expectEnd, `drop last ${k}`)
        const tail = text.slice(k)
        assert.equal(codeOf(kind, tail), k === text.length ? 'empty' : 'not-a-key', `drop first ${k}`)
      }
    })

    it(`${kind}: anything appended is refused`, () => {
      for (const c of CHARSET) assert.equal(codeOf(kind, text + c), 'too-long', `appended ${c}`)
      assert.equal(codeOf(kind, text + 'qqqqqq'), 'too-long')
      assert.equal(codeOf(kind, text + 'b'), 'bad-character')
    })
  }
})

describe('key text: each error code is reachable', () => {
  const id = keyToText('identity', alice)
  const group = keyToText('swarm', alice)
  const cases: [KeyKind, string, KeyTextErrorCode][] = [
    ['identity', '', 'empty'],
    ['identity', ' \n\t ', 'empty'],
    ['identity', group, 'wrong-kind'],
    ['swarm', id, 'wrong-kind'],
    ['swarm', id.toUpperCase(), 'wrong-kind'],
    ['identity', bytesToHex(alice), 'not-a-key'],
    ['identity', 'ssh-ed25519 aaaac3nzac1lzdi1nte5aaaaigq8c2fvvq0z7n user@host', 'not-a-key'],
    ['identity', `npub1${id.slice(8)}`, 'not-a-key'],
    ['identity', `${id.slice(0, 20)}b${id.slice(21)}`, 'bad-character'],
    ['identity', `${id.slice(0, 30)}o${id.slice(31)}`, 'bad-character'],
    ['swarm', `${group.slice(0, 40)}i${group.slice(41)}`, 'bad-character'],
    ['identity', id.slice(0, 30) + id.slice(30).toUpperCase(), 'mixed-case'],
    ['identity', id.slice(0, -1), 'truncated'],
    ['identity', `${id}q`, 'too-long'],
    ['identity', `${id.slice(0, -1)}${id.endsWith('q') ? 'p' : 'q'}`, 'bad-checksum'],
    // A typo in the prefix still reads as "our key, mistyped", not as foreign text.
    ['identity', `cotexie${id.slice(7)}`, 'bad-checksum'],
    ['identity', rawText('coterie', bech32m.toWords(SMALL_ORDER[0]!)), 'invalid-key'],
  ]

  it('maps each paste to the expected code (a code only: the UI words it)', () => {
    for (const [kind, input, code] of cases) {
      const r = parseKeyText(kind, input)
      assertErr(r, undefined, `${JSON.stringify(input)} should be refused`)
      assert.equal(r.error.code, code, JSON.stringify(input))
      assert.deepEqual(r.error, { code }, 'no sentence in the protocol')
    }
    assert.deepEqual(new Set(cases.map((c) => c[2])), new Set(KEY_TEXT_CODES), 'every code is exercised')
  })

  it('a real ssh key line is called not-a-key', () => {
    assert.equal(codeOf('identity', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq8c2fVvq0Z7n user@host'), 'not-a-key')
  })

  it('reports invalid-key for a checksummed text whose bytes are no usable public key', () => {
    for (const kind of KINDS) {
      for (const point of SMALL_ORDER)
        assert.equal(codeOf(kind, rawText(HRP[kind], bech32m.toWords(point))), 'invalid-key')
      // Not on the curve at all (y = 2 has no x).
      const offCurve = concatBytes(new Uint8Array([2]), new Uint8Array(31))
      assert.equal(codeOf(kind, rawText(HRP[kind], bech32m.toWords(offCurve))), 'invalid-key')
      // Non-zero padding bits after the 256 key bits: a second spelling of alice's key.
      const words = bech32m.toWords(alice)
      words[words.length - 1]! |= 1
      assert.equal(codeOf(kind, rawText(HRP[kind], words)), 'invalid-key')
      // 31 or 33 bytes with a valid checksum: length is checked before the checksum.
      assert.equal(codeOf(kind, rawText(HRP[kind], bech32m.toWords(alice.subarray(0, 31)))), 'truncated')
      assert.equal(
        codeOf(kind, rawText(HRP[kind], bech32m.toWords(concatBytes(alice, new Uint8Array([7]))))),
        'too-long',
      )
    }
  })
})

describe('isValidPublicKey', () => {
  it('accepts real keys and refuses small-order points, off-curve points and wrong lengths', () => {
    fc.assert(
      fc.property(key32, (s) => isValidPublicKey(keyPairFromSecret(s).publicKey)),
      { numRuns: 50 },
    )
    for (const p of SMALL_ORDER) assert.equal(isValidPublicKey(p), false, bytesToHex(p))
    assert.equal(isValidPublicKey(concatBytes(new Uint8Array([2]), new Uint8Array(31))), false)
    for (const n of [0, 1, 31, 33, 64]) assert.equal(isValidPublicKey(new Uint8Array(n).fill(9)), false, `${n} bytes`)
    assert.equal(isValidPublicKey(alice.subarray(0, 31)), false)
    assert.equal(isValidPublicKey(Array.from(alice) as unknown as Uint8Array), false)
    // The answer is cached by value: asking twice gives the same verdict.
    assert.equal(isValidPublicKey(alice), true)
    assert.equal(isValidPublicKey(SMALL_ORDER[4]!), false)
  })

  it('refuses a key with a torsion component (where cofactored and cofactorless verifiers differ)', () => {
    const torsion = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!)
    const mixed = ed25519.Point.fromBytes(alice).add(torsion).toBytes()
    assert.equal(isValidPublicKey(mixed), false)
  })
})

describe('fingerprint', () => {
  const FORMAT = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/

  it('is four groups of four Crockford base32 characters, and deterministic', () => {
    const f = fingerprint(alice)
    assert.match(f, FORMAT)
    assert.doesNotMatch(f, /[ILOU]/) // Crockford leaves out the easily confused letters
    assert.equal(fingerprint(alice.slice()), f)
  })

  it('is the first 80 bits of SHA-256 over bencode(["coterie", 1, "fingerprint", key])', () => {
    // Built by hand from the documented formula, independently of canonical.ts.
    const input = concatBytes(utf8('l7:coteriei1e11:fingerprint32:'), alice, utf8('e'))
    const expected = base32crockford.encode(sha256(input).subarray(0, 10))
    assert.equal(fingerprint(alice).replaceAll('-', ''), expected)
  })

  it('differs between keys', () => {
    fc.assert(
      fc.property(key32, key32, (a, b) => {
        fc.pre(bytesToHex(a) !== bytesToHex(b))
        const fa = fingerprint(keyPairFromSecret(a).publicKey)
        assert.match(fa, FORMAT)
        assert.notEqual(fa, fingerprint(keyPairFromSecret(b).publicKey))
      }),
      { numRuns: 50 },
    )
    // A single flipped bit anywhere in the key changes it.
    for (let i = 0; i < 32; i++) {
      const k = alice.slice()
      k[i]! ^= 1 << (i % 8)
      assert.notEqual(fingerprint(k), fingerprint(alice), `byte ${i}`)
    }
  })
})
