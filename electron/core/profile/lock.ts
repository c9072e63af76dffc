/**
 * The profile lock: one writer at a time, across processes and within one (a queue, so instances
 * in the same process wait their turn instead of polling).
 *
 * Across processes the lock is a folder, coterie.lock, holding its owner's record (owner.json: pid,
 * host, token, since when, and the process's start time where the system tells it). It is made
 * beside the lock under a name of its own, record inside, and renamed into place: the rename takes
 * the lock whole or fails because someone holds it. So a lock never exists without its owner
 * record, and a process killed at any point leaves either no lock (only a folder tidy() removes) or
 * a lock whose owner can be checked: the next process never waits for an owner it cannot name.
 * (proper-lockfile, used before, makes the folder first and its stale take-over cannot remove a
 * folder holding a record: it failed with a raw ENOTEMPTY, issue 20.)
 *
 * A waiter takes over a lock whose owner is provably gone: a process of this machine that no
 * longer runs, or whose number now belongs to another process (another start time). Otherwise it
 * waits, and gives up with a 'locked' error saying why (LockCode, sentences in
 * shared/ui/reason-text.ts), whose lock it is and how to clear it:
 *  - 'busy': the holder refreshes the lock (every staleMs / 2) and kept it longer than we wait;
 *  - 'not-responding': its holder runs on this machine but stopped refreshing it (hung);
 *  - 'unproven': its holder is on another machine (a profile on a shared or synced folder) and
 *    stopped refreshing it: nothing here can show it gone, so this is said at once, with the way
 *    out (`coterie unlock`, which asks first and refuses while the owner runs on this machine);
 *  - 'lost': the lock was taken from this process while it held it (unlocked by hand).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import type { LockCode } from '../../../shared/protocol-codes.js'
import { LOCK_REASONS } from '../../../shared/ui/reason-text.js'
import { crashPoint } from './crash-points.js'
import { fsError, ProfileError } from './errors.js'
import { PRIVATE_DIR_MODE } from './paths.js'

export interface LockSettings {
  /** How long to wait for another holder before giving up with 'locked'. */
  readonly timeoutMs: number
  /** A holder refreshes its lock every staleMs / 2; one not refreshed for staleMs is not responding. */
  readonly staleMs: number
}

export const DEFAULT_LOCK: LockSettings = { timeoutMs: 15_000, staleMs: 10_000 }

export interface HeldLock {
  /** Throws 'locked' unless the lock is still ours. */
  assertHeld(): Promise<void>
}

/** Who holds a lock, as its record says. */
export interface LockHolder {
  readonly pid: number
  readonly host: string
  /** When it took the lock (ISO 8601). */
  readonly since: string
  /** Whether it runs on this machine (else nothing here can tell whether it still runs). */
  readonly thisMachine: boolean
}

/** What a look at the lock found. */
export type LockState =
  | { readonly kind: 'free' }
  /** Its owner is provably gone (or it has had no record for too long): it may be removed. */
  | { readonly kind: 'abandoned'; readonly holder: LockHolder | undefined; readonly token: string | undefined }
  | {
      readonly kind: 'held'
      readonly code: LockCode
      readonly holder: LockHolder | undefined
      readonly token: string | undefined
    }

const OWNER_FILE = 'owner.json'
/**
 * A lock without a readable record was made by a Coterie from before issue 20 (mkdir, then the
 * record) in the instant between the two, or damaged by a power cut: this old, it is dead.
 */
const OWNERLESS_GRACE_MS = 2000
/** Errors of a rename onto a lock that exists (Windows reports a folder in the way as EPERM). */
const HELD_ERRNOS = new Set(['EEXIST', 'ENOTEMPTY', 'EPERM', 'EACCES', 'EBUSY'])
/** Prefix of the folders a lock is made in and moved aside to (tidy() removes any a crash left). */
export const lockDebrisPrefix = (lockPath: string): string => `${path.basename(lockPath)}.`

interface Owner {
  readonly pid: number
  readonly host: string
  readonly token: string
  readonly since?: string
  /** The process's start time as the system counts it (Linux: /proc/<pid>/stat), to tell a reused pid. */
  readonly start?: string
}

export async function withLock<T>(
  dir: string,
  lockPath: string,
  settings: LockSettings,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + settings.timeoutMs
  const queue = queueFor(lockPath)
  if (!(await queue.acquire(deadline))) {
    const seen = await inspectLock(lockPath, settings)
    throw lockedError(dir, seen.kind === 'held' ? seen : { code: 'busy', holder: undefined }, settings)
  }
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
  let delay = 5
  for (;;) {
    const token = randomUUID()
    if (await take(dir, lockPath, token)) return holding(dir, lockPath, token, settings)
    const seen = await inspectLock(lockPath, settings)
    if (seen.kind === 'abandoned') await removeIf(lockPath, (o) => o?.token === seen.token)
    if (seen.kind !== 'held') continue
    if (seen.code === 'unproven' || Date.now() >= deadline) throw lockedError(dir, seen, settings)
    await sleep(Math.min(deadline - Date.now(), delay + Math.random() * delay))
    delay = Math.min(delay * 2, 50)
  }
}

/** Makes the lock, record inside, beside its place and renames it there; false if someone holds it. */
async function take(dir: string, lockPath: string, token: string): Promise<boolean> {
  const pending = `${lockPath}.${token}`
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    token,
    since: new Date().toISOString(),
    ...(OWN_START !== undefined && { start: OWN_START }),
  }
  try {
    await mkdir(pending, { mode: PRIVATE_DIR_MODE })
    await writeFile(path.join(pending, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 })
  } catch (e) {
    await rm(pending, { recursive: true, force: true }).catch(() => {})
    throw fsError(e, dir, 'lock the profile')
  }
  crashPoint('lock:pending')
  try {
    await rename(pending, lockPath)
  } catch (e) {
    await rm(pending, { recursive: true, force: true }).catch(() => {})
    const code = (e as NodeJS.ErrnoException).code ?? ''
    // EPERM and EACCES also mean "not allowed": only a lock in the way makes them "held".
    if (HELD_ERRNOS.has(code) && (await exists(lockPath))) return false
    // ENOENT: a start's tidy() removed our folder as debris, or the lock vanished meanwhile: try again.
    if (code !== 'ENOENT' && !HELD_ERRNOS.has(code)) throw fsError(e, dir, 'lock the profile')
    if (!(await exists(dir))) throw fsError(e, dir, 'lock the profile')
    return false
  }
  crashPoint('lock:taken')
  heldLocks.set(lockPath, token)
  return true
}

function holding(dir: string, lockPath: string, token: string, settings: LockSettings) {
  let lost = false
  // Refreshing the lock's time tells waiters this holder is alive and working (see LockCode).
  const refresh = setInterval(
    () =>
      void readOwner(lockPath).then(async (o) => {
        if (o?.token !== token) return void (lost = true)
        const now = new Date()
        await utimes(lockPath, now, now).catch(() => {})
      }),
    Math.max(1, settings.staleMs / 2),
  )
  refresh.unref()
  return {
    async assertHeld() {
      if (!lost && (await readOwner(lockPath))?.token === token) return
      lost = true
      throw lockedError(dir, { code: 'lost', holder: undefined }, settings)
    },
    async release() {
      clearInterval(refresh)
      heldLocks.delete(lockPath)
      await removeIf(lockPath, (o) => o?.token === token)
    },
  }
}

/** Looks at the lock: free, abandoned (its owner provably gone), or held, and why it still counts. */
export async function inspectLock(lockPath: string, settings: LockSettings = DEFAULT_LOCK): Promise<LockState> {
  const st = await stat(lockPath).catch(() => undefined)
  if (st === undefined) return { kind: 'free' }
  const owner = await readOwner(lockPath)
  if (owner === undefined) {
    return Date.now() - Math.min(st.ctimeMs, st.mtimeMs) >= OWNERLESS_GRACE_MS
      ? { kind: 'abandoned', holder: undefined, token: undefined }
      : { kind: 'held', code: 'busy', holder: undefined, token: undefined }
  }
  const thisMachine = owner.host === hostname()
  const holder: LockHolder = {
    pid: owner.pid,
    host: owner.host,
    since: owner.since ?? st.ctime.toISOString(),
    thisMachine,
  }
  const fresh = Date.now() - st.mtimeMs < settings.staleMs
  if (thisMachine) {
    const gone =
      (owner.pid === process.pid && heldLocks.get(lockPath) !== owner.token) || // we are that pid, and hold no such lock
      !isAlive(owner.pid) ||
      (owner.start !== undefined && startOf(owner.pid) !== undefined && startOf(owner.pid) !== owner.start)
    if (gone) return { kind: 'abandoned', holder, token: owner.token }
    return { kind: 'held', code: fresh ? 'busy' : 'not-responding', holder, token: owner.token }
  }
  return { kind: 'held', code: fresh ? 'busy' : 'unproven', holder, token: owner.token }
}

export type UnlockResult =
  { readonly ok: true; readonly removed: boolean } | { readonly ok: false; readonly holder: LockHolder }

/**
 * `coterie unlock`: removes the lock whose record has `token` (the one the person was shown and
 * confirmed), unless its owner runs on this machine. Never removes a lock taken since.
 */
export async function unlock(lockPath: string, token: string | undefined): Promise<UnlockResult> {
  const seen = await inspectLock(lockPath)
  if (seen.kind === 'free' || seen.token !== token) return { ok: true, removed: false }
  if (seen.kind === 'held' && seen.holder?.thisMachine === true) return { ok: false, holder: seen.holder }
  return { ok: true, removed: await removeIf(lockPath, (o) => o?.token === token) }
}

function lockedError(
  dir: string,
  seen: { readonly code: LockCode; readonly holder: LockHolder | undefined },
  settings: LockSettings,
): ProfileError {
  const h = seen.holder
  const who =
    h === undefined
      ? 'Another process'
      : h.thisMachine && h.pid === process.pid
        ? 'This process (another task in it)'
        : `Another Coterie process (pid ${h.pid}${h.thisMachine ? '' : `, on ${h.host}`})`
  const since = h === undefined ? '' : ` since ${h.since}`
  const waited =
    seen.code === 'busy' ? `, longer than the ${Math.round(settings.timeoutMs / 100) / 10} s this waits` : ''
  const head =
    seen.code === 'lost'
      ? `Lost the lock on the profile ${dir}; the change was not saved.`
      : `${who} has held the lock on the profile ${dir}${since}${waited}.`
  return new ProfileError('locked', `${head} ${LOCK_REASONS[seen.code]}`, dir, { lock: seen })
}

/**
 * Locks this process holds, removed if it calls process.exit() while holding one. (On a signal,
 * the lock stays and its dead owner is recognised by the next process; see inspectLock.)
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
    return Number.isSafeInteger(o.pid) &&
      typeof o.host === 'string' &&
      typeof o.token === 'string' &&
      (o.since === undefined || typeof o.since === 'string') &&
      (o.start === undefined || typeof o.start === 'string')
      ? (o as Owner)
      : undefined
  } catch {
    return undefined // absent (an old Coterie's lock, just made) or damaged
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  )

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * When process `pid` started, in the system's clock ticks since boot (field 22 of /proc/<pid>/stat,
 * after the command name, which may hold spaces); undefined where there is no /proc.
 */
function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
const OWN_START = startOf(process.pid)

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
  crashPoint('lock:aside')
  if (test(await readOwner(aside))) {
    await rm(aside, { recursive: true, force: true })
    return true
  }
  await rename(aside, lockPath).catch(() => {}) // if that fails too, its holder finds its lock lost
  return false
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)))

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
