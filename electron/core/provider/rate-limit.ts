/**
 * Fixed-window attempt counters for the login service, checked before any password is hashed, so
 * a flood costs the provider a map lookup or one row's update, not an Argon2 run.
 *
 * - `AttemptCounter`, in memory, per process: per client address, and per account name as a first
 *   filter. The map is bounded: when full of live windows, new keys are refused rather than letting
 *   an attacker with many addresses grow it without end.
 * - `countAccountAttempt`, in the database: per existing account, shared by every issuance node over
 *   that database, so spreading guesses at one password over N nodes buys no more than one node.
 *
 * Why addresses are not counted in the database (docs/PROVIDER.md): they are unbounded in number
 * (an IPv6 /64 is 2^64 of them), so a table of them would grow with the attacker, and every
 * refused attempt would cost a database write; what the address limit guards is each node's own
 * CPU, and that is local. An account's password is what is shared, so its count is.
 */
import { int, type Database } from './database.js'

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

/**
 * Counts one login attempt at `account` in the database (one statement, atomic on both engines)
 * and returns the window's count and when it may try again; undefined when there is no such
 * account (nothing is written: the table has a row per real account at most).
 */
export async function countAccountAttempt(
  db: Database,
  account: string,
  limit: RateLimit,
  now: number,
): Promise<{ attempts: number; retryAfterMs: number } | undefined> {
  const { rows } = await db.query(
    `INSERT INTO login_attempts (account, window_start, attempts)
       SELECT name, $2, 1 FROM accounts WHERE name = $1
     ON CONFLICT (account) DO UPDATE SET
       attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END,
       window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
     RETURNING attempts, window_start`,
    [account, now, now - limit.windowMs],
  )
  const r = rows[0]
  if (r === undefined) return undefined
  const attempts = int(r['attempts'])
  const retryAfterMs = attempts <= limit.attempts ? 0 : Math.max(0, int(r['window_start']) + limit.windowMs - now)
  return { attempts, retryAfterMs }
}
