/**
 * The browser-mode wire format (JSON text frames over one WebSocket), parsed defensively: a frame
 * that does not have the expected shape is dropped, never trusted into the stores.
 */
import type { EventChannel, InvokeChannel } from '../../shared/ipc/contract.js'

export type InvokeFrame = { t: 'invoke'; id: number; channel: InvokeChannel; request: unknown }
export type ServerFrame =
  | {
      t: 'result'
      id: number
      result: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }
    }
  | { t: 'event'; event: EventChannel; payload: unknown }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function parseServerFrame(text: string): ServerFrame | null {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return null
  }
  if (!isObject(v)) return null
  if (v.t === 'result' && Number.isSafeInteger(v.id) && isObject(v.result)) {
    const r = v.result
    if (r.ok === true && 'value' in r) return v as ServerFrame
    if (r.ok === false && isObject(r.error) && typeof r.error.code === 'string' && typeof r.error.message === 'string')
      return v as ServerFrame
    return null
  }
  if (v.t === 'event' && typeof v.event === 'string' && 'payload' in v) return v as ServerFrame
  return null
}
