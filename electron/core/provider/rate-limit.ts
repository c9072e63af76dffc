/**
 * Fixed-window attempt counters (per account, per address) for the login service: checked before
 * any password is hashed, so a flood costs the provider a map lookup, not an Argon2 run. Kept in
 * memory, per process: a refused attempt writes nothing to the database, and a node restarted
 * mid-flood starts counting again (several issuance nodes each count their own; docs/PROVIDER.md).
 * The map is bounded: when full of live windows, new keys are refused rather than letting an
 * attacker with many addresses grow it without end.
 */

export interface RateLimit {
  /** Attempts allowed per window. */
  readonly attempts: number
  readonly windowMs: number
}

/** Most keys tracked at once (each is a few dozen bytes). */
export const MAX_TRACKED_KEYS = 100_000

export class AttemptCounter {
  readonly #windows = new Map<string, { start: number; count: number }>()
  constructor(readonly limit: RateLimit) {}

  /** Counts one attempt for `key`; false when it is over the limit (the attempt must be refused). */
  attempt(key: string, now: number): boolean {
    const w = this.#windows.get(key)
    if (w !== undefined && now - w.start < this.limit.windowMs) {
      w.count += 1
      return w.count <= this.limit.attempts
    }
    if (w === undefined && this.#windows.size >= MAX_TRACKED_KEYS) {
      this.#prune(now)
      if (this.#windows.size >= MAX_TRACKED_KEYS) return false
    }
    this.#windows.set(key, { start: now, count: 1 })
    return this.limit.attempts >= 1
  }

  /** Milliseconds until `key` may try again (0 if it may now). */
  retryAfterMs(key: string, now: number): number {
    const w = this.#windows.get(key)
    if (w === undefined || w.count <= this.limit.attempts) return 0
    return Math.max(0, w.start + this.limit.windowMs - now)
  }

  #prune(now: number): void {
    for (const [k, w] of this.#windows) if (now - w.start >= this.limit.windowMs) this.#windows.delete(k)
  }
}
