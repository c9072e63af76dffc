/**
 * What the backend pushes: 'torrents.changed' coalesced (one message per interval at most, with
 * only the torrents whose view changed and those removed), and notices for finished downloads,
 * new shares in a group, torrents that fail, and group indexes followed only in part or not at all.
 * No event when nothing changed.
 */
import type { Profile } from '../../profile/index.js'
import type { Notice, TorrentView } from '../../../../shared/ipc/views.js'
import type { IndexProblem } from '../runtime/node.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import type { EventChannel, EventOf } from '../../../../shared/ipc/contract.js'

/** Pushes an event to every listener (the window, browser tabs). */
export type Emit = <E extends EventChannel>(event: E, payload: EventOf<E>) => void

/** 250 ms: at most four progress messages a second, enough for a progress bar to move smoothly. */
export const PROGRESS_INTERVAL_MS = 250

/** Where the views come from: the same source torrents.list answers from. */
export interface ViewSource {
  build(): TorrentView[]
  /** Those some build showed (here or in torrents.list) that `now` no longer holds, each once. */
  gone(now: ReadonlySet<string>): string[]
}

export class TorrentEvents {
  readonly #sent = new Map<string, { json: string; view: TorrentView }>()
  readonly #source: ViewSource
  readonly #emit: Emit
  readonly #timer: NodeJS.Timeout
  #primed = false

  constructor(source: ViewSource, emit: Emit, intervalMs = PROGRESS_INTERVAL_MS) {
    this.#source = source
    this.#emit = emit
    this.#timer = setInterval(() => this.tick(), intervalMs)
    this.#timer.unref()
  }

  /** Compares every view with the one last sent; sends the differences, if any. */
  tick(): void {
    const views = this.#source.build()
    const changed: TorrentView[] = []
    const seen = new Set<string>()
    for (const view of views) {
      seen.add(view.infoHash)
      const json = JSON.stringify(view)
      const before = this.#sent.get(view.infoHash)
      if (before?.json === json) continue
      changed.push(view)
      if (this.#primed || before !== undefined) this.#notice(before?.view, view)
      this.#sent.set(view.infoHash, { json, view })
    }
    // Not only those sent: a window may have listed a torrent that came and went between ticks.
    const removed = this.#source.gone(seen)
    for (const ih of this.#sent.keys()) if (!seen.has(ih)) this.#sent.delete(ih)
    this.#primed = true
    if (changed.length > 0 || removed.length > 0) this.#emit('torrents.changed', { changed, removed })
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  // Only transitions seen while running: a restart does not announce every finished torrent again.
  #notice(before: TorrentView | undefined, now: TorrentView): void {
    const wasFetching =
      before !== undefined &&
      (before.state === 'downloading' || before.state === 'stalled' || before.state === 'metadata')
    if (wasFetching && now.state === 'seeding') {
      this.#emit('notice', {
        kind: 'download-finished',
        title: 'Download finished',
        body: now.name,
        infoHash: now.infoHash,
      })
    }
    if (now.state === 'error' && before?.state !== 'error') {
      this.#emit('notice', {
        kind: 'error',
        title: `${now.name} stopped`,
        body: now.error ?? 'It could not be started.',
        infoHash: now.infoHash,
      })
    }
  }
}

/** The notices for an index a member's node followed without some shares, or could not follow. */
export function indexNotices(group: string, problem: IndexProblem): Notice[] {
  if (problem.kind === 'failed')
    return [
      {
        kind: 'error',
        title: `${group}: the group's latest changes were not taken`,
        body: `${problem.message} Coterie tries again when the profile changes or the app restarts.`,
      },
    ]
  return problem.shares.map((s) => ({
    kind: 'error',
    title: `Not downloaded in ${group}`,
    body: `${s.name}: ${NAME_REASONS[s.code]}`,
    infoHash: s.infoHash,
  }))
}

/**
 * Notices for torrents that appear in a group someone else owns (a renewed invite brought new
 * files), except those this app added itself a moment ago by accepting an invite.
 */
export class ShareNotices {
  #known: Set<string> | undefined
  readonly #emit: Emit
  readonly #acceptedHere: Set<string>

  constructor(emit: Emit, acceptedHere: Set<string>) {
    this.#emit = emit
    this.#acceptedHere = acceptedHere
  }

  update(profile: Profile): void {
    const now = new Set(profile.torrents.map((t) => t.infoHash))
    const known = this.#known
    this.#known = now
    if (known === undefined) return // the first look is the baseline
    for (const t of profile.torrents) {
      if (known.has(t.infoHash)) continue
      if (this.#acceptedHere.delete(t.infoHash)) continue
      const group = profile.groups.find((g) => g.id === t.groupId)
      if (group === undefined || group.owner) continue
      this.#emit('notice', { kind: 'new-share', title: `New in ${group.name}`, body: t.name, infoHash: t.infoHash })
    }
  }
}
