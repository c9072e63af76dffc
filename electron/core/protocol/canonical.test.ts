import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import bencode from 'bencode'
import { MAX_DEPTH, decodeCanonical, encode, type Bencodable } from './canonical.js'
import { concatBytes, utf8 } from './bytes.js'

const LIMIT = 1 << 20
const dec = (s: string | Uint8Array, max = LIMIT) => decodeCanonical(typeof s === 'string' ? utf8(s) : s, max)

// Values the protocol actually encodes: safe integers, byte strings, lists and string-keyed dicts.
// `__proto__` keys are left out here (they get their own test); dicts get a normal prototype so
// the decoded value compares deep-equal.
const { value } = fc.letrec<{ value: Bencodable }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 5, depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 5, noNullPrototype: true },
    ),
  ),
}))

/** A hang is caught by this deadline on the child; the decoding itself must stay far below DECODE_BOUND_MS. */
const HANG_DEADLINE_MS = 30_000
const DECODE_BOUND_MS = 1_000

describe('decodeCanonical accepts exactly what encode produces', () => {
  it('round-trips arbitrary nested values', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encode(v)
        assert.deepEqual(dec(bytes, bytes.length), v)
      }),
    )
  })

  it('refuses an encoding one byte over maxBytes, any proper prefix, and any trailing byte', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 255 }), (v, extra) => {
        const bytes = encode(v)
        assert.equal(dec(bytes, bytes.length - 1), undefined)
        for (let n = 0; n < bytes.length; n++) assert.equal(dec(bytes.subarray(0, n)), undefined, `prefix ${n}`)
        assert.equal(dec(concatBytes(bytes, new Uint8Array([extra]))), undefined)
      }),
      { numRuns: 60 },
    )
  })

  it('sorts integer-like keys as strings, not in JavaScript enumeration order', () => {
    // Integer-like keys are enumerated first by JavaScript; the encoding must still sort them as strings.
    assert.deepEqual(dec('d1:0i1e2:10i2e1:2i3e1:ai4ee'), { 0: 1, 10: 2, 2: 3, a: 4 })
    assert.equal(dec('d1:2i3e2:10i2ee'), undefined)
  })
})

describe('decodeCanonical rejects every non-canonical spelling', () => {
  const cases: [string, string][] = [
    ['unsorted dict keys', 'd1:bi1e1:ai2ee'],
    ['duplicate keys', 'd1:ai1e1:ai2ee'],
    ['leading-zero integer', 'i01e'],
    ['negative zero', 'i-0e'],
    ['plus sign', 'i+1e'],
    ['empty integer', 'ie'],
    ['float', 'i1.5e'],
    ['integer beyond 2^53', 'i9007199254740993e'],
    ['string length with a leading zero', '01:a'],
    ['string length longer than the data', '5:ab'],
    ['trailing bytes', 'i1ei2e'],
    ['trailing newline', 'le\n'],
    ['truncated list', 'li1e'],
    ['truncated dict', 'd1:a'],
    ['dict key that is not a string', 'di1ei2ee'],
    ['text that is not bencode', 'hello'],
  ]
  for (const [why, input] of cases) it(why, () => assert.equal(dec(input), undefined, input))

  it('rejects empty input, input over maxBytes, and non-bytes', () => {
    assert.equal(dec(new Uint8Array(0)), undefined)
    assert.deepEqual(dec('4:spam', 6), utf8('spam')) // the control: exactly maxBytes is fine
    assert.equal(dec('4:spam', 5), undefined)
    assert.equal(decodeCanonical('i1e' as unknown as Uint8Array, 10), undefined)
  })

  it('refuses nesting deeper than MAX_DEPTH levels (no stack exhaustion)', () => {
    const nested = (n: number): Bencodable => (n === 1 ? [] : [nested(n - 1)])
    const n = MAX_DEPTH + 1
    assert.deepEqual(dec(`${'l'.repeat(n)}${'e'.repeat(n)}`), nested(n))
    assert.equal(dec(`${'l'.repeat(n + 1)}${'e'.repeat(n + 1)}`), undefined)
    assert.equal(dec(`${'l'.repeat(100_000)}${'e'.repeat(100_000)}`), undefined)
  })

  it('never throws on junk, and whatever it accepts re-encodes to the same bytes', () => {
    const junk = fc.array(fc.constantFrom(...'ilde0123456789:ax-'), { maxLength: 24 }).map((cs) => utf8(cs.join('')))
    fc.assert(
      fc.property(junk, (bytes) => {
        const d = dec(bytes)
        if (d !== undefined) assert.deepEqual(encode(d), bytes)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('decodeCanonical and prototypes', () => {
  it('a "__proto__" key does not pollute Object.prototype', () => {
    for (const input of ['d9:__proto__d8:pollutedi1eee', 'd9:__proto__i1ee', 'ld9:__proto__d8:pollutedi1eeee']) {
      const d = dec(input)
      assert.equal(({} as Record<string, unknown>).polluted, undefined)
      // Either refused, or kept as a plain own key of a plain dictionary.
      if (d !== undefined) {
        const dict = (Array.isArray(d) ? d[0] : d) as object
        assert.equal(Object.getPrototypeOf(dict), Object.prototype)
        assert.ok(Object.hasOwn(dict, '__proto__'), input)
      }
    }
  })
})

describe('defects the bencode package has, and this decoder must not', () => {
  it('returns promptly on a negative string length', () => {
    // In a child process with a deadline, so a hang fails this test instead of freezing the run.
    // The child times the decoding itself: starting tsx takes seconds on a loaded machine, and
    // that must not count against the decoder.
    const url = new URL('./canonical.ts', import.meta.url).href
    const script = `import { decodeCanonical } from '${url}'
      const e = new TextEncoder()
      const t0 = performance.now()
      const out = ['d1:a-3:e', 'l-3:e'].map((s) => String(decodeCanonical(e.encode(s), 100))).join(',')
      console.log(out + ' ' + Math.round(performance.now() - t0))`
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: HANG_DEADLINE_MS, encoding: 'utf8' },
    )
    assert.equal(r.signal, null, `decodeCanonical did not return within ${HANG_DEADLINE_MS} ms`)
    const [out, ms] = r.stdout.trim().split(' ')
    assert.equal(out, 'undefined,undefined', r.stderr)
    assert.ok(Number(ms) < DECODE_BOUND_MS, `decoding two 8-byte inputs took ${ms} ms`)
  })

  it('sorts keys as raw bytes (BEP 3)', () => {
    // U+FB01 (UTF-8 ef ac 81) sorts before U+1F600 (f0 9f 98 80) as bytes, after it in UTF-16.
    const byteSorted = utf8('d3:\uFB01i1e4:\u{1F600}i2ee')
    assert.deepEqual(dec(byteSorted), { '\uFB01': 1, '\u{1F600}': 2 })
    assert.deepEqual(encode({ '\u{1F600}': 2, '\uFB01': 1 }), byteSorted)
  })

  it('encodes exactly as the bencode package does (ASCII keys)', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.maxSafeInteger(),
        fc.uint8Array({ maxLength: 20 }),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: fc.constantFrom(...'abcdefghij_ -'), maxLength: 6 }), tie('node'), {
          maxKeys: 4,
        }),
      ),
    })).node as fc.Arbitrary<Bencodable>
    fc.assert(fc.property(value, (v) => Buffer.from(encode(v)).equals(bencode.encode(v))))
  })
})
