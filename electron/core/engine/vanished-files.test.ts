/**
 * vanished-files.ts with two real WebTorrent clients on 127.0.0.1: a file that has not been
 * written yet is not "gone" while blocks of its first piece sit in memory (this failed member
 * downloads of large pieces under load), and a file deleted after it was written is.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import WebTorrent, { type Torrent } from 'webtorrent'
import { randomFile, tempDirs } from '../testing/swarm.js'
import { eventually, onceWithin } from '../testing/wait.js'
import { watchPresence } from './vanished-files.js'

const { temp, cleanup } = tempDirs()
after(cleanup)

const PIECE = 256 * 1024
/** Slow enough that the first piece takes seconds to complete, its blocks arriving meanwhile. */
const SLOW_BYTES_PER_S = 24 * 1024
const LOOK_MS = 100
const opts = { dht: false, tracker: false, lsd: false, natUpnp: false, natPmp: false, webSeeds: false, utp: false }

test('a file whose first piece is still arriving is not gone; one deleted after it was written is', async (t) => {
  const src = randomFile(temp('vanish-src'), 'big.bin', 4 * PIECE)
  const seeder = new WebTorrent(opts as never)
  const leecher = new WebTorrent(opts as never)
  t.after(() => Promise.all([seeder, leecher].map((c) => new Promise((r) => c.destroy(() => r(undefined))))))
  const seeded = await new Promise<Torrent>((resolve) =>
    seeder.seed(src.path, { pieceLength: PIECE, announce: [] } as never, resolve),
  )
  const dir = temp('vanish-dst')
  const where = join(dir, 'big.bin')
  leecher.throttleDownload(SLOW_BYTES_PER_S)
  assert.ok(seeded.torrentFile !== undefined)
  const torrent = leecher.add(seeded.torrentFile, { path: dir })
  await onceWithin(torrent, 'ready', 30_000, 'the leecher ready')
  const stop = watchPresence(torrent, LOOK_MS)
  t.after(stop)
  if (seeder.torrentPort === 0) await onceWithin(seeder, 'listening', 30_000, 'the seeder listening')
  torrent.addPeer(`127.0.0.1:${seeder.torrentPort}`)

  // Blocks of the first piece arrive; nothing is verified, so nothing is written yet.
  await eventually(() => torrent.files[0]!.downloaded > 0, 60_000, 'the first blocks')
  const inMemory = torrent.bitfield?.get(0) === false && !existsSync(where)
  await new Promise((r) => setTimeout(r, 5 * LOOK_MS)) // several looks while the piece is in memory
  if (inMemory) assert.equal(torrent.destroyed, false, 'a file not written yet is not "gone"')
  else t.diagnostic('the first piece completed before the looks: the in-memory case was not exercised this run')

  leecher.throttleDownload(-1)
  if (!torrent.done) await onceWithin(torrent, 'done', 60_000, 'the download done')
  const failed = onceWithin<[Error]>(torrent, 'error', 10_000, 'the torrent failed as gone')
  rmSync(where)
  const [err] = await failed
  assert.match(err.message, /no longer there/)
  assert.equal((err as Error & { code?: string }).code, 'ENOENT')
})
