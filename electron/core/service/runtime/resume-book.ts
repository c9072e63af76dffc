/**
 * The node's use of resume records (profile/resume.ts): which pieces to trust when it adds a torrent of
 * the profile, and when to write what it holds: as a download completes, and for every torrent
 * when the node stops cleanly. Writing never blocks a start or a stop for long: a record that
 * could not be written only means the next start verifies.
 */
import { equalBytes } from '../../protocol/bytes.js'
import type { Engine } from '../../engine/engine.js'
import type { ProfileLayout } from '../../profile/index.js'
import { layoutOfInfo, type TorrentLayout } from '../../protocol/torrent-info.js'
import { fullBitfield, loadResume, saveResume } from '../../profile/resume.js'

/** How long a stop may spend flushing files and writing records before it leaves the rest. */
export const RESUME_SAVE_MS = 10_000

interface Entry {
  readonly downloadDir: string
  readonly layout: TorrentLayout
  /** The record on disk vouches for all of it and nothing was written since: no need to rewrite. */
  current: boolean
}

export class ResumeBook {
  readonly #profile: ProfileLayout
  readonly #engine: Engine
  readonly #onError: (e: unknown) => void
  readonly #entries = new Map<string, Entry>()

  constructor(profile: ProfileLayout, engine: Engine, onError: (e: unknown) => void) {
    this.#profile = profile
    this.#engine = engine
    this.#onError = onError
  }

  /** The pieces to pass to engine.add for this torrent (none: verify them all). */
  async bitfieldFor(infoHash: string, downloadDir: string, info: Uint8Array): Promise<Uint8Array | undefined> {
    const layout = layoutOfInfo(info)
    if (layout === undefined) return undefined
    const bitfield = await loadResume(this.#profile, infoHash, downloadDir, layout).catch(() => undefined)
    this.#entries.set(infoHash, {
      downloadDir,
      layout,
      current: bitfield !== undefined && equalBytes(bitfield, fullBitfield(layout.pieces)),
    })
    return bitfield
  }

  /** After engine.add: records the torrent once it has every piece (at once if it had them). */
  watch(infoHash: string): void {
    const entry = this.#entries.get(infoHash)
    if (entry === undefined) return
    // A record said all, but webtorrent's check of a file failed: it holds less, to record at stop.
    if (entry.current && this.#engine.torrentSummary(infoHash).progress < 1) entry.current = false
    void this.#engine
      .whenDone(infoHash)
      .then(async () => {
        if (entry.current || this.#entries.get(infoHash) !== entry) return
        const saved = await saveResume(
          this.#profile,
          infoHash,
          entry.downloadDir,
          entry.layout,
          fullBitfield(entry.layout.pieces),
          { flush: true },
        )
        if (saved) entry.current = true
      })
      .catch(this.#onError)
  }

  forget(infoHash: string): void {
    this.#entries.delete(infoHash)
  }

  /**
   * Before engine.close: what each torrent holds now. Call the result after the engine closed (no
   * write is in flight then) to record it, within `budgetMs`.
   */
  capture(budgetMs = RESUME_SAVE_MS): () => Promise<void> {
    const held: [string, Entry, Uint8Array][] = []
    for (const [infoHash, entry] of this.#entries) {
      if (entry.current) continue
      const bitfield = this.#engine.has(infoHash) ? this.#engine.bitfield(infoHash) : undefined
      if (bitfield !== undefined && bitfield.some((b) => b !== 0)) held.push([infoHash, entry, bitfield])
    }
    return async () => {
      const deadline = Date.now() + budgetMs
      for (const [infoHash, entry, bitfield] of held) {
        if (Date.now() > deadline) return
        await saveResume(this.#profile, infoHash, entry.downloadDir, entry.layout, bitfield, { flush: true }).catch(
          this.#onError,
        )
      }
    }
  }
}
