/**
 * The app backend: the IPC contract (shared/ipc/contract.ts) implemented over a profile and a
 * running node. Electron's main process and the browser-mode server both hold one and forward
 * requests to `dispatch` and events from `on`; neither has its own copy of any handler.
 */
import { CoterieNode, type NodeOptions } from '../runtime/node.js'
import { defaultDownloadDir } from '../operations/downloads.js'
import { listSubscriptions, startRenewals, type RenewalOutcome } from '../operations/subscribe.js'
import type { ProfileStore } from '../../profile/index.js'
import type { AppInfo } from '../../../../shared/ipc/views.js'
import type { EventChannel, EventOf } from '../../../../shared/ipc/contract.js'
import type { AppContext, Handlers, Logger, Platform } from './context.js'
import { dispatcher, type Dispatch } from './dispatch.js'
import { ShareNotices, TorrentEvents, PROGRESS_INTERVAL_MS, indexNotices, type Emit } from './events.js'
import { friendHandlers } from './friends.js'
import { groupHandlers } from './groups.js'
import { Presence, PresenceEvents } from './presence.js'
import { groupView } from './views.js'
import { identityHandlers } from './identity.js'
import { inviteHandlers } from './invites.js'
import { providerHandlers } from './providers.js'
import { settingsHandlers } from './settings.js'
import { TorrentViews, torrentHandlers, STALL_MS } from './torrents.js'

export interface BackendOptions extends Omit<NodeOptions, 'onProfile'> {
  readonly mode: AppInfo['mode']
  readonly version: string
  readonly secretStorage: AppInfo['secretStorage']
  readonly platform?: Platform
  readonly log?: Logger
  readonly defaultDownloadDir?: string
  readonly progressIntervalMs?: number
  readonly stallMs?: number
  /** Each renewal of a provider subscription, done or refused (default: refusals to the log). */
  readonly onRenewal?: (outcome: RenewalOutcome) => void
}

export type EventListener = <E extends EventChannel>(event: E, payload: EventOf<E>) => void

export class AppBackend {
  readonly dispatch: Dispatch
  readonly node: CoterieNode
  readonly #listeners = new Set<EventListener>()
  readonly #progress: TorrentEvents
  readonly #presence: PresenceEvents
  readonly #ctx: AppContext
  readonly #stopRenewals: () => Promise<void>
  #stopped: Promise<void> | undefined

  private constructor(
    ctx: AppContext,
    dispatch: Dispatch,
    progress: (emit: Emit) => TorrentEvents,
    presence: PresenceEvents,
    emit: Emit,
    stopRenewals: () => Promise<void>,
  ) {
    this.#ctx = ctx
    this.#stopRenewals = stopRenewals
    this.node = ctx.node
    this.dispatch = dispatch
    this.#progress = progress(emit)
    this.#presence = presence
  }

  get store(): ProfileStore {
    return this.#ctx.store
  }

  /** Where downloads (and browser-mode uploads) go now: the setting, or the platform default. */
  downloadDir(): string {
    return this.#ctx.store.current.settings.downloadDir ?? this.#ctx.defaultDownloadDir
  }

  static async start(store: ProfileStore, o: BackendOptions): Promise<AppBackend> {
    const log: Logger = o.log ?? ((message, detail) => console.error(`coterie: ${message}`, detail ?? ''))
    const self: { backend?: AppBackend } = {}
    // Events before the backend exists (the node's first reload) have no listener yet anyway.
    const emit: Emit = (event, payload) => self.backend?.emitEvent(event, payload)
    const acceptedHere = new Set<string>()
    const shares = new ShareNotices(emit, acceptedHere)
    // Subscriptions' provider addresses for the group views, read again at each profile change (a
    // subscription writes its file before it asks the node to reload; at most 64 small files).
    let providers = new Map<string, string>()
    const readProviders = () =>
      (providers = new Map(listSubscriptions(store.dir).subscriptions.map((s) => [s.swarm, s.url])))
    readProviders()
    const node = await CoterieNode.start(store, {
      ...o,
      port: o.port ?? store.current.settings.port,
      onProfile: (profile) => {
        readProviders()
        shares.update(profile)
        emit('profile.changed', { revision: profile.revision })
      },
      onIndexProblem: (group, problem) => {
        o.onIndexProblem?.(group, problem) // `coterie run --ui` prints it too
        for (const n of indexNotices(group, problem)) emit('notice', n)
      },
      onListed: (group, listed) => {
        for (const s of listed) {
          emit('notice', {
            kind: 'new-share',
            title: `New in ${group}`,
            body: `${s.name}: not downloaded (automatic downloads are off for this group)`,
            infoHash: s.infoHash,
          })
        }
      },
      onRetracted: (group, gone) => {
        for (const s of gone) {
          emit('notice', {
            kind: 'share-retracted',
            title: `Removed from ${group}`,
            body: `${s.name}: its owner took it out of the group. What you downloaded stays where it is.`,
          })
        }
      },
    })
    const ctx: AppContext = {
      store,
      node,
      info: { mode: o.mode, version: o.version, profileDir: store.dir, secretStorage: o.secretStorage },
      platform: o.platform ?? {},
      log,
      defaultDownloadDir: o.defaultDownloadDir ?? defaultDownloadDir(),
      changed: () => node.reload(),
      emit,
      live: {
        presence: new Presence(node),
        held: (swarm) => node.engine.index.get(Buffer.from(swarm, 'hex')),
        provider: (swarm) => providers.get(swarm),
      },
      acceptedHere,
    }
    const views = new TorrentViews(o.stallMs ?? STALL_MS)
    const handlers = {
      ...identityHandlers(ctx),
      ...friendHandlers(ctx),
      ...groupHandlers(ctx),
      ...inviteHandlers(ctx),
      ...providerHandlers(ctx),
      ...torrentHandlers(ctx, views),
      ...settingsHandlers(ctx),
    } satisfies Handlers
    const interval = o.progressIntervalMs ?? PROGRESS_INTERVAL_MS
    const presence = new PresenceEvents(
      ctx.live.presence,
      () => store.current,
      (p, g) => groupView(p, g, ctx.live),
      emit,
      interval,
    )
    const backend = new AppBackend(
      ctx,
      dispatcher(handlers, log),
      (e) =>
        new TorrentEvents(
          { build: () => views.build(store.current, node), gone: (now) => views.gone(now) },
          e,
          interval,
        ),
      presence,
      emit,
      // Provider subscriptions (providers.subscribe, coterie subscribe) renewed before they lapse.
      startRenewals(
        store,
        o.onRenewal ??
          ((r) => {
            if (!r.renewed) log(`could not renew the subscription ${r.swarm.slice(0, 8)}`, r.why)
          }),
      ),
    )
    self.backend = backend
    return backend
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Stops the node and the events; once (a test stops a backend midway, then cleans up). */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop()
    return this.#stopped
  }

  async #stop(): Promise<void> {
    await this.#stopRenewals()
    this.#progress.stop()
    this.#presence.stop()
    this.#listeners.clear()
    await this.node.stop()
  }

  /** Sends an event to every listener (the shell also pushes its own, e.g. 'invite.opened'). */
  emitEvent<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const l of this.#listeners) {
      try {
        l(event, payload)
      } catch {
        // one listener's failure (a closed socket) must not stop the others
      }
    }
  }
}
