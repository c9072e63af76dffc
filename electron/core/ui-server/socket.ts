/**
 * One browser tab's WebSocket: JSON text frames in both directions (shared brief, "Browser-mode
 * transport"). `{"t":"invoke","id":N,"channel":C,"request":R}` goes through the same dispatcher as
 * Electron's IPC and is answered `{"t":"result","id":N,"result":IpcResult}`; every backend event
 * is pushed as `{"t":"event","event":E,"payload":P}`. Bounded: frames (2 MiB, enforced by ws),
 * requests in flight, what may queue for a slow reader, and a silent peer (pings).
 */
import type { WebSocket, RawData } from 'ws'
import { z } from 'zod'
import type { AppBackend, Logger } from '../service/index.js'
import { IPC_ERRORS } from '../../../shared/ipc/contract.js'

export const MAX_FRAME_BYTES = 2 * 1024 * 1024
export const MAX_IN_FLIGHT = 32
/** A tab that reads nothing while this much waits for it is dropped rather than grow memory. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024
export const PING_MS = 30_000

const invokeMessage = z
  .object({
    t: z.literal('invoke'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    channel: z.string().max(100),
    request: z.unknown(),
  })
  .strict()

/** What one frame from a tab asks for: an invocation, a bad request to answer, or a reason to close. */
export type ClientFrame =
  | { readonly kind: 'invoke'; readonly id: number; readonly channel: string; readonly request: unknown }
  | { readonly kind: 'bad-request'; readonly id: number }
  | { readonly kind: 'close'; readonly code: 1003 | 1007 | 1008; readonly reason: string }

/**
 * Reads one frame a tab sent (ws has already bounded it to MAX_FRAME_BYTES). Pure and total: every
 * frame maps to one of the three outcomes, so the fuzzer (electron/core/testing/fuzz/) can hold it
 * to that without a socket.
 */
export function parseClientFrame(data: { toString(): string }, isBinary: boolean): ClientFrame {
  if (isBinary) return { kind: 'close', code: 1003, reason: 'text frames only' }
  let raw: unknown
  try {
    raw = JSON.parse(data.toString())
  } catch {
    return { kind: 'close', code: 1007, reason: 'not JSON' }
  }
  const id = (raw as { id?: unknown } | null)?.id
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return { kind: 'close', code: 1008, reason: 'a message needs a numeric id' }
  const msg = invokeMessage.safeParse(raw)
  if (!msg.success) return { kind: 'bad-request', id }
  return { kind: 'invoke', id, channel: msg.data.channel, request: msg.data.request }
}

export function bridgeSocket(ws: WebSocket, backend: AppBackend, log: Logger): void {
  let inFlight = 0
  let alive = true
  const send = (message: unknown) => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log('ui: a browser tab stopped reading; closing its connection')
      ws.terminate()
      return
    }
    ws.send(JSON.stringify(message))
  }
  const badRequest = (id: number, why: string) =>
    send({
      t: 'result',
      id,
      result: { ok: false, error: { code: 'bad-request', message: `${IPC_ERRORS['bad-request']} ${why}` } },
    })

  const unsubscribe = backend.on((event, payload) => send({ t: 'event', event, payload }))
  const ping = setInterval(() => {
    if (!alive) return ws.terminate()
    alive = false
    ws.ping()
  }, PING_MS)
  ping.unref()
  ws.on('pong', () => (alive = true))
  ws.on('close', () => {
    clearInterval(ping)
    unsubscribe()
  })
  ws.on('error', () => ws.terminate()) // e.g. a frame over maxPayload: ws closes with 1009 first

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const frame = parseClientFrame(data, isBinary)
    if (frame.kind === 'close') return ws.close(frame.code, frame.reason)
    const id = frame.id
    if (frame.kind === 'bad-request') return badRequest(id, 'Messages are {"t":"invoke","id","channel","request"}.')
    if (inFlight >= MAX_IN_FLIGHT) {
      return send({
        t: 'result',
        id,
        result: { ok: false, error: { code: 'unavailable', message: 'Too many requests at once; try again.' } },
      })
    }
    inFlight++
    void backend
      .dispatch(frame.channel, frame.request)
      .then(
        (result) => send({ t: 'result', id, result }),
        (e: unknown) => {
          log('ui: dispatch failed', e)
          send({ t: 'result', id, result: { ok: false, error: { code: 'internal', message: IPC_ERRORS.internal } } })
        },
      )
      .finally(() => inFlight--)
  })
}
