/** Why a profile operation failed, as a code a caller can branch on and a sentence a person can act on. */
import type { LockCode } from '../../../shared/protocol-codes.js'

export type ProfileErrorCode =
  /** No profile (or no such file) where one was expected. */
  | 'not-found'
  /** Asked to create a profile where one already exists. */
  | 'exists'
  /** A file is damaged or was hand-edited into something invalid; it was left as it is. */
  | 'corrupt'
  /** Written by a newer Coterie, in a format this one does not read. */
  | 'unsupported'
  /** A change would have made the profile invalid; nothing was written. */
  | 'invalid'
  /** Another process held the profile lock for longer than we wait, or we lost it. */
  | 'locked'
  /** The operating system refused access, or the files belong to someone else. */
  | 'permissions'
  /** Any other I/O failure (disk full, read-only file system...). */
  | 'io'
  /** The identity key is sealed (by the desktop app's OS keyring) and this process cannot unseal it. */
  | 'sealed'

export interface LockProblem {
  readonly code: LockCode
  /** Who holds the lock, as its record says (none: the record is missing or unreadable). */
  readonly holder: { readonly pid: number; readonly host: string; readonly since: string } | undefined
}

export interface ProfileErrorOptions extends ErrorOptions {
  readonly lock?: LockProblem
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError'
  readonly code: ProfileErrorCode
  /** The file or directory concerned, when there is one. */
  readonly path: string | undefined
  /** For 'locked': why the lock still counts, and whose it is (profile/lock.ts). */
  readonly lock: LockProblem | undefined

  constructor(code: ProfileErrorCode, message: string, path?: string, options?: ProfileErrorOptions) {
    super(message, options)
    this.code = code
    this.path = path
    this.lock = options?.lock
  }
}

export const isProfileError = (e: unknown, code?: ProfileErrorCode): e is ProfileError =>
  e instanceof ProfileError && (code === undefined || e.code === code)

const errnoOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined

/** Turns a Node file-system error about `path` into a ProfileError; `doing` completes "Could not ...". */
export function fsError(e: unknown, path: string, doing: string): ProfileError {
  if (e instanceof ProfileError) return e
  const errno = errnoOf(e)
  const detail = e instanceof Error ? e.message : String(e)
  switch (errno) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new ProfileError('not-found', `Could not ${doing}: ${path} does not exist.`, path, { cause: e })
    case 'EACCES':
    case 'EPERM':
      return new ProfileError(
        'permissions',
        `Could not ${doing}: access to ${path} was denied. Check that it belongs to your user account.`,
        path,
        { cause: e },
      )
    default:
      return new ProfileError('io', `Could not ${doing} (${path}): ${detail}`, path, { cause: e })
  }
}
