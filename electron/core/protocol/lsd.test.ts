// The LSD datagram parser against whatever the local network sends: a result or a typed problem,
// never an exception, and never more keys than the bound.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { formatLsdAnnounce, parseLsdAnnounce, MAX_LSD_DATAGRAM_BYTES, MAX_LSD_KEYS } from './lsd.js'
import { utf8 } from './bytes.js'

const K1 = 'ab'.repeat(20)
const K2 = '0123456789abcdef0123456789abcdef01234567'
const announce = formatLsdAnnounce({ port: 51413, keys: [K1, K2], cookie: 'coterie-1f2e' })

describe('LSD datagrams', () => {
  it('round-trip, in the BEP 14 layout', () => {
    assert.equal(
      announce,
      `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 51413\r\nInfohash: ${K1}\r\nInfohash: ${K2}\r\ncookie: coterie-1f2e\r\n\r\n\r\n`,
    )
    assert.deepEqual(parseLsdAnnounce(utf8(announce)), {
      ok: true,
      value: { port: 51413, keys: [K1, K2], cookie: 'coterie-1f2e' },
    })
  })

  it('reads what other BEP 14 clients send (bittorrent-lsd, libtorrent: no cookie, upper-case hex)', () => {
    const theirs = `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: ${K1.toUpperCase()}\r\n\r\n\r\n`
    assert.deepEqual(parseLsdAnnounce(utf8(theirs)), { ok: true, value: { port: 6881, keys: [K1], cookie: '' } })
  })

  it('refuses anything but the exact lines', () => {
    const bad = [
      'BT-SEARCH * HTTP/1.1', // no line breaks at all: what crashes bittorrent-lsd's parser
      '',
      '\r\n\r\n',
      announce.replace('BT-SEARCH', 'BT-SEEK'),
      announce.replace('239.192.152.143:6771', '[ff15::efc0:988f]:6771'),
      announce.replace('Port: 51413', 'Port: 0'),
      announce.replace('Port: 51413', 'Port: 65536'),
      announce.replace('Port: 51413', 'Port: 051413'),
      announce.replace('Port: 51413', 'Port: 1\r\nPort: 2'),
      announce.replace(`Infohash: ${K1}`, `Infohash: ${K1}0`),
      announce.replace(`Infohash: ${K1}\r\nInfohash: ${K2}\r\n`, ''),
      announce.replace('cookie: coterie-1f2e', 'cookie: a b'),
      announce.replace('cookie', 'X-Extra: 1\r\ncookie'),
      announce.slice(0, -4),
      `BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 1\r\n${Array.from({ length: MAX_LSD_KEYS + 1 }, () => `Infohash: ${K1}`).join('\r\n')}\r\n\r\n\r\n`,
    ]
    for (const b of bad)
      assert.deepEqual(parseLsdAnnounce(utf8(b)), { ok: false, error: 'malformed' }, JSON.stringify(b))
    assert.deepEqual(parseLsdAnnounce(new Uint8Array([0xff, 0xfe, 0x0d, 0x0a])), { ok: false, error: 'malformed' })
    assert.deepEqual(parseLsdAnnounce(new Uint8Array(MAX_LSD_DATAGRAM_BYTES + 1)), { ok: false, error: 'oversize' })
  })

  it('never throws on arbitrary or mutated datagrams', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => void parseLsdAnnounce(b)),
      { numRuns: 2000 },
    )
    const bytes = utf8(announce)
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.nat(255), (i, x) => {
        const m = bytes.slice()
        m[i] = x
        const r = parseLsdAnnounce(m)
        if (r.ok) assert.ok(r.value.keys.length >= 1 && r.value.keys.length <= MAX_LSD_KEYS && r.value.port >= 1)
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses to format what it would not parse (a caller bug)', () => {
    assert.throws(() => formatLsdAnnounce({ port: 1, keys: [], cookie: 'c' }), RangeError)
    assert.throws(() => formatLsdAnnounce({ port: 0, keys: [K1], cookie: 'c' }), RangeError)
    assert.throws(() => formatLsdAnnounce({ port: 1, keys: [K1], cookie: 'a b' }), RangeError)
  })
})
