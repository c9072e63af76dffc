/**
 * The one door into the backend, shared by Electron's ipcMain and the browser-mode WebSocket:
 * the channel must exist, the request must match its schema (the caller is untrusted), and every
 * outcome is an IpcResult. A ServiceError keeps its code and sentence; anything unexpected becomes
 * 'internal' with the details in the log only (they may name paths or internals).
 */
import type { z } from 'zod'
import { err, ok } from '../../../../shared/result.js'
import {
  IPC_ERRORS,
  invokeChannels,
  isInvokeChannel,
  type InvokeChannel,
  type IpcResult,
} from '../../../../shared/ipc/contract.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { isProfileError } from '../../profile/index.js'
import type { Handlers, Logger } from './context.js'

/** A request this mode cannot serve (start at login in browser mode): 'unavailable'. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError'
}

export type Dispatch = (channel: string, request: unknown) => Promise<IpcResult<InvokeChannel>>

export function dispatcher(handlers: Handlers, log: Logger): Dispatch {
  return async (channel, request) => {
    if (typeof channel !== 'string' || !isInvokeChannel(channel))
      return err({ code: 'unknown-channel', message: IPC_ERRORS['unknown-channel'] })
    const parsed = invokeChannels[channel].req.safeParse(request)
    if (!parsed.success)
      return err({ code: 'bad-request', message: `${IPC_ERRORS['bad-request']} ${describe(parsed.error)}` })
    try {
      const handler = handlers[channel] as (r: unknown) => Promise<unknown>
      return ok(await handler(parsed.data)) as IpcResult<InvokeChannel>
    } catch (e) {
      if (e instanceof ServiceError) return err({ code: e.code, message: e.message })
      if (e instanceof UnavailableError)
        return err({ code: 'unavailable', message: `${IPC_ERRORS.unavailable} ${e.message}` })
      log(`${channel} failed`, e)
      // A profile error is written for people and never quotes a secret (profile/errors.ts).
      return err({ code: 'internal', message: isProfileError(e) ? e.message : IPC_ERRORS.internal })
    }
  }
}

/** "name: Too small; members[2]: ..." — paths and messages only, never the values sent. */
function describe(error: z.ZodError): string {
  const issues = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length === 0 ? i.message : `${i.path.map(String).join('.')}: ${i.message}`))
  return issues.join('; ') + (error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : '')
}
