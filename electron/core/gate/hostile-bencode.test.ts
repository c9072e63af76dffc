// Every BitTorrent message webtorrent parses goes through the `bencode` package (extended
// handshakes, ut_metadata, PEX, trackers; DHT packets through bencode 2 inside k-rpc-socket).
// Unpatched, a negative string length sends its decoder into an endless loop: one 13-byte
// message hangs the whole node. build/patches/ fixes both copies at install; this proves it,
// in a child process with a deadline so a regression fails the test instead of freezing it.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const script = `
  import { createRequire } from 'node:module'
  import bencode from 'bencode'
  import Wire from 'bittorrent-protocol'
  const require = createRequire(import.meta.resolve('k-rpc-socket'))
  const dhtBencode = require('bencode')
  const hostile = new TextEncoder().encode('d1:a-3:e')
  const outcome = (f) => { try { f(); return 'accepted' } catch { return 'refused' } }
  const results = [outcome(() => bencode.decode(hostile)), outcome(() => dhtBencode.decode(Buffer.from(hostile)))]
  // A real wire: BT handshake with the extension bit, then an extended handshake (id 20, ext 0).
  const wire = new Wire('tcpIncoming')
  const reserved = new Uint8Array(8); reserved[5] = 0x10
  const hs = Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol'), reserved, Buffer.alloc(20, 1), Buffer.alloc(20, 2)])
  const len = Buffer.alloc(4); len.writeUInt32BE(2 + hostile.length)
  wire.write(Buffer.concat([hs, len, Buffer.from([20, 0]), hostile]))
  setImmediate(() => { results.push('wire-alive'); console.log(results.join(',')); process.exit(0) })
`

describe('hostile bencode from a peer', () => {
  it('is refused promptly by every bencode decoder webtorrent uses, and a wire survives it', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 5000,
      encoding: 'utf8',
      cwd: process.cwd(),
    })
    assert.equal(r.signal, null, 'a decoder hung: is build/patches/ applied (npm ci runs patch-package)?')
    assert.equal(r.stdout.trim(), 'refused,refused,wire-alive', r.stderr)
  })
})
