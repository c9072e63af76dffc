/**
 * A torrent whose files are deleted while it runs (issue 15, "bad days"). webtorrent keeps its
 * files open, so a download whose folder was deleted went on writing into the unlinked files and
 * reached "seeding 100 %" with nothing on disk; a share whose file was deleted went on listing it.
 * Here every running torrent looks, every PRESENCE_CHECK_MS, whether the files it has written are
 * still where they belong (a stat each, at most PRESENCE_STATS_PER_CHECK per look, round robin, so
 * a torrent of many files costs the same per look), and when one is gone the torrent is failed
 * with ENOENT: the node says "files gone" and starts it again at Retry (service/runtime/torrent-failure.ts).
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Torrent } from 'webtorrent'

/** How often a running torrent looks for its files. */
export const PRESENCE_CHECK_MS = 5_000
/** Files stat()ed per torrent per look, at most. */
export const PRESENCE_STATS_PER_CHECK = 64

interface FileInternals {
  readonly path: string
  readonly _startPiece: number
  readonly _endPiece: number
}
interface TorrentInternals {
  readonly path: string
  readonly files: readonly FileInternals[]
  readonly bitfield: { get(index: number): boolean } | null
  readonly destroyed: boolean
  _destroy(err: Error): void
}

/**
 * Whether the torrent has written some of `f`: a verified piece in its range. Not webtorrent's
 * `file.downloaded`, which also counts blocks of a piece still in memory: a large first piece
 * arriving slowly (4 MiB pieces, eight members sharing one seeder) had the file "gone" before
 * anything was written to it.
 */
function written(t: TorrentInternals, f: FileInternals): boolean {
  if (t.bitfield === null) return false
  for (let i = f._startPiece; i <= f._endPiece; i++) if (t.bitfield.get(i)) return true
  return false
}

/** Only a path that is not there says "gone"; another failure of stat (EMFILE, EACCES) says nothing. */
const gone = (e: unknown) => {
  const code = (e as { code?: unknown }).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Watches `torrent` until it closes; returns the stop. */
export function watchPresence(torrent: Torrent, everyMs = PRESENCE_CHECK_MS): () => void {
  const t = torrent as unknown as TorrentInternals
  let cursor = 0
  let looking = false
  const look = async () => {
    if (looking || t.destroyed) return
    looking = true
    try {
      // Only files it wrote (or found) something of: one not begun yet need not exist.
      const files = t.files.filter((f) => written(t, f))
      for (let i = 0; i < Math.min(files.length, PRESENCE_STATS_PER_CHECK); i++) {
        const f = files[(cursor + i) % files.length]!
        const where = path.join(t.path, f.path)
        const there = await stat(where).then(
          (s) => s.isFile(),
          (e: unknown) => !gone(e),
        )
        if (t.destroyed) return
        if (!there) {
          const err = Object.assign(new Error(`${where} is no longer there`), { code: 'ENOENT' })
          t._destroy(err)
          return
        }
      }
      cursor = files.length === 0 ? 0 : (cursor + PRESENCE_STATS_PER_CHECK) % files.length
    } finally {
      looking = false
    }
  }
  const timer = setInterval(() => void look(), everyMs)
  timer.unref()
  const stop = () => clearInterval(timer)
  torrent.once('close', stop)
  return stop
}
