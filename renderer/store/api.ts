/**
 * The one holder of the transport the app started with; every store action goes through `call`,
 * which turns a thrown transport failure into an error value like any other.
 */
import type { CoterieApi, InvokeChannel, IpcResult, RequestOf } from '../../shared/ipc/contract.js'

let current: CoterieApi | null = null

export const setApi = (api: CoterieApi): void => {
  current = api
}
export const getApi = (): CoterieApi => {
  if (!current) throw new Error('the transport is not set yet')
  return current
}

export async function call<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<C>> {
  try {
    return await getApi().invoke(channel, request)
  } catch (e) {
    return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } }
  }
}

/** Runs `load` at most once at a time; a request during a run schedules exactly one more. */
export function coalesced(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null
  let again = false
  const run = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await load()
        } while (again)
      } finally {
        running = null
      }
    })()
    return running
  }
  return run
}
