/**
 * The client names the Transfers screen and `coterie status` show for a peer id: Azureus-style ids
 * read as versions people know, anything else as "unknown" (ids are chosen by the peer: no input
 * makes a name longer than a known client's plus four version parts).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clientName } from './peers.js'

const idOf = (prefix: string) => Buffer.from(prefix + 'x'.repeat(20 - prefix.length), 'latin1').toString('hex')

test('Azureus-style peer ids read as client and version', () => {
  assert.equal(clientName(idOf('-CO0100-')), 'Coterie 0.1')
  assert.equal(clientName(idOf('-qB4510-')), 'qBittorrent 4.5.1')
  assert.equal(clientName(idOf('-LT2090-')), 'libtorrent 2.0.9')
  assert.equal(clientName(idOf('-WW0300-')), 'WebTorrent 0.3')
  assert.equal(clientName(idOf('-lt0D60-')), 'libtorrent (rakshasa) 0.13.6')
  assert.equal(clientName(idOf('-XY1000-')), 'XY 1.0', 'an unknown client keeps its two letters')
})

test('anything else is "unknown", never the peer’s own text', () => {
  assert.equal(clientName(null), 'unknown')
  assert.equal(clientName(idOf('M7-2-3--')), 'unknown')
  assert.equal(clientName(idOf('-<b>12-x')), 'unknown')
  assert.equal(clientName(idOf('-CO01\u00e9-')), 'unknown')
})
