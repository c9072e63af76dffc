// The pex codec against hostile input: whatever a member's connection carries, decoding returns a
// bounded list or a typed problem, never throws, and never yields an entry twice or a port 0.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodePex, encodePex, isPexMessage } from './pex.js'
import { compact, formatAddress, isUsableCandidate, peerAddress, type PeerAddress } from './address.js'
import { encode } from './canonical.js'
import { utf8 } from './bytes.js'
import { MAX_MESSAGE_BYTES, MAX_PEX_PEERS } from './constants.js'
import { assertOk } from '../testing/assert-result.js'

const a = (host: string, port: number): PeerAddress => peerAddress(host, port)!
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))

describe('pex codec', () => {
  it('round-trips IPv4 and IPv6 entries in the documented layout', () => {
    const peers = [a('192.0.2.7', 6881), a('2001:db8::1', 51413), a('127.0.0.1', 1)]
    const bytes = encodePex(peers)
    const text = Buffer.from(bytes).toString('latin1')
    assert.ok(text.startsWith('d3:ip412:') && text.includes('3:ip618:') && text.endsWith('1:t3:pexe'), text)
    const back = decodePex(bytes)
    assertOk(back)
    assert.deepEqual(back.value.map(formatAddress).sort(), [
      '127.0.0.1:1',
      '192.0.2.7:6881',
      '[2001:db8:0:0:0:0:0:1]:51413',
    ])
    assert.ok(isPexMessage(bytes))
  })

  it('is recognised only as a canonical dictionary whose t is pex', () => {
    for (const m of [
      encode({ t: 'proof', box: new Uint8Array(3) }),
      utf8('d1:t3:pexe1'),
      utf8('garbage'),
      new Uint8Array(0),
      utf8('l3:pexe'),
    ]) {
      assert.equal(isPexMessage(m), false)
    }
  })

  it('refuses empty, ragged, duplicate, port-0 and extended pexes as malformed', () => {
    const v4 = compact(a('192.0.2.7', 6881))
    const cases = [
      encode({ t: 'pex' }),
      encode({ t: 'pex', ip4: new Uint8Array(0) }),
      encode({ t: 'pex', ip4: v4.slice(0, 5) }),
      encode({ t: 'pex', ip6: new Uint8Array(17) }),
      encode({ t: 'pex', ip4: cat(v4, v4) }),
      encode({ t: 'pex', ip4: compact({ ip: Uint8Array.of(1, 2, 3, 4), port: 0 }) }),
      encode({ t: 'pex', ip4: v4, added: v4 }),
      encode({ t: 'pex', ip4: 7 }),
      encode({ t: 'pexx', ip4: v4 }),
      utf8('d1:t3:pex3:ip46:\x01\x02\x03\x04\x1a\xe1e'), // unsorted keys: not canonical
      utf8('d3:ip4-6:e'),
    ]
    for (const c of cases)
      assert.deepEqual(decodePex(c), { ok: false, error: 'malformed' }, Buffer.from(c).toString('latin1'))
  })

  it('bounds the count and the size before parsing', () => {
    const many = Array.from({ length: MAX_PEX_PEERS + 1 }, (_, i) =>
      compact({ ip: Uint8Array.of(10, 0, i >> 8, i & 255), port: 6881 }),
    )
    assert.deepEqual(decodePex(encode({ t: 'pex', ip4: cat(...many) })), { ok: false, error: 'too-many' })
    assert.deepEqual(decodePex(new Uint8Array(MAX_MESSAGE_BYTES + 1)), { ok: false, error: 'oversize' })
    assert.throws(() => encodePex([]), RangeError)
    assert.throws(() => encodePex(Array.from({ length: MAX_PEX_PEERS + 1 }, () => a('10.0.0.1', 1))), RangeError)
    const max = encodePex(Array.from({ length: MAX_PEX_PEERS }, (_, i) => a(`2001:db8::${i + 1}`, 6881)))
    assert.ok(max.length < 1024, `a full pex of IPv6 entries is ${max.length} bytes`)
  })

  it('never throws on arbitrary bytes, and what it accepts is bounded and distinct', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = decodePex(bytes)
        if (r.ok) assert.ok(r.value.length >= 1 && r.value.length <= MAX_PEX_PEERS)
      }),
      { numRuns: 2000 },
    )
    // Mutations of a valid message: the interesting neighbourhood for a parser.
    const valid = encodePex([a('192.0.2.7', 6881), a('2001:db8::1', 51413)])
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.nat(255), (i, x) => {
        const m = valid.slice()
        m[i] = x
        const r = decodePex(m)
        if (r.ok) {
          assert.equal(new Set(r.value.map(formatAddress)).size, r.value.length)
          assert.ok(r.value.every((p) => p.port > 0))
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('peer addresses', () => {
  it('parses what sockets report, IPv4-mapped IPv6 included, and refuses the rest', () => {
    assert.equal(formatAddress(a('::ffff:127.0.0.1', 80)), '127.0.0.1:80')
    assert.equal(formatAddress(a('[::1]', 80)), '[0:0:0:0:0:0:0:1]:80')
    assert.equal(formatAddress(a('fe80::1:2', 80)), '[fe80:0:0:0:0:0:1:2]:80')
    for (const [h, p] of [
      ['1.2.3.256', 1],
      ['01.2.3.4', 1],
      ['1.2.3', 1],
      ['::1::', 1],
      ['1:2:3:4:5:6:7:8:9', 1],
      ['example.org', 1],
      ['1.2.3.4', 0],
      ['1.2.3.4', 65536],
      ['g::1', 1],
    ] as const) {
      assert.equal(peerAddress(h, p), undefined, `${h}:${p}`)
    }
  })

  it('never offers unspecified, multicast or broadcast addresses, and loopback only from loopback', () => {
    for (const h of ['0.0.0.0', '224.0.0.1', '239.192.152.143', '255.255.255.255', '::', 'ff02::1'])
      assert.equal(isUsableCandidate(a(h, 1), true), false, h)
    assert.equal(isUsableCandidate(a('127.0.0.1', 1), false), false)
    assert.equal(isUsableCandidate(a('::1', 1), false), false)
    assert.equal(isUsableCandidate(a('127.0.0.1', 1), true), true)
    assert.equal(isUsableCandidate(a('192.0.2.7', 1), false), true)
  })
})
