/**
 * A file that changes under a torrent is noticed before its pieces are served again (issue 15: an
 * overwritten file went on being served, and shown as "seeding 100 %", with the wrong bytes).
 * webtorrent hashes what is on disk once, at start, and then trusts it for as long as it runs.
 *
 * Each complete file has a stamp (size and modification time in ns), taken before the start's
 * check for files already there and when a download finishes a file. Before a block is read to
 * serve a peer, the files of its piece are stat()ed again, one stat per file shared by every
 * request that arrived meanwhile (a few microseconds per block, and far fewer stats than blocks
 * under load). A file whose stamp moved: the request is refused (REJECT where the peer speaks
 * BEP 6), the file's pieces stop counting as held, and they are hashed again; those that still
 * match count again, the others are not served, and not fetched either: the file is the user's
 * now (an edit is not undone from the swarm). Like libtorrent's resume check, a change that keeps
 * both size and modification time is not seen until the file is verified again.
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Torrent } from 'webtorrent'
import type { TorrentLayout } from '../protocol/torrent-info.js'

type Callback = (err: Error | null, buf?: Uint8Array) => void
interface ChunkStore {
  get(index: number, opts: { offset?: number; length?: number } | null, cb: Callback): void
  store?: { cache?: { clear?(): void } }
}
interface TorrentInternals {
  store: ChunkStore | null
  pieces: unknown[]
  files: { _startPiece: number; _endPiece: number; done: boolean; includes(piece: number): boolean }[]
  _startAsDeselected: boolean
  _markUnverified(index: number): void
  _verifyPiecesUsingHash(pieces: number[], cb: (err: Error | null) => void): void
  _checkDone(): boolean
}

const statStamp = (file: string): Promise<string> =>
  stat(file, { bigint: true }).then(
    (s) => (s.isFile() ? `${s.size}:${s.mtimeNs}` : 'not a file'),
    () => 'absent',
  )

/** One stat at a time per file; a caller gets one that started after it asked. */
export class Stamper {
  #running: Promise<string> | undefined
  #next: Promise<string> | undefined
  constructor(readonly file: string) {}

  now(): Promise<string> {
    if (this.#running === undefined) {
      this.#running = statStamp(this.file).finally(() => (this.#running = undefined))
      return this.#running
    }
    this.#next ??= this.#running.then(() => {
      this.#next = undefined
      return this.now()
    })
    return this.#next
  }
}

export interface ChangeWatch {
  /** Files being hashed again now ("checking"). */
  readonly rechecking: boolean
}

/**
 * Takes the stamps of the files already on disk, before webtorrent checks them: call before
 * client.add. `install` then guards the torrent's reads for peers; call it when it is ready.
 */
export async function stampFiles(
  downloadDir: string,
  layout: TorrentLayout,
): Promise<{ stampers: Stamper[]; before: (string | undefined)[] }> {
  const stampers = layout.files.map((f) => new Stamper(path.join(downloadDir, ...f.path)))
  const before = await Promise.all(stampers.map((s) => s.now()))
  return { stampers, before }
}

export function watchChanges(
  torrent: Torrent,
  stamped: { stampers: Stamper[]; before: (string | undefined)[] },
  onChanged: (files: readonly string[], stillHeld: number, of: number) => void,
): ChangeWatch {
  const t = torrent as unknown as TorrentInternals
  const { stampers } = stamped
  // A stamp only for files held in full after the start's check: the others are being written.
  const stamps = stamped.before.map((s, i) => (t.files[i]?.done === true ? s : undefined))
  let rechecking = 0
  const refreshOnDone = (i: number) => {
    void stampers[i]!.now().then((s) => {
      if (t.files[i]?.done === true) stamps[i] = s
    })
  }
  ;(torrent.files as unknown as { once(e: 'done', f: () => void): void }[]).forEach((f, i) => {
    if (stamps[i] === undefined) f.once('done', () => refreshOnDone(i))
  })

  const store = t.store
  if (store === null) return { rechecking: false }
  const get = store.get.bind(store)
  store.get = (index, opts, cb) => {
    // webtorrent's own reads (hashing a piece) pass no offset; a peer's request always does.
    if (opts?.offset === undefined) return get(index, opts, cb)
    const files = t.files.flatMap((f, i) => (stamps[i] !== undefined && f.includes(index) ? [i] : []))
    if (files.length === 0) return get(index, opts, cb)
    void Promise.all(files.map((i) => stampers[i]!.now())).then((now) => {
      const changed = files.filter((i, k) => now[k] !== stamps[i])
      if (changed.length === 0) return get(index, opts, cb)
      cb(new Error('the file changed on disk: its pieces are being checked again'))
      for (const [k, i] of files.entries()) if (now[k] !== stamps[i]) recheck(i, now[k]!)
    })
  }

  const recheck = (i: number, stamp: string) => {
    if (stamps[i] === undefined || torrent.destroyed) return // already being checked
    stamps[i] = undefined
    const f = t.files[i]!
    const pieces: number[] = []
    for (let p = f._startPiece; p <= f._endPiece; p++) pieces.push(p)
    // Not fetched again: webtorrent re-selects an unverified piece unless it started deselected.
    const deselected = t._startAsDeselected
    t._startAsDeselected = true
    for (const p of pieces) t._markUnverified(p)
    t._startAsDeselected = deselected
    t._checkDone()
    t.store?.store?.cache?.clear?.() // a cached block would be hashed instead of the file
    rechecking++
    t._verifyPiecesUsingHash(pieces, (err) => {
      rechecking--
      if (err !== null || torrent.destroyed) return
      t._checkDone()
      const held = pieces.filter((p) => torrent.bitfield?.get(p) === true).length
      // The stamp from before the hashing: a change during it is seen at the next request.
      if (f.done) stamps[i] = stamp
      onChanged([stampers[i]!.file], held, pieces.length)
    })
  }

  return {
    get rechecking() {
      return rechecking > 0
    },
  }
}
