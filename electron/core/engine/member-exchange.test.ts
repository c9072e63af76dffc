// Pex among members, with real engines on 127.0.0.1: C knows only B, learns A from B's pex and
// downloads from A; two outsiders connected to B (a Coterie node without a certificate, and a raw
// BitTorrent peer claiming a listen port) never appear in any pex anyone receives.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, type PexReport, type SwarmMembership } from './engine.js'
import { keyPair, membershipIn } from '../testing/fixtures.js'
import { rawPeer } from '../testing/raw-peer.js'
import { LOOPBACK, randomFile, tempDir, until } from '../testing/swarm.js'

const swarm = keyPair('pex swarm')
const member = (who: string): SwarmMembership => membershipIn(swarm, who)

describe('pex among authorized members', () => {
  const dir = tempDir('pex')
  const engines: Engine[] = []
  const closers: (() => void)[] = []
  after(async () => {
    closers.forEach((c) => c())
    for (const e of engines) await e.close()
    dir.remove()
  })
  const start = async (o: Parameters<typeof Engine.start>[0] = {}) => {
    const e = await Engine.start(o)
    engines.push(e)
    return e
  }
  const reports = (e: Engine): PexReport[] => {
    const seen: PexReport[] = []
    e.on('pex', (r: PexReport) => seen.push(r))
    return seen
  }

  it('C finds A through B and downloads from it; outsiders are never named', async () => {
    const size = 2 * 1024 * 1024
    const file = randomFile(join(dir.path, 'a'), 'shared.bin', size)
    const a = await start()
    const t = await a.seed(file.path, member('pex A'))
    const atA = reports(a)

    // B holds almost nothing (its download is throttled), so whatever C gets, it gets from A.
    const b = await start({ downloadLimit: 8 * 1024 })
    await b.add(t.info, join(dir.path, 'b'), member('pex B'), { peers: [`${LOOPBACK}:${a.port}`] })
    const authorizedAt = (e: Engine, port: number) => () =>
      e.torrentSummary(t.infoHash).peers.some((p) => p.address === `${LOOPBACK}:${port}` && p.state === 'authorized')
    await until(authorizedAt(b, a.port), 15_000, 'B to be authorized by A')

    // Outsiders on B: a Coterie node without a certificate, and a raw peer that claims a listen port.
    const outsider = await start()
    const atOutsider = reports(outsider)
    await outsider.add(
      t.info,
      join(dir.path, 'outsider'),
      { swarm: swarm.publicKey },
      { peers: [`${LOOPBACK}:${b.port}`] },
    )
    const raw = rawPeer(LOOPBACK, b.port, t.infoHash, { listenPort: 1 + (outsider.port % 60000) })
    closers.push(() => raw.close())
    await until(
      () =>
        b.torrentSummary(t.infoHash).peers.filter((p) => p.state === 'refused' || p.state === 'no-extension').length >=
        2,
      15_000,
      'B to see both outsiders',
    )

    const c = await start()
    const atC = reports(c)
    await c.add(t.info, join(dir.path, 'c'), member('pex C'), { peers: [`${LOOPBACK}:${b.port}`] })
    await until(() => c.torrentSummary(t.infoHash).progress === 1, 30_000, 'C to find A through pex and finish')

    assert.ok(readFileSync(join(dir.path, 'c', 'shared.bin')).equals(file.data))
    const fromA = c.torrentSummary(t.infoHash).peers.find((p) => p.address === `${LOOPBACK}:${a.port}`)
    assert.ok(fromA !== undefined && fromA.state === 'authorized', 'C connected to A, which it only heard of from B')
    assert.ok(fromA.downloaded > size * 0.9, `C got ${fromA.downloaded} of ${size} bytes from A`)
    const told = atC.filter((r) => r.peers !== undefined).flatMap((r) => r.peers!)
    assert.ok(told.includes(`${LOOPBACK}:${a.port}`), `B told C about A: ${JSON.stringify(atC)}`)

    // What every node actually received: no outsider address, and nothing at all for the outsider.
    const outsiderAddresses = [`${LOOPBACK}:${outsider.port}`, `${LOOPBACK}:${1 + (outsider.port % 60000)}`]
    for (const r of [...atA, ...atC])
      for (const p of r.peers ?? []) assert.ok(!outsiderAddresses.includes(p), `${p} was named in a pex to a member`)
    assert.deepEqual(atOutsider, [], 'the outsider received no pex')
    assert.ok(
      !raw.log.peerExtensions.includes('ut_pex'),
      `B offered ${raw.log.peerExtensions.join(', ')} to an outsider`,
    )
    assert.ok(raw.log.peerExtensions.includes('coterie'))
  })
})
