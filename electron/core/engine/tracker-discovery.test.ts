// Trackers under private topics, against a real bittorrent-tracker server (HTTP and UDP) on
// 127.0.0.1: two members find each other through it, and it only ever hears the topic of a
// private torrent; a public torrent's infohash is announced as well; --no-tracker announces nothing.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { Server } from 'bittorrent-tracker'
import { Engine, type SwarmMembership } from './engine.js'
import { discoveryTopic } from '../protocol/topic.js'
import { keyPair, seed, membershipIn } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, sleep, tempDir, until } from '../testing/swarm.js'

const swarm = keyPair('tracker swarm')
const member = (who: string): SwarmMembership => membershipIn(swarm, who)
const groupSecret = seed('tracker group secret')
const topicOf = (infoHash: string) => discoveryTopic(groupSecret, Buffer.from(infoHash, 'hex'))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('trackers under private topics', () => {
  const dir = tempDir('tracker')
  const closers: (() => Promise<void>)[] = []
  after(async () => {
    for (const c of closers.reverse()) await c()
    dir.remove()
  })

  it('members meet through HTTP and UDP trackers that see only the topic of a private torrent', async () => {
    const heard: { infoHash: string; port: number }[] = []
    const server = new Server({
      http: true,
      udp: true,
      ws: false,
      stats: false,
      filter: (infoHash, params, cb) => {
        heard.push({ infoHash, port: Number(params.port) })
        cb(null)
      },
    })
    await new Promise<void>((r) => server.listen(0, { http: LOOPBACK, udp: LOOPBACK }, () => r()))
    closers.push(() => new Promise((r) => server.close(() => r())))
    const trackers = [
      `http://${LOOPBACK}:${server.http!.address().port}/announce`,
      `udp://${LOOPBACK}:${server.udp!.address().port}`,
    ]

    const owner = await Engine.start()
    closers.push(() => owner.close())
    const file = randomFile(join(dir.path, 'src'), 'private.bin', 512 * 1024)
    // The topic needs the infohash, which seeding computes: seed, then announce under the topic.
    const probe = await owner.seed(file.path, member('tracker owner'))
    await owner.remove(probe.infoHash)
    const topic = topicOf(probe.infoHash)
    const t = await owner.seed(file.path, member('tracker owner'), { topic, trackers })
    assert.equal(t.infoHash, probe.infoHash)

    const joiner = await Engine.start()
    closers.push(() => joiner.close())
    await joiner.add(t.info, join(dir.path, 'member'), member('tracker member'), { topic, trackers })
    await until(
      () => joiner.torrentSummary(t.infoHash).progress === 1,
      20_000,
      'the member to find the owner through the tracker and finish',
    )
    const ports = new Set(heard.map((h) => h.port))
    assert.ok(ports.has(owner.port) && ports.has(joiner.port), `both announced: ${JSON.stringify(heard)}`)
    assert.deepEqual(
      [...new Set(heard.map((h) => h.infoHash))],
      [hex(topic)],
      'the tracker heard the topic and nothing else',
    )

    // A public group's torrent: its plain infohash is announced too, so plain clients can find it.
    const pub = await owner.seed(
      randomFile(join(dir.path, 'src'), 'public.bin', 64 * 1024).path,
      member('tracker owner'),
      {
        announcePublic: true,
        topic: seed('tracker public topic').subarray(0, 20),
        trackers,
      },
    )
    await until(() => heard.some((h) => h.infoHash === pub.infoHash), 10_000, 'the public infohash to be announced')
    assert.ok(!heard.some((h) => h.infoHash === t.infoHash), 'never the private one')

    // --no-tracker: a node told not to use trackers announces nothing, whatever the group lists.
    const quiet = await Engine.start({ trackers: false })
    closers.push(() => quiet.close())
    await quiet.add(t.info, join(dir.path, 'quiet'), member('tracker quiet'), { topic, trackers })
    // Proves an absence: the public node above was heard well within this of being added.
    const QUIET_NODE_MS = 1_500
    await sleep(QUIET_NODE_MS)
    assert.ok(!heard.some((h) => h.port === quiet.port), 'the quiet node announced')
  })
})
