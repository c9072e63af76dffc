// Finding each other again (issue 14), with real engines on 127.0.0.1: an owner that had dialled
// the member (so webtorrent would never redial her) stops mid-download and comes back on the same
// port; the member, which knew her only from that connection, redials her listen address by itself
// and finishes the file, byte for byte. "Retry now" dials every known address that is not connected.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, type SwarmMembership } from './engine.js'
import { REDIAL_BACKOFF_MS } from './known-addresses.js'
import { issueCertificate } from '../protocol/certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, tempDirs } from '../testing/swarm.js'
import { eventually } from '../testing/wait.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('redial swarm')
const owner = keyPair('redial owner')
const member = keyPair('redial member')
const membership = (who: typeof owner): SwarmMembership => ({
  swarm: swarm.publicKey,
  credential: {
    certificate: issueCertificate(swarm, { member: who.publicKey, iat: now() - 60, exp: now() + DAY }),
    secretKey: who.secretKey,
  },
})
const { temp, cleanup } = tempDirs()
after(cleanup)

describe('known addresses: a dropped member is dialled again', () => {
  it('the owner restarts on the same port after dialling the member: the member redials her and finishes', async () => {
    const src = temp('owner')
    const file = randomFile(src, 'film.bin', 4 * 1024 * 1024)
    // The member fetches slowly, so that the owner stops mid-download.
    const memberEngine = await Engine.start({ downloadLimit: 512 * 1024 })
    let ownerEngine = await Engine.start()
    const port = ownerEngine.port
    try {
      const t = await ownerEngine.seed(file.path, membership(owner))
      const dest = temp('member')
      await memberEngine.add(t.info, dest, membership(member))
      ownerEngine.addPeer(t.infoHash, `${LOOPBACK}:${memberEngine.port}`) // she dials him: an incoming wire for him
      await eventually(
        () => memberEngine.torrentSummary(t.infoHash).downloaded > 256 * 1024,
        30_000,
        'the member to receive from the owner',
      )
      assert.deepEqual(
        memberEngine.knownAddresses(t.infoHash),
        [`${LOOPBACK}:${port}`],
        'her listen address (BEP 10 p)',
      )
      assert.equal(memberEngine.retry(t.infoHash), 0, 'nothing to dial while connected')
      await ownerEngine.close()
      await eventually(
        () => memberEngine.torrentSummary(t.infoHash).peers.length === 0,
        10_000,
        'the member to see the owner gone',
      )
      const before = memberEngine.torrentSummary(t.infoHash).downloaded
      assert.ok(before < file.data.length, 'stopped mid-download')
      ownerEngine = await Engine.start({ port })
      await ownerEngine.seed(file.path, membership(owner)) // nobody is told where the member is
      await eventually(
        () => memberEngine.torrentSummary(t.infoHash).downloaded > before,
        REDIAL_BACKOFF_MS.max + 30_000,
        'the member to receive again from the restarted owner',
      )
      await memberEngine.whenDone(t.infoHash)
      assert.ok(readFileSync(join(dest, 'film.bin')).equals(file.data), 'the bytes match')
    } finally {
      await Promise.all([ownerEngine.close(), memberEngine.close()])
    }
  })

  it('"Retry now" dials a known address that is not connected, at once', async () => {
    const src = temp('retry')
    const file = randomFile(src, 'retry.bin', 256 * 1024)
    const ownerEngine = await Engine.start()
    const memberEngine = await Engine.start()
    try {
      const t = await ownerEngine.seed(file.path, membership(owner))
      // A static address where nobody listens yet: dialled, refused, and kept for the redial.
      const nobody = await Engine.start()
      const deadPort = nobody.port
      await nobody.close()
      await memberEngine.add(t.info, temp('retry-member'), membership(member), { peers: [`${LOOPBACK}:${deadPort}`] })
      memberEngine.addStaticPeers(t.infoHash, [`${LOOPBACK}:${ownerEngine.port}`])
      await memberEngine.whenDone(t.infoHash)
      assert.deepEqual(
        memberEngine.knownAddresses(t.infoHash).sort(),
        [`${LOOPBACK}:${deadPort}`, `${LOOPBACK}:${ownerEngine.port}`].sort(),
      )
      assert.equal(memberEngine.retry(t.infoHash), 1, 'only the address not connected is dialled')
    } finally {
      await Promise.all([ownerEngine.close(), memberEngine.close()])
    }
  })
})
