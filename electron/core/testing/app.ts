/** Backends on real profiles and real engines on 127.0.0.1, for the app and ui-server tests. Tests only. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ProfileStore } from '../profile/index.js'
import type {
  EventChannel,
  EventOf,
  InvokeChannel,
  IpcResult,
  RequestOf,
  ResponseOf,
} from '../../../shared/ipc/contract.js'
import { AppBackend, type BackendOptions } from '../service/contract/backend.js'

export interface TestApp {
  readonly backend: AppBackend
  readonly store: ProfileStore
  readonly root: string
  readonly downloads: string
  readonly events: { event: EventChannel; payload: unknown }[]
  /** Invokes and returns the value; fails the test with the error when the result is not ok. */
  call<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>
  invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<IpcResult<C>>
  /** Resolves with the first event (already received or future) matching, or fails after `ms`. */
  waitFor<E extends EventChannel>(event: E, match: (p: EventOf<E>) => boolean, ms?: number): Promise<EventOf<E>>
  readonly logged: string[]
}

export async function startTestApp(
  t: { after: (fn: () => Promise<void>) => void },
  label: string,
  o: Partial<BackendOptions> = {},
): Promise<TestApp> {
  const root = await mkdtemp(path.join(tmpdir(), `coterie-app-${label}-`))
  const store = await ProfileStore.open(path.join(root, 'profile'), { create: true, displayName: label })
  const logged: string[] = []
  const downloads = path.join(root, 'downloads')
  const backend = await AppBackend.start(store, {
    mode: 'browser',
    version: '0.0.0-test',
    secretStorage: 'file',
    dht: false,
    defaultDownloadDir: downloads,
    log: (m, d) => void logged.push(`${m} ${d instanceof Error ? d.message : String(d ?? '')}`),
    ...o,
  })
  t.after(async () => {
    await backend.stop()
    // Retried: a file the stopped node's last write made may land while the folder is emptied.
    await rm(root, { recursive: true, force: true, maxRetries: 5 })
  })
  const events: TestApp['events'] = []
  const waiters = new Set<() => void>()
  backend.on((event, payload) => {
    events.push({ event, payload })
    for (const w of waiters) w()
  })
  const invoke = <C extends InvokeChannel>(channel: C, request: unknown) =>
    backend.dispatch(channel, request) as Promise<IpcResult<C>>
  return {
    backend,
    store,
    root,
    downloads,
    events,
    logged,
    invoke,
    async call(channel, request) {
      const r = await invoke(channel, request)
      if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`)
      return r.value
    },
    waitFor(event, match, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find((e) => e.event === event && match(e.payload as EventOf<typeof event>))
          if (hit === undefined) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(hit.payload as EventOf<typeof event>)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`timed out after ${ms} ms waiting for ${event}`))
        }, ms)
        waiters.add(check)
        check()
      })
    },
  }
}
