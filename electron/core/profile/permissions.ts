/**
 * Owner-only permissions for the profile. Secrets (the identity key, swarm keys, group secrets)
 * are only as safe as the files holding them, so a profile made readable by others — a careless
 * chmod, a copy from a backup, an unzip — is tightened on open, and the caller is told.
 */
import { chmod, stat } from 'node:fs/promises'
import { fsError, ProfileError } from './errors.js'
import { PRIVATE_DIR_MODE, SECRET_FILE_MODE, type ProfileLayout } from './paths.js'

export interface PermissionFix {
  readonly path: string
  /** Permission bits before and after, e.g. 0o644 and 0o600. */
  readonly was: number
  readonly now: number
  readonly message: string
}

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`

/** Tightens what others could read or write. POSIX only: Windows has no mode bits to fix. */
export async function securePermissions(
  layout: ProfileLayout,
  platform: NodeJS.Platform = process.platform,
): Promise<PermissionFix[]> {
  if (platform === 'win32') return []
  const targets: [string, number][] = [
    [layout.dir, PRIVATE_DIR_MODE],
    [layout.identity, SECRET_FILE_MODE],
    [layout.state, SECRET_FILE_MODE],
    [layout.torrents, PRIVATE_DIR_MODE],
  ]
  const fixes: PermissionFix[] = []
  for (const [target, wanted] of targets) {
    const fix = await secure(target, wanted)
    if (fix !== undefined) fixes.push(fix)
  }
  return fixes
}

async function secure(target: string, wanted: number): Promise<PermissionFix | undefined> {
  let mode: number
  let uid: number
  try {
    ;({ mode, uid } = await stat(target))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw fsError(e, target, 'check permissions')
  }
  const bits = mode & 0o777
  if ((bits & 0o077) === 0) return undefined
  const me = process.getuid?.()
  if (me !== undefined && me !== 0 && uid !== me) {
    throw new ProfileError(
      'permissions',
      `${target} belongs to another user (uid ${uid}) and others can access it. Coterie will not use a profile it cannot keep private.`,
      target,
    )
  }
  try {
    await chmod(target, wanted)
  } catch (e) {
    throw fsError(e, target, `restrict permissions to ${octal(wanted)}`)
  }
  return {
    path: target,
    was: bits,
    now: wanted,
    message: `${target} was accessible to other users (${octal(bits)}); Coterie changed it to ${octal(wanted)}.`,
  }
}
