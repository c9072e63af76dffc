/**
 * Browser mode's client: the same CoterieApi as Electron's preload, over one WebSocket to the
 * `coterie run --ui` server (README "Browser mode"), plus file uploads over HTTP.
 *
 * - Every request is bounded: a per-request timeout, and at most `maxPending` waiting at once.
 * - A request written to a socket that then closes fails (it may or may not have run: requests
 *   are not idempotent, so we never replay them). A request made while disconnected waits in the
 *   queue, within its timeout, and is sent once the socket is back.
 * - The socket reconnects with exponential backoff and jitter; the app refetches on reconnect.
 */
import type {
  CoterieApi,
  EventChannel,
  EventOf,
  InvokeChannel,
  IpcErrorCode,
  IpcResult,
  RequestOf,
} from '../../shared/ipc/contract.js'
import type { Problem, Result } from '../../shared/result.js'
import { parseServerFrame, type InvokeFrame } from './frames.js'

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

/** The part of the DOM WebSocket we use, so a test can drive this client with the `ws` package. */
export interface SocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type SocketFactory = (url: string) => SocketLike

export interface BrowserClientOptions {
  /** The page's origin, e.g. http://127.0.0.1:PORT */
  origin: string
  token: string
  socket?: SocketFactory
  /** Per request; long-running requests (hashing a share, joining) get `longTimeoutMs`. */
  timeoutMs?: number
  longTimeoutMs?: number
  maxPending?: number
  /** The first reconnection delay; doubles up to `maxBackoffMs`. */
  backoffMs?: number
  maxBackoffMs?: number
  onState?: (state: ConnectionState) => void
}

/** The server's frame limit (2 MiB); larger requests fail here instead of closing the socket. */
export const MAX_FRAME = 2 * 1024 * 1024
const OPEN = 1
/**
 * Requests that hash or fetch real data: bounded, but by minutes, not seconds. Joining a share
 * (accept, Download, auto-join on) checks what of it is already on disk before it answers; a
 * subscription is a few requests to the provider (each up to 15 s), then a join.
 */
const LONG: ReadonlySet<InvokeChannel> = new Set([
  'groups.share',
  'invites.accept',
  'providers.subscribe',
  'groups.download',
  'groups.setAutoJoin',
  'identity.restore',
  'identity.backup',
])
/** An upload whose bytes stop moving for this long is abandoned. */
const UPLOAD_STALL_MS = 60_000

type Pending = {
  frame: string
  sent: boolean
  timer: ReturnType<typeof setTimeout>
  settle: (r: IpcResult<InvokeChannel>) => void
}
type AnyListener = (payload: unknown) => void

const fail = <C extends InvokeChannel>(code: IpcErrorCode, message: string): IpcResult<C> => ({
  ok: false,
  error: { code, message },
})

/** Where the server stored an upload, and whether the name was taken there so it got "(2)". */
export interface Uploaded {
  path: string
  renamed: boolean
}

export class BrowserClient implements CoterieApi {
  readonly #o: Required<Omit<BrowserClientOptions, 'onState'>> & Pick<BrowserClientOptions, 'onState'>
  readonly #pending = new Map<number, Pending>()
  readonly #listeners = new Map<string, Set<AnyListener>>()
  #ws: SocketLike | null = null
  #nextId = 1
  #attempt = 0
  #retry: ReturnType<typeof setTimeout> | null = null
  #closed = false

  constructor(options: BrowserClientOptions) {
    this.#o = {
      socket: (url) => new WebSocket(url) as unknown as SocketLike,
      timeoutMs: 30_000,
      longTimeoutMs: 15 * 60_000,
      maxPending: 256,
      backoffMs: 250,
      maxBackoffMs: 5_000,
      ...options,
    }
    this.#connect()
  }

  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<C>> {
    if (this.#closed) return Promise.resolve(fail<C>('unavailable', 'The connection to Coterie is closed.'))
    if (this.#pending.size >= this.#o.maxPending) {
      return Promise.resolve(
        fail<C>('unavailable', 'Too many requests are waiting for Coterie; try again in a moment.'),
      )
    }
    const id = this.#nextId++
    const frame = JSON.stringify({ t: 'invoke', id, channel, request } satisfies InvokeFrame)
    if (frame.length > MAX_FRAME)
      return Promise.resolve(fail<C>('bad-request', 'This is too large to send to Coterie.'))
    const ms = LONG.has(channel) ? this.#o.longTimeoutMs : this.#o.timeoutMs
    return new Promise<IpcResult<C>>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        resolve(fail<C>('unavailable', `Coterie did not answer within ${Math.round(ms / 1000)} s.`))
      }, ms)
      const p: Pending = { frame, sent: false, timer, settle: resolve as Pending['settle'] }
      this.#pending.set(id, p)
      this.#send(p)
    })
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    const l = listener as AnyListener
    set.add(l)
    return () => void set.delete(l)
  }

  upload(file: File, onProgress?: (sent: number) => void): Promise<Result<Uploaded, Problem<IpcErrorCode>>> {
    return this.uploadAs(file, file.webkitRelativePath || file.name, onProgress)
  }

  /**
   * Uploads under a name that may hold relative folder segments ("Photos/2024/a.jpg"): the server
   * recreates them under "Shared by me", in the group's own folder when `to.group` is given (a file
   * of one group never renames another's); `to.freshFolder` makes the name's first segment a new
   * folder (the first file of a dropped folder). XMLHttpRequest: fetch cannot report upload progress.
   */
  uploadAs(
    file: File,
    name: string,
    onProgress?: (sent: number) => void,
    to: { group?: string; freshFolder?: boolean } = {},
  ): Promise<Result<Uploaded, Problem<IpcErrorCode>>> {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest()
      let stall: ReturnType<typeof setTimeout> | undefined
      const done = (r: Result<Uploaded, Problem<IpcErrorCode>>) => {
        clearTimeout(stall)
        resolve(r)
      }
      const arm = () => {
        clearTimeout(stall)
        stall = setTimeout(() => xhr.abort(), UPLOAD_STALL_MS)
      }
      const inGroup = to.group === undefined ? '' : `&group=${encodeURIComponent(to.group)}`
      const fresh = to.freshFolder === true ? '&fresh=1' : ''
      xhr.open('PUT', `${this.#o.origin}/upload?name=${encodeURIComponent(name)}${inGroup}${fresh}`)
      xhr.setRequestHeader('Authorization', `Bearer ${this.#o.token}`)
      xhr.upload.onprogress = (e) => {
        arm()
        onProgress?.(e.loaded)
      }
      xhr.onload = () => {
        let body: unknown = null
        try {
          body = JSON.parse(xhr.responseText)
        } catch {
          /* not JSON: the status says enough */
        }
        const b = (typeof body === 'object' && body !== null ? body : {}) as {
          path?: unknown
          renamed?: unknown
          message?: unknown
          error?: { message?: unknown }
        }
        if (xhr.status >= 200 && xhr.status < 300 && typeof b.path === 'string')
          return done({ ok: true, value: { path: b.path, renamed: b.renamed === true } })
        const said =
          typeof b.error?.message === 'string' ? b.error.message : typeof b.message === 'string' ? b.message : ''
        const why =
          xhr.status === 401 || xhr.status === 403
            ? 'Coterie refused the upload: open the address printed by `coterie run --ui` again.'
            : said || `Upload failed (HTTP ${xhr.status}).`
        done({ ok: false, error: { code: 'unavailable', message: `${name}: ${why}` } })
      }
      xhr.onerror = () =>
        done({ ok: false, error: { code: 'unavailable', message: `${name}: the upload was interrupted.` } })
      xhr.onabort = () =>
        done({
          ok: false,
          error: { code: 'unavailable', message: `${name}: the upload stopped making progress and was abandoned.` },
        })
      arm()
      xhr.send(file)
    })
  }

  /** Stops reconnecting and fails whatever is still waiting. */
  close(): void {
    this.#closed = true
    if (this.#retry) clearTimeout(this.#retry)
    this.#ws?.close(1000)
    for (const [id, p] of this.#pending)
      this.#settle(id, p, fail('unavailable', 'The connection to Coterie is closed.'))
    this.#o.onState?.('closed')
  }

  #connect(): void {
    this.#o.onState?.(this.#attempt === 0 ? 'connecting' : 'reconnecting')
    let ws: SocketLike
    try {
      ws = this.#o.socket(`${this.#o.origin.replace(/^http/, 'ws')}/ipc?token=${encodeURIComponent(this.#o.token)}`)
    } catch {
      // The constructor itself refused (a malformed address): retry like any failed connection.
      this.#scheduleRetry()
      return
    }
    this.#ws = ws
    ws.onopen = () => {
      this.#attempt = 0
      this.#o.onState?.('open')
      for (const p of this.#pending.values()) this.#send(p)
    }
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.#receive(ev.data)
    }
    ws.onerror = () => {
      /* always followed by close, which reconnects */
    }
    ws.onclose = () => {
      if (this.#ws !== ws) return
      this.#ws = null
      for (const [id, p] of this.#pending) {
        if (p.sent)
          this.#settle(
            id,
            p,
            fail(
              'unavailable',
              'The connection to Coterie was lost before it answered; check whether it happened, then try again.',
            ),
          )
      }
      this.#scheduleRetry()
    }
  }

  #scheduleRetry(): void {
    if (this.#closed) return
    const delay = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** this.#attempt++)
    this.#o.onState?.('reconnecting')
    this.#retry = setTimeout(() => this.#connect(), delay * (0.5 + Math.random() / 2))
  }

  #send(p: Pending): void {
    if (p.sent || this.#ws?.readyState !== OPEN) return
    this.#ws.send(p.frame)
    p.sent = true
  }

  #receive(text: string): void {
    const f = parseServerFrame(text)
    if (!f) return
    if (f.t === 'result') {
      const p = this.#pending.get(f.id)
      if (p) this.#settle(f.id, p, f.result as IpcResult<InvokeChannel>)
      return
    }
    for (const l of this.#listeners.get(f.event) ?? []) l(f.payload)
  }

  #settle(id: number, p: Pending, r: IpcResult<InvokeChannel>): void {
    clearTimeout(p.timer)
    this.#pending.delete(id)
    p.settle(r)
  }
}
