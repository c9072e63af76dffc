// Real WebTorrent peers on 127.0.0.1, real files on disk: members get the bytes, from the owner
// and from a plain (non-enforcing) WebTorrent seeder.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, tempDirs, until } from '../testing/swarm.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('engine swarm')
const owner = keyPair('engine owner')
const member = keyPair('engine member')
const cert = (who: typeof owner) =>
  issueCertificate(swarm, { member: who.publicKey, iat: now() - 60, exp: now() + DAY })
const ownerM: SwarmMembership = {
  swarm: swarm.publicKey,
  credential: { certificate: cert(owner), secretKey: owner.secretKey },
}
const memberM: SwarmMembership = {
  swarm: swarm.publicKey,
  credential: { certificate: cert(member), secretKey: member.secretKey },
}
const { temp, cleanup } = tempDirs()
after(cleanup)

describe('engine: members download closed torrents', () => {
  it('a member downloads a multi-piece file and a folder from the owner; the bytes match', async () => {
    const src = temp('owner')
    const file = randomFile(src, 'film.bin', 3 * 1024 * 1024 + 123)
    const folder = join(src, 'album')
    const tracks = [randomFile(folder, 'one.flac', 700_000), randomFile(join(folder, 'disc2'), 'two.flac', 300_001)]
    const ownerEngine = await Engine.start()
    const memberEngine = await Engine.start()
    try {
      const a = await ownerEngine.seed(file.path, ownerM)
      const b = await ownerEngine.seed(folder, ownerM)
      const dest = temp('member')
      for (const t of [a, b]) {
        await memberEngine.add(t.info, dest, memberM)
        memberEngine.addPeer(t.infoHash, `${LOOPBACK}:${ownerEngine.port}`)
      }
      await Promise.all([memberEngine.whenDone(a.infoHash), memberEngine.whenDone(b.infoHash)])
      assert.ok(readFileSync(join(dest, 'film.bin')).equals(file.data))
      assert.ok(readFileSync(join(dest, 'album', 'one.flac')).equals(tracks[0]!.data))
      assert.ok(readFileSync(join(dest, 'album', 'disc2', 'two.flac')).equals(tracks[1]!.data))
      const seen = ownerEngine.torrentSummary(a.infoHash).peers
      assert.equal(seen.length, 1)
      assert.equal(seen[0]!.state, 'authorized')
      assert.equal(seen[0]!.member, Buffer.from(member.publicKey).toString('hex'))
      assert.equal(seen[0]!.client.split(' ')[0], 'Coterie')
      assert.ok(seen[0]!.uploaded >= file.data.length, 'the owner counts what it uploaded')
    } finally {
      await Promise.all([ownerEngine.close(), memberEngine.close()])
    }
  })

  it('drops a peer that never authorizes and has nothing we need, after a bounded time', async () => {
    const src = temp('idle')
    const file = randomFile(src, 'idle.bin', 64 * 1024)
    const ownerEngine = await Engine.start({ idlePeerMs: 1_000 })
    const outsider = plainClient()
    try {
      const t = await ownerEngine.seed(file.path, ownerM)
      const ot = outsider.add(Buffer.concat([Buffer.from('d4:info'), t.info, Buffer.from('e')]), {
        path: temp('idle-outsider'),
      })
      await until(() => ot.infoHash !== undefined, 5_000, 'the outsider to parse the torrent')
      ot.addPeer(`${LOOPBACK}:${ownerEngine.port}`)
      // Connected, and known for a plain client once its extended handshake has arrived.
      await until(
        () => ownerEngine.torrentSummary(t.infoHash).peers[0]?.state === 'no-extension',
        10_000,
        'the outsider to connect',
      )
      await until(
        () => ownerEngine.torrentSummary(t.infoHash).peers.length === 0,
        10_000,
        'the idle outsider to be dropped',
      )
    } finally {
      await Promise.all([ownerEngine.close(), destroyClient(outsider)])
    }
  })

  it('a member downloads from a plain WebTorrent seeder while the owner is offline', async () => {
    const src = temp('owner2')
    const file = randomFile(src, 'leaked.bin', 1024 * 1024 + 7)
    const ownerEngine = await Engine.start()
    const t = await ownerEngine.seed(file.path, ownerM)
    await ownerEngine.close() // the owner goes offline
    // Someone holding the content runs a client that enforces nothing ("internal leak").
    const plain = plainClient()
    const memberEngine = await Engine.start()
    try {
      const torrentFile = Buffer.concat([Buffer.from('d4:info'), t.info, Buffer.from('e')])
      plain.add(torrentFile, { path: src })
      await until(() => plain.torrents[0]?.done === true, 10_000, 'the plain seeder to verify its copy')
      const dest = temp('member2')
      await memberEngine.add(t.info, dest, memberM)
      memberEngine.addPeer(t.infoHash, `${LOOPBACK}:${plain.torrentPort}`)
      await memberEngine.whenDone(t.infoHash)
      assert.ok(readFileSync(join(dest, 'leaked.bin')).equals(file.data))
      const peer = memberEngine.torrentSummary(t.infoHash).peers[0]!
      assert.equal(peer.state, 'no-extension', 'the plain seeder speaks no Coterie, and we upload nothing to it')
      assert.equal(peer.uploaded, 0)
    } finally {
      await Promise.all([memberEngine.close(), destroyClient(plain)])
    }
  })
})
