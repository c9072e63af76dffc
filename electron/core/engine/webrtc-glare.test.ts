/**
 * Which WebRTC connection to a node the torrent takes (webrtc-glare.ts), on connections that open,
 * close and are destroyed as simple-peer's do (events only: the real thing, between a Coterie node
 * and a plain WebTorrent client through a WebSocket tracker, is webrtc-gate.test.ts). The clock is
 * node:test's mock, so the grace and the pending deadline are exact.
 */
import { describe, it, beforeEach, afterEach, mock } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { RtcGlare, GLARE_GRACE_MS, PENDING_MS, MAX_PENDING_PER_NODE } from './webrtc-glare.js'

const LOW = '1'.repeat(40)
const HIGH = 'f'.repeat(40)

/** A connection as the tracker hands it: an id, who offered it, and open/close events. */
class Conn extends EventEmitter {
  connected = false
  destroyed = false
  constructor(
    readonly id: string,
    readonly initiator: boolean,
  ) {
    super()
  }
  open(): void {
    this.connected = true
    this.emit('connect')
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.connected = false
    this.emit('close')
  }
}

describe('WebRTC glare: the torrent gets one open connection per node', () => {
  let taken: Conn[]
  let glare: RtcGlare
  const make = (own: string) =>
    new RtcGlare({ holds: (id) => taken.some((c) => c.id === id), take: (p) => taken.push(p as Conn) }, own)

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] })
    taken = []
    glare = make(LOW)
  })
  afterEach(() => mock.timers.reset())

  it('nothing is handed over before it opens; the preferred one is taken as it opens, the other closed', () => {
    // We hold the lower id: the connection we offered is the preferred one.
    const ours = new Conn(HIGH, true)
    const theirs = new Conn(HIGH, false)
    glare.arrive(theirs)
    glare.arrive(ours)
    assert.equal(taken.length, 0)
    ours.open()
    assert.deepEqual(taken, [ours])
    assert.equal(theirs.destroyed, true)
    assert.equal(glare.pending, 0)
  })

  it('two Coterie nodes keep the same connection whichever opens first at each end', () => {
    // The same two connections seen from both ends: "a" offered by LOW, "b" offered by HIGH.
    const atLow = { a: new Conn(HIGH, true), b: new Conn(HIGH, false) }
    const highTaken: Conn[] = []
    const atHigh = { a: new Conn(LOW, false), b: new Conn(LOW, true) }
    const high = new RtcGlare({ holds: () => highTaken.length > 0, take: (p) => highTaken.push(p as Conn) }, HIGH)
    glare.arrive(atLow.a)
    glare.arrive(atLow.b)
    high.arrive(atHigh.a)
    high.arrive(atHigh.b)
    // "b" opens first at both ends, "a" a moment later.
    atLow.b.open()
    atHigh.b.open()
    mock.timers.tick(GLARE_GRACE_MS / 4)
    atLow.a.open()
    atHigh.a.open()
    assert.deepEqual(taken, [atLow.a], 'LOW took the connection LOW offered')
    assert.deepEqual(highTaken, [atHigh.a], 'so did HIGH')
    assert.equal(atLow.b.destroyed && atHigh.b.destroyed, true)
  })

  it('a plain client that kept the other one: it is taken once the grace is out, and the preferred closed', () => {
    const ours = new Conn(HIGH, true) // the plain client dropped it at its end: it never opens
    const theirs = new Conn(HIGH, false)
    glare.arrive(ours)
    glare.arrive(theirs)
    theirs.open()
    mock.timers.tick(GLARE_GRACE_MS - 1)
    assert.equal(taken.length, 0, 'waits for the preferred one for the grace')
    mock.timers.tick(1)
    assert.deepEqual(taken, [theirs])
    assert.equal(ours.destroyed, true)
  })

  it('when the preferred one fails during the grace, the open one is taken at once', () => {
    const ours = new Conn(HIGH, true)
    const theirs = new Conn(HIGH, false)
    glare.arrive(ours)
    glare.arrive(theirs)
    theirs.open()
    ours.destroy() // ICE failed
    assert.deepEqual(taken, [theirs])
  })

  it('a node the torrent holds already gets no second connection', () => {
    const first = new Conn(HIGH, false)
    glare.arrive(first)
    first.open()
    const late = new Conn(HIGH, true)
    glare.arrive(late)
    assert.equal(late.destroyed, true)
    assert.deepEqual(taken, [first])
  })

  it(`at most ${MAX_PENDING_PER_NODE} wait per node; an answer to our own offer still gets in`, () => {
    const theirs = Array.from({ length: MAX_PENDING_PER_NODE }, () => new Conn(HIGH, false))
    for (const c of theirs) glare.arrive(c)
    const extra = new Conn(HIGH, false)
    glare.arrive(extra)
    assert.equal(extra.destroyed, true, 'one more of their offers is refused')
    const answered = new Conn(HIGH, true)
    glare.arrive(answered)
    assert.equal(answered.destroyed, false, 'the one a plain client kept is not')
    assert.equal(theirs.at(-1)!.destroyed, true, 'the newest of theirs made room')
    assert.equal(glare.pending, MAX_PENDING_PER_NODE)
    answered.open()
    assert.deepEqual(taken, [answered])
    assert.equal(glare.pending, 0)
  })

  it(`a connection that does not open in ${PENDING_MS} ms is closed, and all are when the torrent closes`, () => {
    const slow = new Conn(HIGH, false)
    glare.arrive(slow)
    mock.timers.tick(PENDING_MS)
    assert.equal(slow.destroyed, true)
    const a = new Conn(HIGH, false)
    const b = new Conn(LOW.replace('1', '2'), true)
    glare.arrive(a)
    glare.arrive(b)
    glare.close()
    assert.equal(a.destroyed && b.destroyed, true)
    const after = new Conn(HIGH, false)
    glare.arrive(after)
    assert.equal(after.destroyed, true, 'nothing is taken after close')
    assert.equal(taken.length, 0)
  })
})
