/**
 * Bounded waits for tests: wait for the event or condition a test depends on, never for a fixed time,
 * so a loaded machine makes a test slower, not red, and a real hang fails with what was awaited.
 */
import type { EventEmitter } from 'node:events'

/** Resolves with the first `event`'s arguments; fails after `ms`, naming `what` was awaited. */
export function onceWithin<A extends unknown[] = unknown[]>(
  emitter: Pick<EventEmitter, 'once' | 'off'>,
  event: string,
  ms: number,
  what: string,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      clearTimeout(timer)
      resolve(args as A)
    }
    const timer = setTimeout(() => {
      emitter.off(event, listener)
      reject(new Error(`timed out after ${ms} ms waiting for ${what} ("${event}")`))
    }, ms)
    emitter.once(event, listener)
  })
}

/** Polls the async `check` until it holds, failing after `ms` with `what` was awaited. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
