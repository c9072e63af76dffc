/**
 * A file that changes under a torrent is noticed before its pieces are served again (issue 15: an
 * overwritten file went on being served, and shown as "seeding 100 %", with the wrong bytes).
 * webtorrent hashes what is on disk once, at start, and then trusts it for as long as it runs.
 *
 * Each complete file has a stamp (size and modification time in ns), taken before the start's
 * check for files already there and when a download finishes a file. Before a block is read to
 * serve a peer, the files of its piece are stat()ed again, one stat per file shared by every
 * request that arrived meanwhile (far fewer stats than blocks under load). A file whose stamp
 * moved is hashed again ("checking") while the requests for it wait; pieces that no longer
 * match stop counting as held and are refused (REJECT, BEP 6) when asked for, and are not
 * fetched either: the file is the user's now (an edit is not undone from the swarm). Put back as
 * it was, the file is hashed again at the next request and served again. Like libtorrent's
 * resume check, a change that keeps both size and modification time is not seen until the file
 * is verified again.
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { Torrent } from 'webtorrent'
import type Wire from 'bittorrent-protocol'
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
  _markVerified(index: number): void
  _verifyPiece(index: number, cb: (err: Error | null, verified?: boolean) => void): void
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
  /** Files being hashed again, and when that ends. */
  const checking = new Map<number, Promise<void>>()
  /** Pieces that stopped matching their file: refused (not left unanswered) when asked for. */
  const unserved = new Set<number>()
  ;(torrent.files as unknown as { once(e: 'done', f: () => void): void }[]).forEach((f, i) => {
    if (stamps[i] !== undefined) return
    f.once('done', () => {
      void stampers[i]!.now().then((s) => {
        if (t.files[i]?.done === true) stamps[i] = s
      })
    })
  })
  const filesOf = (piece: number) =>
    t.files.flatMap((f, i) => (stamps[i] !== undefined && f.includes(piece) ? [i] : []))

  // Looks at the files of `piece` now; hashes again those whose stamp moved. Resolves when no
  // file of the piece is being hashed any more.
  const freshen = async (piece: number): Promise<void> => {
    const files = filesOf(piece)
    const now = await Promise.all(files.map((i) => stampers[i]!.now()))
    files.forEach((i, k) => {
      if (now[k] !== stamps[i]) recheck(i, now[k]!)
    })
    await Promise.all(files.map((i) => checking.get(i)))
  }

  const store = t.store
  if (store === null) return { rechecking: false }
  const get = store.get.bind(store)
  store.get = (index, opts, cb) => {
    // webtorrent's own reads (hashing a piece) pass no offset; a peer's request always does.
    if (opts?.offset === undefined || filesOf(index).length === 0) return get(index, opts, cb)
    void freshen(index).then(() => {
      if (torrent.destroyed || t.pieces[index] !== null) cb(new Error('the piece no longer matches its file on disk'))
      else get(index, opts, cb)
    })
  }
  // webtorrent leaves a request for a piece it does not hold unanswered, and the peer drops the
  // connection after 30 s: refuse it instead (REJECT, BEP 6), and look at the file again, which
  // may have been put back as it was.
  const onWire = (wire: Wire) =>
    wire.on('request', (index: number, _offset: number, _length: number, respond: (e: Error) => void) => {
      if (!unserved.has(index)) return
      respond(new Error('the piece no longer matches its file on disk'))
      void freshen(index)
    })
  torrent.wires.forEach(onWire)
  torrent.on('wire', onWire)

  const recheck = (i: number, stamp: string) => {
    if (checking.has(i) || torrent.destroyed) return
    // The stamp from before the hashing: a change during it is seen at the next request.
    stamps[i] = stamp
    const f = t.files[i]!
    const pieces: number[] = []
    for (let p = f._startPiece; p <= f._endPiece; p++) pieces.push(p)
    t.store?.store?.cache?.clear?.() // a cached block would be hashed instead of the file
    const run = (async () => {
      const results = await Promise.all(
        pieces.map(
          (p) =>
            new Promise<boolean>((resolve) => t._verifyPiece(p, (err, ok) => resolve(err === null && ok === true))),
        ),
      )
      if (torrent.destroyed) return
      pieces.forEach((p, k) => {
        if (results[k] === true && t.pieces[p] !== null) {
          t._markVerified(p) // put back as it was
          unserved.delete(p)
          for (const w of torrent.wires) w.have(p)
        } else if (results[k] !== true && t.pieces[p] === null) {
          // Not fetched again: webtorrent re-selects an unverified piece unless it started
          // deselected. The file is the user's now; an edit is not undone from the swarm.
          const deselected = t._startAsDeselected
          t._startAsDeselected = true
          t._markUnverified(p)
          t._startAsDeselected = deselected
          unserved.add(p)
        }
      })
      t._checkDone()
      onChanged([stampers[i]!.file], results.filter((r) => r).length, pieces.length)
    })().finally(() => checking.delete(i))
    checking.set(i, run)
  }

  return {
    get rechecking() {
      return checking.size > 0
    },
  }
}
