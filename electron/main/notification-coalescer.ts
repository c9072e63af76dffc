/**
 * Which OS notifications the desktop app shows for the backend's notices, coalesced the way the
 * window's toasts are (issue 17): finished downloads make one notification per group that counts
 * them ("4 items finished in “Film club”", shared/ui/notice-text.ts), replaced in place instead of
 * piling up in the OS's notification centre, one per file. A burst (a folder of 50 files finishing
 * together) replaces the banner at most once per MIN_REPLACE_MS, so the OS does not flash 50 times.
 * Other notices (errors, new shares, retracted ones) pass one each, as in the window.
 *
 * Pure: notices and the time in, what to show out. The Electron call is notifications.ts.
 */
import type { Notice } from '../../shared/ipc/views.js'
import { finishedKey, finishedText } from '../../shared/ui/notice-text.js'

/** A finish within this long of the group's previous one joins its notification (then a new count starts). */
export const COALESCE_WINDOW_MS = 60_000
/** A group's notification is replaced at most this often; finishes in between wait for the next turn. */
export const MIN_REPLACE_MS = 2_000
/** Groups tracked at once: bounds the state whatever the notices; the oldest is forgotten first. */
export const MAX_TRACKED_GROUPS = 64

/** One notification to show. With a key, it replaces the one shown before under that key. */
export interface OsNote {
  readonly key?: string
  readonly title: string
  readonly body: string
}

interface Run {
  group: string | undefined
  count: number
  lastName: string
  fallback: string
  /** When the latest finish came (the window runs from it). */
  last: number
  /** When this run's notification was last shown or replaced. */
  shownAt: number
  /** Finishes not shown yet: the notification waits for MIN_REPLACE_MS since shownAt. */
  pending: boolean
}

export class NotificationCoalescer {
  readonly #runs = new Map<string, Run>()

  /**
   * A notice from the backend at `now` (ms), with the name of its torrent's group when known.
   * Returns what to show now (possibly nothing: a replacement waiting its turn, see due()).
   */
  add(n: Notice, group: { readonly id: string; readonly name: string } | undefined, now: number): OsNote[] {
    if (n.kind !== 'download-finished') return [{ title: n.title, body: n.body }]
    const key = finishedKey(group?.id)
    const run = this.#runs.get(key)
    if (run === undefined || now - run.last >= COALESCE_WINDOW_MS) {
      this.#runs.delete(key) // re-inserted last: the map's order is the age order
      this.#runs.set(key, {
        group: group?.name,
        count: 1,
        lastName: n.body,
        fallback: n.title,
        last: now,
        shownAt: now,
        pending: false,
      })
      this.#bound()
      return [this.#note(key, this.#runs.get(key)!)]
    }
    run.count++
    run.lastName = n.body
    run.last = now
    if (now - run.shownAt < MIN_REPLACE_MS) {
      run.pending = true
      return []
    }
    run.shownAt = now
    run.pending = false
    return [this.#note(key, run)]
  }

  /** The replacements whose turn has come by `now`. */
  due(now: number): OsNote[] {
    const out: OsNote[] = []
    for (const [key, run] of this.#runs) {
      if (!run.pending || now - run.shownAt < MIN_REPLACE_MS) continue
      run.pending = false
      run.shownAt = now
      out.push(this.#note(key, run))
    }
    return out
  }

  /** When due() next has something to show, if anything waits. */
  nextDue(): number | undefined {
    let next: number | undefined
    for (const run of this.#runs.values())
      if (run.pending) next = Math.min(next ?? Infinity, run.shownAt + MIN_REPLACE_MS)
    return next
  }

  #note(key: string, run: Run): OsNote {
    return { key, ...finishedText(run.count, run.group, run.lastName, run.fallback) }
  }

  #bound(): void {
    for (const key of this.#runs.keys()) {
      if (this.#runs.size <= MAX_TRACKED_GROUPS) return
      this.#runs.delete(key)
    }
  }
}
