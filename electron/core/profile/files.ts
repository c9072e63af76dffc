/**
 * The profile's file primitives. Every write replaces a whole file by rename (temp file, fsync,
 * rename), so a reader or a crash sees the old bytes or the new ones, never a mix; the directory
 * is then fsynced so the rename itself survives a power cut.
 *
 * The write is done here rather than with write-file-atomic (still used for files outside the
 * profile) so that each of its steps is a named crash point (crash-points.ts) and its temporary
 * copies have a name tidy() can recognise: a crash leaves one, and it may hold every secret of the
 * profile, so it must not outlive the next start (debris.ts).
 */
import { chmod, open, rename, rm, stat } from 'node:fs/promises'
import { readBounded } from '../platform/bounded-read.js'
import path from 'node:path'
import type { z } from 'zod'
import { crashPoint } from './crash-points.js'
import { fsError, ProfileError } from './errors.js'
import { describeIssues } from './schema.js'
import { upgrade, type FileKind } from './versions.js'
import { SECRET_FILE_MODE } from './paths.js'

/**
 * Largest file the profile reads: far above a state file with thousands of torrents or an info
 * dictionary (a group index, which carries many, is at most 16 MiB), and a bound on what a damaged or
 * replaced file can make a read allocate. Torrent info files came from peers.
 */
export const MAX_PROFILE_FILE_BYTES = 64 * 1024 * 1024

export async function readBytes(file: string, what: string): Promise<Uint8Array> {
  const r = await readBounded(file, MAX_PROFILE_FILE_BYTES)
  if (r.ok) return r.value
  if (r.error === 'missing')
    throw new ProfileError('not-found', `Could not read ${what}: ${file} does not exist.`, file)
  if (r.error === 'unreadable')
    throw fsError(Object.assign(new Error(r.detail), { code: r.errno }), file, `read ${what}`)
  const why = r.error === 'too-large' ? `is larger than ${MAX_PROFILE_FILE_BYTES} bytes` : 'is not a regular file'
  throw new ProfileError('corrupt', `${file} ${why}. ${UNCHANGED}`, file)
}

/** Reads, upgrades and validates one JSON file; any defect is a 'corrupt' error naming the file. */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string, kind: FileKind): Promise<T> {
  const text = new TextDecoder().decode(await readBytes(file, what))
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    throw new ProfileError('corrupt', `${file} is not valid JSON (${why}). ${UNCHANGED}`, file)
  }
  const parsed = schema.safeParse(upgrade(raw, file, kind))
  if (!parsed.success)
    throw new ProfileError('corrupt', `${file} is invalid: ${describeIssues(parsed.error)}. ${UNCHANGED}`, file)
  return parsed.data
}
const UNCHANGED = 'Coterie left it unchanged: fix it by hand or restore it from a backup.'

export const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

// Windows refuses a rename while another program (an indexer, an antivirus) briefly holds the file.
const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES'])
const RENAME_ATTEMPTS = 6

/** `<file>.<pid hex>-<n>.tmp`: the temporary copy writeAtomic renames over `file`. */
export const TEMP_NAME = /\.[0-9a-f]{1,8}-\d+\.tmp$/
let temps = 0

export async function writeAtomic(
  file: string,
  data: Uint8Array | string,
  what: string,
  mode = SECRET_FILE_MODE,
): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const name = path.basename(file)
  const temp = `${file}.${process.pid.toString(16)}-${++temps}.tmp`
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      crashPoint('write:temp-created', name)
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (process.platform !== 'win32') await chmod(temp, mode) // open's mode went through the umask
    crashPoint('write:temp-full', name)
    await renameRetrying(temp, file)
    crashPoint('write:renamed', name)
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {})
    throw fsError(e, file, `write ${what}`)
  }
}

async function renameRetrying(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(from, to)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (process.platform !== 'win32' || code === undefined || !TRANSIENT.has(code) || attempt >= RENAME_ATTEMPTS)
        throw e
      await new Promise((r) => setTimeout(r, 20 * attempt))
    }
  }
}

/** Makes a rename in `dir` durable. Windows cannot open a directory for this; NTFS journals renames. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r').catch((e: unknown) => {
    throw fsError(e, dir, 'sync the profile directory')
  })
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw fsError(e, file, `check ${path.basename(file)}`)
  }
}
