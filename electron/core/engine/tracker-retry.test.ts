// Re-announcing while lonely (issue 14), against a real bittorrent-tracker server on 127.0.0.1:
// a member whose first announce came before the owner's hears of the owner within seconds,
// not at the tracker's interval (minutes); a node with peers does not re-announce early.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from 'bittorrent-tracker'
import { LONELY_RETRY_MS, watchTrackers } from './tracker-discovery.js'
import { LOOPBACK, sleep, until } from '../testing/swarm.js'

const key = new Uint8Array(20).fill(7)
const peerId = (c: string) => Buffer.from(`-CO0100-${c.repeat(12)}`).toString('hex')

describe('trackers, re-announced while a torrent has no peer', () => {
  const stops: (() => void)[] = []
  let server: Server
  const announces: number[] = []
  after(async () => {
    stops.forEach((s) => s())
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('the first to announce hears of the second within the first retry, and a node with peers waits for the interval', async () => {
    server = new Server({
      http: true,
      udp: false,
      ws: false,
      stats: false,
      filter: (_ih, params, cb) => (announces.push(Number(params.port)), cb(null)),
    })
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()))
    const trackers = [`http://${LOOPBACK}:${server.http!.address().port}/announce`]
    const heardByEarly: string[] = []
    let early = true // lonely until it hears of someone
    stops.push(
      watchTrackers({ peerId: peerId('a'), port: () => 6001, lonely: () => early }, key, trackers, [], (a) => {
        if (typeof a !== 'string') return // HTTP trackers hand out addresses only
        // The tracker may hand a node its own address back (bittorrent-tracker does over HTTP here): that is no peer.
        heardByEarly.push(a)
        if (!a.endsWith(':6001')) early = false
      }),
    )
    await until(() => announces.includes(6001), 5_000, 'the early node to announce')
    const t0 = Date.now()
    stops.push(
      watchTrackers({ peerId: peerId('b'), port: () => 6002, lonely: () => false }, key, trackers, [], () => {}),
    )
    await until(
      () => heardByEarly.some((a) => a.endsWith(':6002')),
      LONELY_RETRY_MS.first * 3,
      'the early node to hear of the late one',
    )
    assert.ok(Date.now() - t0 < LONELY_RETRY_MS.first * 3, 'within seconds')
    // Neither is lonely now: no announce beyond the start for the late node, at most one retry more for the early one.
    const before = announces.length
    await sleep(LONELY_RETRY_MS.first * 2 + 500)
    assert.ok(
      announces.length - before <= 1,
      `no early re-announce while peers are there: ${JSON.stringify(announces)}`,
    )
    assert.equal(announces.filter((p) => p === 6002).length, 1, 'the late node, never lonely, announced once')
  })
})
