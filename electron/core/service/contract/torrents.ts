/**
 * torrents.*: every torrent of the profile as the UI shows it, with honest states: "checking"
 * (verifying what is on disk, or not started yet) is not "downloading", and a download with no
 * one to fetch from for a while is "stalled", not a slow "downloading".
 */
import { join } from 'node:path'
import type { TorrentSummary } from '../../engine/engine.js'
import type { Profile, ProfileStore } from '../../profile/index.js'
import type { CoterieNode } from '../runtime/node.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import type { TorrentView } from '../../../../shared/ipc/views.js'
import type { AppContext, Handlers } from './context.js'
import { fingerprintOf } from './views.js'

type Channels =
  'torrents.list' | 'torrents.pause' | 'torrents.resume' | 'torrents.retry' | 'torrents.remove' | 'torrents.reveal'

/** How long a download may have no authorized peer and no incoming bytes before it is "stalled". */
export const STALL_MS = 30_000

/** Builds the views; remembers when each download last had someone to fetch from. */
export class TorrentViews {
  readonly #active = new Map<string, number>()
  readonly #stallMs: number
  // Every torrent a build has shown (torrents.list or an event) and no build has reported gone:
  // a torrent listed and removed between two event ticks must still be reported removed.
  readonly #shown = new Set<string>()

  constructor(stallMs = STALL_MS) {
    this.#stallMs = stallMs
  }

  build(profile: Profile, node: CoterieNode, now = Date.now()): TorrentView[] {
    const live = new Map<string, TorrentSummary>(node.engine.summary().map((s) => [s.infoHash, s]))
    const errors = node.errors()
    for (const ih of this.#active.keys()) if (!profile.torrents.some((t) => t.infoHash === ih)) this.#active.delete(ih)
    return profile.torrents.map((t) => {
      this.#shown.add(t.infoHash)
      const s = live.get(t.infoHash)
      const error = errors.get(t.infoHash)
      let state: TorrentView['state'] =
        error !== undefined ? 'error' : t.paused ? 'paused' : s === undefined ? 'checking' : s.state
      if (state === 'downloading' && s !== undefined) {
        const active = s.downloadSpeed > 0 || s.peers.some((p) => p.state === 'authorized')
        if (active || !this.#active.has(t.infoHash)) this.#active.set(t.infoHash, now)
        if (now - this.#active.get(t.infoHash)! >= this.#stallMs) state = 'stalled'
      } else {
        this.#active.delete(t.infoHash) // the clock starts again when downloading resumes
      }
      const length = s?.length ?? 0
      const progress = s?.progress ?? 0
      const downloadSpeed = s?.downloadSpeed ?? 0
      return {
        infoHash: t.infoHash,
        name: s?.name ?? t.name,
        groupId: t.groupId,
        state,
        ...(error !== undefined && { error }),
        progress: Math.min(1, Math.max(0, progress)),
        length,
        downloaded: s?.downloaded ?? 0,
        uploaded: s?.uploaded ?? 0,
        downloadSpeed,
        uploadSpeed: s?.uploadSpeed ?? 0,
        eta: state === 'downloading' && downloadSpeed > 0 ? Math.ceil((length * (1 - progress)) / downloadSpeed) : null,
        downloadDir: t.downloadDir,
        peers: (s?.peers ?? []).map((p) => ({
          address: p.address,
          transport: p.transport,
          path: p.path,
          client: p.client,
          state: p.state,
          ...(p.reason !== undefined && { reason: p.reason }),
          ...(p.member !== undefined && { member: fingerprintOf(p.member) }),
          ...(p.state === 'authorized' &&
            s !== undefined &&
            s.pieces > 0 && { holds: Math.min(1, p.pieces / s.pieces) }),
          uploaded: p.uploaded,
          downloaded: p.downloaded,
          uploadSpeed: p.uploadSpeed,
          downloadSpeed: p.downloadSpeed,
        })),
      }
    })
  }

  /** "Retry now": the download is given another STALL_MS before it is called stalled again. */
  retried(infoHash: string, now = Date.now()): void {
    if (this.#active.has(infoHash)) this.#active.set(infoHash, now)
  }

  /** The torrents some build showed that `now` (the latest build's) no longer holds; each told once. */
  gone(now: ReadonlySet<string>): string[] {
    const gone = [...this.#shown].filter((ih) => !now.has(ih))
    for (const ih of gone) this.#shown.delete(ih)
    return gone
  }
}

function entry(store: ProfileStore, infoHash: string) {
  const t = store.current.torrents.find((x) => x.infoHash === infoHash)
  if (t === undefined) throw new ServiceError('unknown-torrent', infoHash)
  return t
}

export function torrentHandlers(ctx: AppContext, views: TorrentViews): Pick<Handlers, Channels> {
  const { store } = ctx
  const setPaused = async (infoHash: string, paused: boolean) => {
    await store.update((d) => {
      const t = d.torrents.find((x) => x.infoHash === infoHash)
      if (t === undefined) throw new ServiceError('unknown-torrent', infoHash)
      t.paused = paused
    })
    await ctx.changed()
    return {}
  }
  return {
    'torrents.list': async () => views.build(store.current, ctx.node),
    'torrents.pause': async ({ infoHash }) => setPaused(infoHash, true),
    'torrents.resume': async ({ infoHash }) => setPaused(infoHash, false),
    'torrents.retry': async ({ infoHash }) => {
      entry(store, infoHash)
      const { dialled } = ctx.node.retry(infoHash)
      views.retried(infoHash)
      return { dialled }
    },
    'torrents.remove': async ({ infoHash }) => {
      await store.update((d) => {
        if (!d.torrents.some((t) => t.infoHash === infoHash)) throw new ServiceError('unknown-torrent', infoHash)
        d.torrents = d.torrents.filter((t) => t.infoHash !== infoHash)
      })
      await ctx.changed()
      return {}
    },
    'torrents.reveal': async ({ infoHash }) => {
      const t = entry(store, infoHash)
      const path = join(t.downloadDir, t.name)
      ctx.platform.reveal?.(path)
      return { path }
    },
  }
}
