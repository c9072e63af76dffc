/**
 * The bound on pieces being downloaded (engine/pieces-in-flight.ts), on real downloads of real files
 * over loopback: at every block that arrives, the pieces webtorrent's own Piece objects show as
 * started and not yet written never add up past the bound, and the file arrives whole. The same
 * download without the bound goes past it (the control that shows the check can fail); and an
 * engine downloading two files at once counts its pieces in flight within its one bound, having reached it.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Torrent } from 'webtorrent'
import type Wire from 'bittorrent-protocol'
import { boundPiecesInFlight, PieceBudget } from './pieces-in-flight.js'
import { Engine, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, tempDirs } from '../testing/swarm.js'
import { onceWithin } from '../testing/wait.js'

const MiB = 1024 * 1024
/** create-torrent aims at about 1024 pieces: 24 MiB gets 32 KiB pieces, two blocks each... */
const FILE_BYTES = 24 * MiB
/** ...and a loopback pipeline (a second of its speed) asks for far more than 8 of them at once. */
const BOUND_PIECES = 8
const WAIT_MS = 120_000
const { temp, cleanup } = tempDirs()
after(cleanup)

/** torrent-piece's fields that say a piece is started and not yet written (its own state, not ours). */
interface PieceState {
  length: number
  _reservations: number
  _buffered: number
  _flushed: boolean
}

/** Bytes of pieces webtorrent has started (a block reserved or held, or joined for its hash and write). */
function startedBytes(t: Torrent): number {
  const pieces = (t as unknown as { pieces?: (PieceState | null)[] }).pieces ?? []
  let n = 0
  for (const p of pieces) if (p !== null && (p._reservations > 0 || p._buffered > 0 || p._flushed)) n += p.length
  return n
}

/** Downloads a fresh file from a plain seeder, the leecher's torrent bounded or not; the most started bytes seen. */
async function download(bounded: boolean): Promise<{ peak: number; limit: number; accounted: number }> {
  const file = randomFile(temp('src'), 'data.bin', FILE_BYTES)
  const seeder = plainClient()
  const leecher = plainClient()
  try {
    const seeded = await new Promise<Torrent>((resolve) => seeder.seed(file.path, {}, resolve))
    const limit = BOUND_PIECES * seeded.pieceLength
    const dest = temp('dest')
    const t = leecher.add(seeded.torrentFile!, { path: dest })
    const budget = new PieceBudget(limit)
    if (bounded) boundPiecesInFlight(t, budget)
    let peak = 0
    // Sampled at every block that arrives and every piece written: the moments the count can grow.
    const sample = () => (peak = Math.max(peak, startedBytes(t)))
    t.on('wire', (w: Wire) => w.on('piece', sample))
    t.on('verified', sample)
    await onceWithin(t, 'ready', WAIT_MS, 'the leecher has the metadata')
    const done = t.done ? Promise.resolve() : onceWithin(t, 'done', WAIT_MS, 'the download is done')
    t.addPeer(`${LOOPBACK}:${seeder.address()!.port}`)
    await done
    assert.ok(readFileSync(join(dest, 'data.bin')).equals(file.data), 'the file arrived byte for byte')
    return { peak, limit, accounted: budget.peakBytes }
  } finally {
    await Promise.all([destroyClient(seeder), destroyClient(leecher)])
  }
}

describe('pieces in flight', () => {
  it('a download never holds more started pieces than the bound, and completes', async () => {
    const { peak, limit, accounted } = await download(true)
    assert.ok(peak > 0, 'pieces were seen in flight')
    assert.ok(peak <= limit, `at most ${limit} bytes of pieces in flight (saw ${peak})`)
    assert.ok(accounted <= limit, `the bound's own count stays within it (${accounted})`)
    assert.ok(accounted >= peak, `the bound's own count (${accounted}) covers what webtorrent held (${peak})`)
  })

  it('without the bound, the same download holds more (the check above can fail)', async () => {
    const { peak, limit } = await download(false)
    assert.ok(peak > limit, `unbounded, more than ${limit} bytes of pieces in flight (saw ${peak})`)
  })

  it('two engines: a member downloading two files at once stays within the one bound it was given', async () => {
    const swarm = keyPair('in-flight swarm')
    const now = Math.floor(Date.now() / 1000)
    const member = (who: string): SwarmMembership => {
      const p = keyPair(`in-flight ${who}`)
      const certificate = issueCertificate(swarm, { member: p.publicKey, iat: now - 60, exp: now + DAY })
      return { swarm: swarm.publicKey, credential: { certificate, secretKey: p.secretKey } }
    }
    const files = ['film.bin', 'album.bin'].map((name) => randomFile(temp('engine-src'), name, FILE_BYTES))
    const owner = await Engine.start()
    const pieceBytes = 32 * 1024 // create-torrent's piece for FILE_BYTES
    const limit = BOUND_PIECES * pieceBytes
    const alice = await Engine.start({ piecesInFlight: limit })
    try {
      const dest = temp('engine-dest')
      const seeded = await Promise.all(files.map((f) => owner.seed(f.path, member('owner'))))
      for (const t of seeded) await alice.add(t.info, dest, member('alice'), { peers: [`${LOOPBACK}:${owner.port}`] })
      await Promise.all(seeded.map((t) => alice.whenDone(t.infoHash)))
      for (const f of files) {
        assert.ok(readFileSync(join(dest, basename(f.path))).equals(f.data), `${basename(f.path)} arrived whole`)
      }
      const { peakBytes, bytes } = alice.piecesInFlightBytes()
      // Each torrent may always start one piece: the second may hold one more than the bound.
      assert.ok(peakBytes <= limit + pieceBytes, `at most ${limit} + one piece in flight (counted ${peakBytes})`)
      assert.ok(peakBytes > limit - pieceBytes, `the bound was reached, so it was what held (${peakBytes})`)
      assert.equal(bytes, 0, 'nothing is in flight once both are done')
    } finally {
      await Promise.all([owner.close(), alice.close()])
    }
  })
})
