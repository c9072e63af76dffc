// Each upload path of the gate on its own, on two real bittorrent-protocol wires piped in
// memory: one layer failing must show here even when another layer would hide it end to end.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import Wire from 'bittorrent-protocol'
import utMetadata from 'ut_metadata'
import type { Torrent } from 'webtorrent'
import { gateWire, rechokeAuthorizedOnly } from './upload-gate.js'
import { infoHashOf } from '../protocol/torrent-info.js'
import { until } from '../testing/swarm.js'

// ut_metadata checks what it receives against the infohash, so the wires use the real one.
const METADATA = new TextEncoder().encode('d6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae')
const IH = Buffer.from(infoHashOf(METADATA)).toString('hex')
const PIECES = 8

/**
 * A round trip of keep-alives, theirs -> ours -> theirs: the pipes keep order, so once it is back,
 * everything either side sent before it (and ours answered to) has arrived. What a test asserts
 * did NOT arrive, it asserts after this, not after a guessed delay.
 */
const flush = (ours: Wire, theirs: Wire) =>
  new Promise<void>((resolve) => {
    ours.once('keep-alive', () => ours.keepAlive())
    theirs.once('keep-alive', () => resolve())
    theirs.keepAlive()
  })

/** Our gated side (incoming) and the outsider's side, after both handshakes. */
async function pair(o: { fast?: boolean; metadata?: Uint8Array } = {}) {
  const ours = new Wire('tcpIncoming')
  const theirs = new Wire('tcpOutgoing')
  if (o.metadata) ours.use(utMetadata(o.metadata))
  theirs.use(utMetadata())
  const seen = {
    unchoke: 0,
    bitfieldBits: 0,
    haveAll: 0,
    haveNone: 0,
    haves: [] as number[],
    pieces: 0,
    metadata: 0,
    allowedFast: 0,
  }
  theirs.on('unchoke', () => seen.unchoke++)
  theirs.on('bitfield', (bf: { buffer: Uint8Array }) => {
    for (const b of bf.buffer) for (let x = b; x; x &= x - 1) seen.bitfieldBits++
  })
  theirs.on('have-all', () => seen.haveAll++)
  theirs.on('have-none', () => seen.haveNone++)
  theirs.on('have', (i: number) => seen.haves.push(i))
  theirs.on('piece', () => seen.pieces++)
  theirs.on('allowed-fast', () => seen.allowedFast++)
  const meta = (theirs as unknown as { ut_metadata: { on(e: string, f: () => void): void; fetch(): void } }).ut_metadata
  meta.on('metadata', () => seen.metadata++)
  ours.on('handshake', () => ours.handshake(IH, 'bb'.repeat(20), { fast: o.fast ?? false }))
  theirs.pipe(ours).pipe(theirs)
  theirs.handshake(IH, 'cc'.repeat(20), { fast: o.fast ?? false })
  await flush(ours, theirs)
  const bitfield = { get: (i: number) => i < PIECES, buffer: new Uint8Array([0xff]) }
  const torrent = { bitfield, pieces: new Array(PIECES), wires: [ours], _rechoke() {} } as unknown as Torrent
  return { ours, theirs, seen, torrent, fetchMetadata: () => meta.fetch() }
}

describe('gate paths, one at a time', () => {
  it('unchoke (on interest, rechoke, optimistic: all call wire.unchoke) does nothing until authorized', async () => {
    const { ours, theirs, seen, torrent } = await pair()
    const gate = gateWire(torrent, ours)
    ours.unchoke()
    await flush(ours, theirs)
    assert.equal(seen.unchoke, 0)
    assert.equal(ours.amChoking, true)
    gate.authorize()
    ours.unchoke()
    await flush(ours, theirs)
    assert.equal(seen.unchoke, 1)
  })

  it('a PIECE handed to the wire is dropped for an unauthorized peer', async () => {
    const { ours, theirs, seen, torrent } = await pair()
    gateWire(torrent, ours)
    ours.piece(0, 0, new Uint8Array(16384))
    await flush(ours, theirs)
    assert.equal(seen.pieces, 0)
  })

  it('the bitfield says "nothing" until authorized, then HAVEs tell the truth', async () => {
    const { ours, theirs, seen, torrent } = await pair()
    const gate = gateWire(torrent, ours)
    ours.bitfield(new Uint8Array([0xff]))
    ours.have(3)
    await flush(ours, theirs)
    assert.equal(seen.bitfieldBits, 0, 'an all-zero bitfield')
    assert.deepEqual(seen.haves, [], 'no HAVE while unauthorized')
    gate.authorize()
    await flush(ours, theirs)
    assert.deepEqual(seen.haves, [0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('with the fast extension, have-all becomes have-none, and allowed-fast is never granted', async () => {
    const { ours, theirs, seen, torrent } = await pair({ fast: true })
    gateWire(torrent, ours)
    ours.haveAll()
    ours.allowedFast(0)
    await flush(ours, theirs)
    assert.equal(seen.haveAll, 0)
    assert.equal(seen.haveNone, 1)
    assert.equal(seen.allowedFast, 0)
  })

  it('a seeder announces itself with one have-all once the peer is authorized (fast extension)', async () => {
    const { ours, theirs, seen, torrent } = await pair({ fast: true })
    const gate = gateWire(torrent, ours)
    ours.haveAll()
    await flush(ours, theirs)
    gate.authorize()
    await flush(ours, theirs)
    assert.equal(seen.haveAll, 1)
    assert.deepEqual(seen.haves, [], 'not one HAVE per piece')
  })

  it('a peer authorized while we hold pieces is unchoked with the availability, before it says INTERESTED', async () => {
    const { ours, theirs, seen, torrent } = await pair({ fast: true })
    const gate = gateWire(torrent, ours)
    ours.haveAll()
    await flush(ours, theirs)
    assert.equal(seen.unchoke, 0)
    gate.authorize()
    await flush(ours, theirs)
    assert.equal(seen.haveAll, 1)
    assert.equal(seen.unchoke, 1, 'one flight: what we hold, and that it may ask')
  })

  it('holding nothing, an authorized peer is unchoked only once it is interested', async () => {
    const { ours, theirs, seen } = await pair({ fast: true })
    const empty = {
      bitfield: { get: () => false, buffer: new Uint8Array(1) },
      pieces: new Array(PIECES),
      wires: [ours],
      _rechoke() {},
    } as unknown as Torrent
    const gate = gateWire(empty, ours)
    ours.haveNone()
    await flush(ours, theirs)
    gate.authorize()
    await flush(ours, theirs)
    assert.equal(seen.unchoke, 0)
  })

  it('ut_metadata requests are never answered, before or after authorization (it would cross in clear)', async () => {
    const { ours, theirs, seen, torrent, fetchMetadata } = await pair({ metadata: METADATA })
    const gate = gateWire(torrent, ours)
    const sent: number[] = []
    const extended = ours.extended.bind(ours)
    ours.extended = (ext: string | number, obj: unknown) => (sent.push(Number(ext)), extended(ext, obj as Uint8Array))
    fetchMetadata()
    await flush(ours, theirs)
    assert.equal(seen.metadata, 0)
    gate.authorize()
    fetchMetadata()
    await flush(ours, theirs)
    assert.equal(seen.metadata, 0)
    assert.deepEqual(sent, [], 'no ut_metadata message at all, not even a reject')
  })

  it('the rechoke loop only sees authorized wires (no slot for outsiders, even unwrapped)', () => {
    const unchoked: string[] = []
    const wire = (name: string, ok: boolean) => ({ name, ok, unchoke: () => unchoked.push(name) })
    const torrent = { wires: [wire('member', true), wire('outsider', false)] } as unknown as Torrent & {
      wires: { name: string; ok: boolean; unchoke(): void }[]
    }
    torrent._rechoke = function (this: typeof torrent) {
      for (const w of this.wires) w.unchoke()
    }.bind(torrent) as never
    rechokeAuthorizedOnly(torrent, (w) => (w as unknown as { ok: boolean }).ok)
    torrent._rechoke()
    assert.deepEqual(unchoked, ['member'])
    assert.equal(torrent.wires.length, 2, 'the wire list is restored')
  })

  it('revoking an authorized peer closes the connection (blocks in flight cannot be recalled)', async () => {
    const { ours, torrent } = await pair()
    const gate = gateWire(torrent, ours)
    gate.authorize()
    gate.revoke()
    await until(() => ours.destroyed, 5_000, 'the wire to close')
    assert.equal(ours.destroyed, true)
    assert.equal(gate.authorized, false)
  })
})
