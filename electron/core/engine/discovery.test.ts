// Members find each other on a DHT (a bootstrap node on loopback) under a private topic, while an
// outsider with the leaked torrent, looking up the plain infohash, finds nobody.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import DHT from 'bittorrent-dht'
import { Engine, type SwarmMembership } from './engine.js'
import { discoveryTopic } from '../protocol/topic.js'
import { keyPair, seed, membershipIn } from '../testing/fixtures.js'
import { destroyClient, randomFile, sleep, tempDir, until, LOOPBACK } from '../testing/swarm.js'
import WebTorrent from 'webtorrent'

const swarm = keyPair('discovery swarm')
const membership = (who: string): SwarmMembership => membershipIn(swarm, who)

describe('discovery under a private topic', () => {
  const dir = tempDir('discovery')
  const closers: (() => Promise<void>)[] = []
  after(async () => {
    for (const c of closers.reverse()) await c()
    dir.remove()
  })

  it('a member finds the owner with nothing but the invite (group secret), an outsider finds no one', async () => {
    const bootstrap = new DHT({ bootstrap: false })
    await new Promise<void>((r) => bootstrap.listen(0, LOOPBACK, () => r()))
    closers.push(() => new Promise((r) => bootstrap.destroy(() => r())))
    const dht = { bootstrap: [`${LOOPBACK}:${bootstrap.address().port}`] }

    const file = randomFile(dir.path, 'found.bin', 512 * 1024)
    const owner = await Engine.start({ dht })
    closers.push(() => owner.close())
    const t = await owner.seed(file.path, membership('discovery owner'))
    const groupSecret = seed('discovery group secret')
    const topic = discoveryTopic(groupSecret, Buffer.from(t.infoHash, 'hex'))
    owner.watchTopic(t.infoHash, topic)

    const member = await Engine.start({ dht })
    closers.push(() => member.close())
    await member.add(t.info, `${dir.path}/member`, membership('discovery member'), { topic })
    await until(
      () => member.torrentSummary(t.infoHash).progress === 1,
      20_000,
      'the member to find the owner on the DHT and finish',
    )

    // The outsider runs plain WebTorrent on the same DHT and forces a lookup of the plain infohash.
    const outsider = new WebTorrent({ dht, tracker: false, lsd: false, natUpnp: false, natPmp: false, utp: false })
    closers.push(() => destroyClient(outsider))
    const ot = outsider.add(Buffer.concat([Buffer.from('d4:info'), t.info, Buffer.from('e')]), {
      path: `${dir.path}/outsider`,
      private: false,
    })
    // Proves an absence: the member found the owner on this DHT within this; the outsider must not.
    const LOOKUP_MS = 4_000
    await sleep(LOOKUP_MS)
    assert.equal(ot.numPeers, 0, 'nobody announced the plain infohash')
    assert.equal(ot.downloaded, 0)

    // A public group's torrent is announced under its plain infohash: the same outsider finds the
    // owner (so non-enforcing holders of the content could help), and still gets nothing from it.
    const pub = await owner.seed(randomFile(dir.path, 'public.bin', 256 * 1024).path, membership('discovery owner'), {
      announcePublic: true,
    })
    const pt = outsider.add(Buffer.concat([Buffer.from('d4:info'), pub.info, Buffer.from('e')]), {
      path: `${dir.path}/outsider`,
    })
    await until(() => pt.numPeers > 0, 20_000, "the outsider to find the public torrent's seeder on the DHT")
    // Proves an absence: a peer found on loopback would have served its first blocks within this.
    const NOT_SERVED_MS = 2_000
    await sleep(NOT_SERVED_MS)
    assert.equal(pt.downloaded, 0, 'found, but not served')
  })
})
