/**
 * What every concern of the app backend works with: the profile, the running node, and the few
 * things only the shell around it can do (Electron: reveal in the file manager, start at login,
 * a save dialog).
 * Each concern module (identity.ts, friends.ts...) turns this into handlers for its channels.
 */
import type { z } from 'zod'
import type { AppInfo } from '../../../../shared/ipc/views.js'
import type { InvokeChannel, ResponseOf, invokeChannels } from '../../../../shared/ipc/contract.js'
import type { ProfileStore } from '../../profile/index.js'
import type { CoterieNode } from '../runtime/node.js'
import type { Emit } from './events.js'
import type { GroupLive } from './views.js'

/** A request after its schema parsed it (defaults applied, strings trimmed). */
export type RequestIn<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['req']>
export type Handler<C extends InvokeChannel> = (request: RequestIn<C>) => Promise<ResponseOf<C>>
export type Handlers = { readonly [C in InvokeChannel]: Handler<C> }

/** What the shell provides; absent in browser mode, where the channel answers 'unavailable'. */
export interface Platform {
  /** Shows a file or folder in the OS file manager. */
  reveal?(path: string): void
  setStartAtLogin?(on: boolean): void
  /**
   * Asks the person where to save a file (suggesting `fileName`) and writes `bytes` there; the
   * path it went to, or undefined when they cancelled.
   */
  saveFile?(fileName: string, bytes: Uint8Array): Promise<string | undefined>
}

export interface Logger {
  (message: string, detail?: unknown): void
}

export interface AppContext {
  /**
   * Reads answer from `store.current`, not from disk: this store's own updates refresh it at once,
   * and the node's watch reads other processes' changes within a second, before 'profile.changed'
   * goes out. A list request then costs no I/O (bench: UI lag).
   */
  readonly store: ProfileStore
  readonly node: CoterieNode
  readonly info: Omit<AppInfo, 'port'>
  readonly platform: Platform
  readonly log: Logger
  /** Where downloads go when the settings name no folder. */
  readonly defaultDownloadDir: string
  /** After a change to the profile: the engine follows now instead of at its next poll. */
  changed(): Promise<void>
  /** Pushes an event to every listener (the window, browser tabs). */
  readonly emit: Emit
  /** What group views take from the running node: members' connection state, the held indexes. */
  readonly live: GroupLive
  /** Infohashes this app just added by accepting an invite: no "new share" notice for those. */
  readonly acceptedHere: Set<string>
}
