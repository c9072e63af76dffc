// Per-group speed limits between real WebTorrent engines on 127.0.0.1: one owner serves two groups
// to one member; a limit on group A holds A's torrent to about its rate while group B's, in the
// same run and over the same connections' engine, is not held to it; lifting it on the running
// node lets A speed up. Rates are compared with each other and with the limit, never with a clock
// figure the machine's load could move.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine, type SwarmMembership } from './engine.js'
import Wire from 'bittorrent-protocol'
import { RateLimit, limitWire } from './group-limits.js'
import { issueCertificate } from '../protocol/certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, sleep, tempDirs, until } from '../testing/swarm.js'

const now = () => Math.floor(Date.now() / 1000)
const KiB = 1024
const MiB = 1024 * KiB
const LIMIT = 256 * KiB
const WINDOW_MS = 3_000
/** Not a wait: a measurement starts past the first burst, which a rate limit lets through at once. */
const FIRST_BURST_MS = 500

const groups = { a: keyPair('limits group a'), b: keyPair('limits group b') }
const people = { owner: keyPair('limits owner'), member: keyPair('limits member') }
const membership = (group: keyof typeof groups, who: keyof typeof people): SwarmMembership => ({
  swarm: groups[group].publicKey,
  credential: {
    certificate: issueCertificate(groups[group], { member: people[who].publicKey, iat: now() - 60, exp: now() + DAY }),
    secretKey: people[who].secretKey,
  },
})
const { temp, cleanup } = tempDirs()
after(cleanup)

/** Bytes per second the engine got of a torrent over the next `ms`. */
async function rateOver(engine: Engine, infoHash: string, ms: number): Promise<number> {
  const d0 = engine.torrentSummary(infoHash).downloaded
  const t0 = performance.now()
  await sleep(ms)
  return ((engine.torrentSummary(infoHash).downloaded - d0) * 1000) / (performance.now() - t0)
}

/** Bytes per second from now until the torrent completes (at most `ms`). */
async function rateToEnd(engine: Engine, infoHash: string, ms: number): Promise<number> {
  const d0 = engine.torrentSummary(infoHash).downloaded
  const t0 = performance.now()
  await until(() => engine.torrentSummary(infoHash).progress === 1, ms, 'the download to complete')
  return ((engine.torrentSummary(infoHash).length - d0) * 1000) / (performance.now() - t0)
}

const kib = (n: number) => `${Math.round(n / KiB)} KiB/s`

describe('per-group speed limits', () => {
  it("an owner's upload limit on group A holds A's download to it, not group B's; lifting it lets A speed up", async (t) => {
    const fileA = randomFile(temp('a-src'), 'a.bin', 8 * MiB)
    const fileB = randomFile(temp('b-src'), 'b.bin', 8 * MiB)
    const [owner, member] = await Promise.all([Engine.start(), Engine.start()])
    try {
      const a = await owner.seed(fileA.path, membership('a', 'owner'))
      const b = await owner.seed(fileB.path, membership('b', 'owner'))
      owner.setGroupLimits(groups.a.publicKey, { upload: LIMIT })
      assert.deepEqual(owner.groupLimits(groups.a.publicKey), { upload: LIMIT, download: undefined })
      assert.deepEqual(owner.groupLimits(groups.b.publicKey), { upload: undefined, download: undefined })

      const peers = [`${LOOPBACK}:${owner.port}`]
      const destA = temp('a-dest')
      const destB = temp('b-dest')
      await member.add(a.info, destA, membership('a', 'member'), { peers })
      const startB = performance.now()
      await member.add(b.info, destB, membership('b', 'member'), { peers })
      await until(() => member.torrentSummary(a.infoHash).downloaded > 0, 20_000, 'the first blocks of A')
      await member.whenDone(b.infoHash)
      const rateB = (fileB.data.length * 1000) / (performance.now() - startB)

      await sleep(FIRST_BURST_MS)
      const limited = await rateOver(member, a.infoHash, WINDOW_MS)
      assert.ok(limited < 2 * LIMIT, `A came at ${kib(limited)} with a ${kib(LIMIT)} limit`)
      assert.ok(limited > LIMIT / 4, `A still moves under its limit (${kib(limited)})`)
      assert.ok(member.torrentSummary(a.infoHash).progress < 1, 'A was not done within the window')
      assert.ok(rateB > 4 * limited, `B is not held to A's limit: B ${kib(rateB)}, A ${kib(limited)}`)

      owner.setGroupLimits(groups.a.publicKey, {}) // the running node, no restart
      const lifted = await rateToEnd(member, a.infoHash, 60_000)
      assert.ok(lifted > 4 * limited, `without the limit A sped up: ${kib(lifted)} after ${kib(limited)}`)
      t.diagnostic(`limit ${kib(LIMIT)}: A ${kib(limited)}, B ${kib(rateB)}, A lifted ${kib(lifted)}`)
      assert.ok(readFileSync(join(destA, 'a.bin')).equals(fileA.data), 'A arrived intact')
      assert.ok(readFileSync(join(destB, 'b.bin')).equals(fileB.data), 'B arrived intact')
    } finally {
      await Promise.all([owner.close(), member.close()])
    }
  })

  it("a member's download limit on group A holds what it gets from a plain BitTorrent peer too, not group B's", async (t) => {
    const fileA = randomFile(temp('pa-src'), 'pa.bin', 8 * MiB)
    const fileB = randomFile(temp('pb-src'), 'pb.bin', 8 * MiB)
    const [owner, member] = await Promise.all([Engine.start(), Engine.start()])
    const plain = plainClient()
    try {
      const a = await owner.seed(fileA.path, membership('a', 'owner'))
      const b = await owner.seed(fileB.path, membership('b', 'owner'))
      await owner.remove(a.infoHash) // A comes only from the plain peer
      plain.add(Buffer.concat([Buffer.from('d4:info'), a.info, Buffer.from('e')]), { path: join(fileA.path, '..') })
      await until(() => plain.torrents[0]?.done === true, 20_000, 'the plain seeder to verify its copy')
      member.setGroupLimits(groups.a.publicKey, { download: LIMIT })

      const destA = temp('pa-dest')
      await member.add(a.info, destA, membership('a', 'member'), { peers: [`${LOOPBACK}:${plain.torrentPort}`] })
      const startB = performance.now()
      await member.add(b.info, temp('pb-dest'), membership('b', 'member'), { peers: [`${LOOPBACK}:${owner.port}`] })
      await until(() => member.torrentSummary(a.infoHash).downloaded > 0, 20_000, 'the first blocks of A')
      assert.equal(member.torrentSummary(a.infoHash).peers[0]?.state, 'no-extension', 'A comes from a plain peer')
      await member.whenDone(b.infoHash)
      const rateB = (fileB.data.length * 1000) / (performance.now() - startB)

      await sleep(FIRST_BURST_MS)
      const limited = await rateOver(member, a.infoHash, WINDOW_MS)
      assert.ok(limited < 2 * LIMIT, `A came at ${kib(limited)} with a ${kib(LIMIT)} limit`)
      assert.ok(limited > LIMIT / 4, `A still moves under its limit (${kib(limited)})`)
      assert.ok(rateB > 4 * limited, `B is not held to A's limit: B ${kib(rateB)}, A ${kib(limited)}`)

      member.setGroupLimits(groups.a.publicKey, {})
      const lifted = await rateToEnd(member, a.infoHash, 60_000)
      assert.ok(lifted > 4 * limited, `without the limit A sped up: ${kib(lifted)} after ${kib(limited)}`)
      t.diagnostic(`limit ${kib(LIMIT)}: A ${kib(limited)}, B ${kib(rateB)}, A lifted ${kib(lifted)}`)
      assert.ok(readFileSync(join(destA, 'pa.bin')).equals(fileA.data), 'A arrived intact')
    } finally {
      await Promise.all([owner.close(), member.close(), destroyClient(plain)])
    }
  })
})

describe('a limited wire', () => {
  it('closes at once when it ends while what it received waits for the limit', async () => {
    const wire = new Wire()
    const limit = { upload: new RateLimit(), download: new RateLimit() }
    limit.download.set(1) // 1 B/s: the first 20 bytes go into 20 s of debt
    limitWire(wire, limit)
    const closed = new Promise<void>((resolve) => wire.once('close', () => resolve()))
    wire.write(Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol')])) // half a handshake: the parser waits for more
    wire.write(Buffer.alloc(8)) // held by the limit
    wire.write(Buffer.alloc(8)) // queued behind it by the stream
    // Not provable from outside the stream: time for it to hand both writes to the limiter before the wire ends.
    const HAND_OVER_MS = 100
    await sleep(HAND_OVER_MS)
    const t0 = performance.now()
    wire.destroy()
    await Promise.race([closed, sleep(5_000).then(() => assert.fail('the wire did not close while a write was held'))])
    assert.ok(performance.now() - t0 < 5_000)
  })
})

describe('RateLimit', () => {
  // A clock the test moves, so these checks are exact; the timers still fire for real.
  const clock = () => {
    let t = 1_000_000
    return { now: () => t, advance: (ms: number) => void (t += ms) }
  }

  it('lets a chunk of any size go when not in debt, holds the next until the debt is paid, and saves up a quarter second at most', () => {
    const c = clock()
    const r = new RateLimit(c.now)
    r.set(1000)
    assert.ok(r.tryTake(400), 'a chunk goes (into debt)')
    assert.ok(!r.tryTake(1), 'in debt: nothing more')
    c.advance(399)
    assert.ok(!r.tryTake(1), 'not quite paid')
    c.advance(1)
    assert.ok(r.tryTake(1), 'paid')
    c.advance(10_000) // quiet: 250 bytes saved up, not 10 000
    assert.ok(r.tryTake(250))
    assert.ok(r.tryTake(1), 'the burst used up exactly')
    assert.ok(!r.tryTake(1), 'and no more')
  })

  it('releases waiters in order, at once when the limit is lifted, and skips those that are gone', () => {
    const c = clock()
    const r = new RateLimit(c.now)
    r.set(100)
    assert.ok(r.tryTake(1000))
    const order: string[] = []
    let goneB = false
    r.wait(
      10,
      () => order.push('a'),
      () => false,
    )
    r.wait(
      10,
      () => order.push('b'),
      () => goneB,
    )
    r.wait(
      10,
      () => order.push('c'),
      () => false,
    )
    assert.ok(!r.tryTake(1), 'others wait: no jumping the queue')
    goneB = true
    r.set(undefined)
    assert.deepEqual(order, ['a', 'c'])
    assert.ok(r.tryTake(1e9), 'unlimited')
  })

  it('refuses a rate that is not a positive whole number', () => {
    const r = new RateLimit()
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) assert.throws(() => r.set(bad), RangeError)
    assert.equal(r.rate, undefined, 'nothing changed')
  })
})
