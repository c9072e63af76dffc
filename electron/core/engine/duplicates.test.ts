// Two members that dial each other at the same moment end up with one connection, both ends
// agreeing which, and the dropped one is not re-dialled.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Engine, type PeerEvent, type SwarmMembership } from './engine.js'
import { keyPair, membershipIn } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, sleep, tempDir, until } from '../testing/swarm.js'

const swarm = keyPair('duplicates swarm')
const member = (who: string): SwarmMembership => membershipIn(swarm, who)

describe('one connection per member', () => {
  const dir = tempDir('duplicates')
  const engines: Engine[] = []
  after(async () => {
    for (const e of engines) await e.close()
    dir.remove()
  })

  it('crossing dials between two members leave one connection, not re-dialled', async () => {
    const a = await Engine.start()
    const b = await Engine.start()
    engines.push(a, b)
    const t = await a.seed(randomFile(join(dir.path, 'a'), 'x.bin', 256 * 1024).path, member('dup A'))
    await b.add(t.info, join(dir.path, 'b'), member('dup B'))
    let authorizedAtA = 0
    a.on('peer', (e: PeerEvent) => void (e.peer.state === 'authorized' && authorizedAtA++))
    a.addPeer(t.infoHash, `${LOOPBACK}:${b.port}`)
    b.addPeer(t.infoHash, `${LOOPBACK}:${a.port}`)
    await until(() => authorizedAtA >= 2, 10_000, 'both crossing connections to be authorized at A')
    const wires = (e: Engine) => e.torrentSummary(t.infoHash).peers.length
    await until(() => wires(a) === 1 && wires(b) === 1, 5_000, 'the duplicate to be closed at both ends')
    // webtorrent re-dials a closed outgoing connection after 1 s, then 5 s: neither happens.
    const NO_REDIAL_MS = 2_500 // proves an absence: past the 1 s re-dial, short of the 5 s one
    await sleep(NO_REDIAL_MS)
    assert.equal(wires(a), 1)
    assert.equal(wires(b), 1)
    assert.equal(a.torrentSummary(t.infoHash).peers[0]!.state, 'authorized')
    assert.equal(authorizedAtA, 2, 'no third connection was made')
    await until(() => b.torrentSummary(t.infoHash).progress === 1, 10_000, 'the transfer on the kept connection')
  })
})
