/**
 * The desktop app's OS notifications: the edge of notification-coalescer.ts. Shows what the
 * coalescer says, closing the notification a coalesced one replaces (Electron has no update in
 * place), and runs the timer for replacements that wait their turn. A click shows the window.
 */
import { Notification } from 'electron'
import type { Notice } from '../../shared/ipc/views.js'
import { NotificationCoalescer, type OsNote } from './notification-coalescer.js'

/** Where a notice's torrent belongs: the group's id and name, when the profile knows it. */
export type GroupOf = (infoHash: string) => { id: string; name: string } | undefined

export class OsNotifications {
  readonly #coalescer = new NotificationCoalescer()
  readonly #shown = new Map<string, Notification>()
  readonly #onClick: () => void
  readonly #groupOf: GroupOf
  #timer: NodeJS.Timeout | undefined

  constructor(groupOf: GroupOf, onClick: () => void) {
    this.#groupOf = groupOf
    this.#onClick = onClick
  }

  notice(n: Notice): void {
    if (!Notification.isSupported()) return
    const group = n.infoHash === undefined ? undefined : this.#groupOf(n.infoHash)
    this.#show(this.#coalescer.add(n, group, Date.now()))
  }

  #show(notes: OsNote[]): void {
    for (const note of notes) {
      const shown = new Notification({ title: note.title, body: note.body, silent: false })
      shown.on('click', this.#onClick)
      if (note.key !== undefined) {
        this.#shown.get(note.key)?.close()
        this.#shown.set(note.key, shown)
        shown.on('close', () => {
          if (this.#shown.get(note.key!) === shown) this.#shown.delete(note.key!)
        })
      }
      shown.show()
    }
    this.#arm()
  }

  #arm(): void {
    const next = this.#coalescer.nextDue()
    if (next === undefined || this.#timer !== undefined) return
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined
        this.#show(this.#coalescer.due(Date.now()))
      },
      Math.max(0, next - Date.now()),
    )
  }
}
