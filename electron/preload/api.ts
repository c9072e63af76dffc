/**
 * `window.coterie`: exactly the contract's channels and events over Electron IPC, nothing else.
 * Built from the transport it is given, so the same code is what the preload exposes and what
 * the tests run against the real backend in plain Node.
 */
import { err } from '../../shared/result.js'
import {
  IPC_ERRORS,
  isEventChannel,
  isInvokeChannel,
  type CoterieApi,
  type EventChannel,
  type InvokeChannel,
  type IpcResult,
} from '../../shared/ipc/contract.js'
import { IPC_EVENT, ipcChannel } from '../../shared/ipc/electron.js'

/** The part of ipcRenderer the API uses. */
export interface IpcTransport {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

export function createApi(ipc: IpcTransport, pathForFile: (file: File) => string): CoterieApi {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  // One IPC listener for every event, fanned out here: the page cannot reach ipcRenderer itself.
  ipc.on(IPC_EVENT, (_event, name, payload) => {
    if (typeof name !== 'string' || !isEventChannel(name)) return
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload as never)
      } catch (e) {
        console.error('coterie: an event listener failed', e)
      }
    }
  })
  return {
    invoke<C extends InvokeChannel>(channel: C, request: unknown): Promise<IpcResult<C>> {
      if (!isInvokeChannel(channel))
        return Promise.resolve(err({ code: 'unknown-channel', message: IPC_ERRORS['unknown-channel'] }))
      return ipc.invoke(ipcChannel(channel), request) as Promise<IpcResult<C>>
    },
    on(event, listener) {
      if (!isEventChannel(event)) throw new RangeError(`unknown event ${String(event)}`)
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (payload: never) => void)
      return () => void set.delete(listener as (payload: never) => void)
    },
    pathForFile,
  }
}
