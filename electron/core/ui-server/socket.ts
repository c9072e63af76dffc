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
    if (isBinary) return ws.close(1003, 'text frames only')
    let raw: unknown
    try {
      raw = JSON.parse(data.toString())
    } catch {
      return ws.close(1007, 'not JSON')
    }
    const id = (raw as { id?: unknown } | null)?.id
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
      return ws.close(1008, 'a message needs a numeric id')
    const msg = invokeMessage.safeParse(raw)
    if (!msg.success) return badRequest(id, 'Messages are {"t":"invoke","id","channel","request"}.')
    if (inFlight >= MAX_IN_FLIGHT) {
      return send({
        t: 'result',
        id,
        result: { ok: false, error: { code: 'unavailable', message: 'Too many requests at once; try again.' } },
      })
    }
    inFlight++
    void backend
      .dispatch(msg.data.channel, msg.data.request)
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
