// Which shares a member's node drops when a newer group index leaves them out (PROTOCOL.md §13.4):
// what the held index listed, or anything an index signed after the member's invite leaves out;
// never an invite's share that an index signed no later than the invite does not list yet. The
// rendezvous in each index is no share (a member never holds it as one). The two-node tests
// (cli/unshare.test.ts, contract/unshare.test.ts) cover the whole path; this one each case of the rule.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { bytesToHex } from '@noble/hashes/utils.js'
import { infoHashOf } from '../../protocol/torrent-info.js'
import { rendezvousTorrent, RENDEZVOUS_ID_BYTES } from '../../protocol/rendezvous.js'
import { retractedShares } from './group-index.js'

const swarm = randomBytes(32)
const g = (inviteIat?: number) => ({
  swarmPublicKey: bytesToHex(swarm),
  ...(inviteIat !== undefined && { inviteIat }),
})
/** Distinct byte strings stand for info dictionaries: only their infohashes matter to the rule. */
const share = () => randomBytes(64)
const rendezvous = rendezvousTorrent(swarm, randomBytes(RENDEZVOUS_ID_BYTES)).info
const index = (iat: number, ...torrents: Uint8Array[]) => ({
  iat,
  torrents,
  infoHashes: torrents.map((t) => infoHashOf(t)),
})
const ih = (info: Uint8Array) => bytesToHex(infoHashOf(info))

describe('retractedShares', () => {
  const [a, b, c] = [share(), share(), share()]
  const held = [ih(a), ih(b), ih(c)]

  it('drops what the held index listed and the new one leaves out, keeping the rest', () => {
    const before = index(100, a, b, rendezvous)
    assert.deepEqual(retractedShares(g(), before, index(200, b, rendezvous), held), [ih(a)])
    assert.deepEqual(retractedShares(g(), before, index(200, a, b, c, rendezvous), held), [])
  })

  it('with no held index, drops what an index signed after the invite leaves out, and nothing otherwise', () => {
    const after = index(1_000, b, rendezvous)
    assert.deepEqual(retractedShares(g(999), undefined, after, held), [ih(a), ih(c)], 'signed a second later')
    assert.deepEqual(retractedShares(g(1_000), undefined, after, held), [], 'signed in the same second: kept')
    assert.deepEqual(retractedShares(g(1_500), undefined, after, held), [], 'older than the invite: kept')
    assert.deepEqual(retractedShares(g(), undefined, after, held), [], 'a group joined before inviteIat existed')
  })

  it('an invite’s share no held index listed survives an index older than the invite', () => {
    const before = index(100, a, rendezvous) // c came with an invite signed at 300
    assert.deepEqual(retractedShares(g(300), before, index(200, a, rendezvous), held), [])
    assert.deepEqual(retractedShares(g(300), before, index(400, a, rendezvous), held), [ih(b), ih(c)])
  })

  it('only ever names torrents the member holds', () => {
    const elsewhere = share() // listed, never fetched (auto-join off), or removed here
    const before = index(100, a, elsewhere, rendezvous)
    assert.deepEqual(retractedShares(g(50), before, index(200, rendezvous), [ih(a)]), [ih(a)])
  })
})
