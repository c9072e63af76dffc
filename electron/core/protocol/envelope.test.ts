// The envelope decoder: each message kind of the table decodes to its family, and anything else is
// `malformed` with the family its "t" claimed, on hand-written byte strings (the wire format), on
// what the encoders of the other modules produce, and on random bytes (never throws).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeEnvelope, isFamily, type Envelope } from './envelope.js'
import { encode } from './canonical.js'
import { utf8 } from './bytes.js'
import { MAX_MESSAGE_BYTES } from './constants.js'
import { encodePex } from './pex.js'
import { peerAddress } from './address.js'
import { encodeSealedMessage } from './transfer.js'

const box16 = new Uint8Array(16).fill(7)

// Bencode as it travels, written out by hand: the decoder must agree with the documented layout.
const vectors: { name: string; bytes: string; kind: Envelope['kind']; claimed?: string }[] = [
  { name: 'accept', bytes: 'd1:t6:accepte', kind: 'handshake' },
  { name: 'noproof', bytes: 'd1:t7:noproofe', kind: 'handshake' },
  { name: 'refuse', bytes: 'd4:code7:expired1:t6:refusee', kind: 'handshake' },
  { name: 'proof', bytes: 'd3:box3:abc1:t5:proofe', kind: 'handshake' },
  { name: 'index', bytes: 'd1:t5:index7:versioni3ee', kind: 'index' },
  { name: 'index-get', bytes: 'd6:offseti0e1:t9:index-get7:versioni3ee', kind: 'index' },
  { name: 'pex, fields only', bytes: 'd1:t3:pexe', kind: 'pex' },
  { name: 'accept with an extra key', bytes: 'd1:t6:accept1:xi1ee', kind: 'malformed', claimed: 'handshake' },
  { name: 'refuse without a code', bytes: 'd1:t6:refusee', kind: 'malformed', claimed: 'handshake' },
  { name: 'sealed without a box', bytes: 'd1:t6:sealede', kind: 'malformed', claimed: 'sealed' },
  {
    name: 'sealed, box shorter than a tag',
    bytes: 'd3:box15:xxxxxxxxxxxxxxx1:t6:sealede',
    kind: 'malformed',
    claimed: 'sealed',
  },
  { name: 'index version 0', bytes: 'd1:t5:index7:versioni0ee', kind: 'malformed', claimed: 'index' },
  { name: 'pex with an integer list', bytes: 'd3:ip4i7e1:t3:pexe', kind: 'malformed', claimed: 'pex' },
  { name: 'unknown t', bytes: 'd1:t4:helpe', kind: 'malformed' },
  { name: 't not a string', bytes: 'd1:ti1ee', kind: 'malformed' },
  { name: 'no t', bytes: 'd1:xi1ee', kind: 'malformed' },
  { name: 'a list', bytes: 'l1:te', kind: 'malformed' },
  { name: 'a string', bytes: '5:proof', kind: 'malformed' },
  { name: 'non-canonical (unsorted keys)', bytes: 'd1:t6:accept1:ai1ee', kind: 'malformed' },
  { name: 'truncated', bytes: 'd1:t6:accep', kind: 'malformed' },
  { name: 'empty', bytes: '', kind: 'malformed' },
  {
    name: 'a key that names a prototype',
    bytes: 'd9:__proto__i1e1:t6:accepte',
    kind: 'malformed',
    claimed: 'handshake',
  },
]

describe('envelope', () => {
  for (const v of vectors) {
    it(`${v.name} -> ${v.kind}${v.claimed === undefined ? '' : ` (claims ${v.claimed})`}`, () => {
      const e = decodeEnvelope(utf8(v.bytes))
      assert.equal(e.kind, v.kind, JSON.stringify(e))
      if (e.kind === 'malformed') {
        assert.equal(e.reason, 'malformed')
        assert.equal(e.claimed, v.claimed)
      }
    })
  }

  it('decodes what the other modules encode, fields intact', () => {
    const sealed = decodeEnvelope(encodeSealedMessage(box16))
    assert.deepEqual(sealed, { kind: 'sealed', box: box16 })
    const pex = decodeEnvelope(encodePex([peerAddress('192.0.2.7', 6881)!]))
    assert.equal(pex.kind, 'pex')
    assert.ok(pex.kind === 'pex' && pex.message.ip4 !== undefined && pex.message.ip6 === undefined)
    const part = decodeEnvelope(
      encode({ t: 'index-part', version: 2, offset: 0, total: 3, data: Uint8Array.of(1, 2, 3) }),
    )
    assert.deepEqual(part, {
      kind: 'index',
      payload: { t: 'index-part', version: 2, offset: 0, total: 3, data: Uint8Array.of(1, 2, 3) },
    })
    const refuse = decodeEnvelope(encode({ t: 'refuse', code: 'revoked' }))
    assert.deepEqual(refuse, { kind: 'handshake', message: { t: 'refuse', code: 'revoked' } })
  })

  it('an oversize message is malformed as oversize, whatever it claims', () => {
    const big = encode({ t: 'sealed', box: new Uint8Array(MAX_MESSAGE_BYTES) })
    assert.deepEqual(decodeEnvelope(big), { kind: 'malformed', reason: 'oversize' })
  })

  it('isFamily answers for a well-formed message and for one that only claims the family', () => {
    assert.ok(isFamily(decodeEnvelope(utf8('d1:t3:pexe')), 'pex'))
    assert.ok(isFamily(decodeEnvelope(utf8('d3:ip4i7e1:t3:pexe')), 'pex'))
    assert.ok(!isFamily(decodeEnvelope(utf8('d1:t6:accepte')), 'pex'))
    assert.ok(!isFamily(decodeEnvelope(utf8('d1:t4:helpe')), 'pex'))
  })

  it('never throws, and always returns one of the kinds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (b) => {
        const e = decodeEnvelope(b)
        return ['handshake', 'sealed', 'pex', 'index', 'malformed'].includes(e.kind)
      }),
      { numRuns: 2000 },
    )
  })
})
