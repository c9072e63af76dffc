// The connection budget's rules, on real bittorrent-protocol wires behind stand-ins for webtorrent's
// incoming Peer (what the budget reads of one: its wire, its socket's address, its byte count, and
// destroy): the heaviest address gives way to another, never to itself; the deadline and the byte
// cap drop; abuse cools an address down; a held UNCHOKE takes effect at authorization, not before.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import Wire from 'bittorrent-protocol'
import { ConnectionBudget, UNPROVEN_MAX_BYTES, addressKey, type DropReason } from './connection-budget.js'
import { eventually } from '../testing/wait.js'

class Peer extends EventEmitter {
  readonly wire = new Wire('tcpIncoming')
  destroyed = false
  constructor(readonly conn: { remoteAddress: string }) {
    super()
    this.wire.on('error', () => {})
  }
  destroy(): void {
    this.destroyed = true
    this.wire.destroy()
  }
}
const peer = (address: string) => new Peer({ remoteAddress: address })

function budget(o: { budget?: number; deadlineMs?: number } = {}) {
  const dropped: DropReason[] = []
  return { b: new ConnectionBudget({ ...o, onDropped: (why) => dropped.push(why) }), dropped }
}

describe('the connection budget', () => {
  it('lets a newcomer from another address in by dropping the oldest of the heaviest, and refuses one from that address', () => {
    const { b, dropped } = budget({ budget: 4 })
    const crowd = [1, 2, 3, 4].map(() => peer('10.0.0.9'))
    crowd.forEach((p) => b.admit(p))
    assert.equal(b.size, 4)
    const another = peer('10.0.0.9')
    b.admit(another)
    assert.ok(another.destroyed, 'the crowd cannot push out its own to make room')
    assert.deepEqual(dropped, ['over-budget'])
    const member = peer('192.0.2.7')
    b.admit(member)
    assert.ok(!member.destroyed, 'a peer from elsewhere gets in')
    assert.ok(crowd[0]!.destroyed, "in place of the crowd's oldest")
    assert.equal(b.size, 4)
  })

  it('takes a member out of the budget for good when it is authorized, replaying the UNCHOKE it held', () => {
    const { b } = budget({ budget: 1 })
    const member = peer('192.0.2.7')
    b.admit(member)
    member.wire._onUnchoke()
    assert.equal(member.wire.peerChoking, true, 'no block is asked of an unproven peer')
    b.promote(member.wire)
    assert.equal(member.wire.peerChoking, false, 'the held UNCHOKE took effect')
    assert.equal(b.size, 0)
    const next = peer('10.0.0.9')
    b.admit(next)
    assert.ok(!next.destroyed && !member.destroyed, 'a member takes no slot of the budget')
  })

  it('drops an unproven connection at the deadline', async () => {
    const { b, dropped } = budget({ deadlineMs: 50 })
    const p = peer('10.0.0.9')
    b.admit(p)
    await eventually(() => p.destroyed, 5_000, 'the deadline')
    assert.deepEqual(dropped, ['deadline'])
  })

  it('drops one that sends more than UNPROVEN_MAX_BYTES, and refuses its address a while', () => {
    const { b, dropped } = budget()
    const p = peer('10.0.0.9')
    b.admit(p)
    p.emit('download', UNPROVEN_MAX_BYTES)
    assert.ok(!p.destroyed)
    p.emit('download', 1)
    assert.ok(p.destroyed)
    const again = peer('10.0.0.9')
    b.admit(again)
    assert.ok(again.destroyed, 'the same address, at once again: refused')
    assert.deepEqual(dropped, ['too-many-bytes', 'cooling-down'])
    const other = peer('10.0.0.10')
    b.admit(other)
    assert.ok(!other.destroyed)
  })

  it('counts an IPv4 address, IPv4-mapped or not, and an IPv6 /64 as one source', () => {
    assert.equal(addressKey('::ffff:10.0.0.9'), '10.0.0.9')
    assert.equal(addressKey('10.0.0.9'), '10.0.0.9')
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:2:ffff:1:2:3'))
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'))
  })
})
