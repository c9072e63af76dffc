/**
 * The profile lock: one writer at a time, across processes (proper-lockfile: an atomic mkdir,
 * kept fresh while held, taken over once stale) and within one (a queue, so instances in the
 * same process wait their turn instead of polling).
 *
 * The holder also records who it is (pid, host, a random token) in owner.json inside the lock
 * directory. That lets us
 *  - break at once a lock left by a process of this machine that died (SIGKILL, crash) instead of
 *    waiting for the stale timeout, and a lock that never got its owner.json (its holder died
 *    within milliseconds of taking it);
 *  - check, right before each write, that the lock is still ours;
 *  - say in a 'locked' error who holds it.
 * Locks are removed by moving them aside first, so a lock never exists without its owner record
 * except in the instant after mkdir.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { fsError, ProfileError } from './errors.js'

export interface LockSettings {
  /** How long to wait for another holder before giving up with 'locked'. */
  readonly timeoutMs: number
  /** A lock not refreshed for this long is taken over (proper-lockfile enforces at least 2000). */
  readonly staleMs: number
}

export interface HeldLock {
  /** Throws 'locked' unless the lock is still ours (it can be lost if this process stalled). */
  assertHeld(): Promise<void>
}

const OWNER_FILE = 'owner.json'
/** Taking a lock and writing its owner record takes milliseconds; an ownerless lock this old is dead. */
const OWNERLESS_GRACE_MS = 2000
/** Prefix of locks moved aside to be deleted (tidy() removes any a crash left). */
export const lockDebrisPrefix = (lockPath: string): string => `${path.basename(lockPath)}.`

interface Owner {
  readonly pid: number
  readonly host: string
  readonly token: string
}

export async function withLock<T>(
  dir: string,
  lockPath: string,
  settings: LockSettings,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + settings.timeoutMs
  const queue = queueFor(lockPath)
  if (!(await queue.acquire(deadline))) throw await lockedError(dir, lockPath, settings)
  try {
    const held = await acquire(dir, lockPath, settings, deadline)
    try {
      return await fn(held)
    } finally {
      await held.release()
    }
  } finally {
    queue.release()
  }
}

async function acquire(dir: string, lockPath: string, settings: LockSettings, deadline: number) {
  let lost: Error | undefined
  let delay = 5
  for (;;) {
    let release: (() => Promise<void>) | undefined
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: settings.staleMs,
        retries: 0,
        onCompromised: (e) => {
          lost = e
        },
      })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw fsError(e, dir, 'lock the profile')
    }
    if (release !== undefined) {
      const unlock = release
      const token = await recordOwner(lockPath).catch(async (e: unknown) => {
        await unlock().catch(() => {})
        throw fsError(e, lockPath, 'lock the profile')
      })
      return {
        async assertHeld() {
          if (lost === undefined && (await readOwner(lockPath))?.token === token) return
          throw new ProfileError(
            'locked',
            `Lost the lock on the profile ${dir}${lost ? ` (${lost.message})` : ''}; the change was not saved. Try again.`,
            dir,
          )
        },
        async release() {
          heldLocks.delete(lockPath)
          // proper-lockfile stops refreshing it, then fails to rmdir it (owner.json is inside): fine.
          await unlock().catch(() => {})
          await removeIf(lockPath, (o) => o?.token === token)
        },
      }
    }
    if (await breakIfAbandoned(lockPath)) continue
    const left = deadline - Date.now()
    if (left <= 0) throw await lockedError(dir, lockPath, settings)
    await sleep(Math.min(left, delay + Math.random() * delay))
    delay = Math.min(delay * 2, 50)
  }
}

async function lockedError(dir: string, lockPath: string, settings: LockSettings): Promise<ProfileError> {
  const owner = await readOwner(lockPath)
  const who =
    owner === undefined
      ? 'Another process'
      : owner.pid === process.pid && owner.host === hostname()
        ? 'This process (another task in it)'
        : `Another Coterie process (pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`})`
  return new ProfileError(
    'locked',
    `${who} kept the profile ${dir} locked for more than ${Math.round(settings.timeoutMs / 100) / 10} s. ` +
      `If it is stuck, stop it and try again; if no Coterie is running, delete ${lockPath}.`,
    dir,
  )
}

/**
 * Writes owner.json into the lock directory. Creating a file changes the directory's mtime, which
 * proper-lockfile would read as "someone else refreshed my lock": put the mtime back as it was.
 */
async function recordOwner(lockPath: string): Promise<string> {
  const token = randomUUID()
  const before = await stat(lockPath)
  const owner: Owner = { pid: process.pid, host: hostname(), token }
  const file = path.join(lockPath, OWNER_FILE)
  await writeFile(file, JSON.stringify(owner))
  await utimes(lockPath, before.atime, before.mtime)
  heldLocks.set(lockPath, token)
  return token
}

/**
 * Locks this process holds, removed if it calls process.exit() while holding one. proper-lockfile's
 * own exit hook cannot be relied on: it hooks process.emit through signal-exit 3, and
 * write-file-atomic's signal-exit 4, loaded later, restores the unhooked original. (On a signal,
 * the lock stays and its dead owner is recognised by the next process; see breakIfAbandoned.)
 */
const heldLocks = new Map<string, string>()
process.on('exit', () => {
  for (const [lockPath, token] of heldLocks) {
    try {
      if ((JSON.parse(readFileSync(path.join(lockPath, OWNER_FILE), 'utf8')) as Owner).token === token)
        rmSync(lockPath, { recursive: true, force: true })
    } catch {
      // nothing more can be done while exiting
    }
  }
})

async function readOwner(lockPath: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await readFile(path.join(lockPath, OWNER_FILE), 'utf8')) as Partial<Owner>
    return Number.isSafeInteger(o.pid) && typeof o.host === 'string' && typeof o.token === 'string'
      ? (o as Owner)
      : undefined
  } catch {
    return undefined // absent (just taken, or left by a crash) or torn
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Breaks the lock if its holder died on this machine, or if it has had no owner record for too long. */
async function breakIfAbandoned(lockPath: string): Promise<boolean> {
  const owner = await readOwner(lockPath)
  if (owner !== undefined) {
    if (owner.host !== hostname() || isAlive(owner.pid)) return false
    return removeIf(lockPath, (o) => o?.token === owner.token)
  }
  const since = await stat(lockPath).then(
    (s) => s.ctimeMs,
    () => undefined,
  )
  if (since === undefined || Date.now() - since < OWNERLESS_GRACE_MS) return false
  return removeIf(lockPath, (o) => o === undefined)
}

/**
 * Deletes the lock if its owner record passes `test`. The lock is moved aside first and tested
 * there, so a lock someone took between our look and the move is put back rather than deleted.
 */
async function removeIf(lockPath: string, test: (owner: Owner | undefined) => boolean): Promise<boolean> {
  const aside = `${lockPath}.${randomUUID()}`
  try {
    await rename(lockPath, aside)
  } catch {
    return false // already gone, or someone else moved it first
  }
  if (test(await readOwner(aside))) {
    await rm(aside, { recursive: true, force: true })
    return true
  }
  await rename(aside, lockPath).catch(() => {}) // if that fails too, its holder finds its lock lost
  return false
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** FIFO queue per lock path, so same-process writers take turns; a waiter may give up at a deadline. */
class Queue {
  #busy = false
  readonly #waiters: (() => void)[] = []

  acquire(deadline: number): Promise<boolean> {
    if (!this.#busy) {
      this.#busy = true
      return Promise.resolve(true)
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(
        () => {
          const i = this.#waiters.indexOf(wake)
          if (i >= 0) this.#waiters.splice(i, 1)
          resolve(false)
        },
        Math.max(0, deadline - Date.now()),
      )
      this.#waiters.push(wake)
    })
  }

  release(): void {
    const next = this.#waiters.shift()
    if (next !== undefined) next()
    else this.#busy = false
  }
}
const queues = new Map<string, Queue>()
const queueFor = (lockPath: string): Queue => {
  let q = queues.get(lockPath)
  if (q === undefined) queues.set(lockPath, (q = new Queue()))
  return q
}
