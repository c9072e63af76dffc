/**
 * The profile's file primitives. Every write replaces a whole file by rename (write-file-atomic:
 * temp file, fsync, chmod, rename), so a reader or a crash sees the old bytes or the new ones,
 * never a mix; the directory is then fsynced so the rename itself survives a power cut.
 */
import { open, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { z } from 'zod'
import { fsError, ProfileError } from './errors.js'
import { describeIssues } from './schema.js'
import { upgrade, type FileKind } from './versions.js'
import { SECRET_FILE_MODE } from './paths.js'

export async function readBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    const b = await readFile(file)
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  } catch (e) {
    throw fsError(e, file, `read ${what}`)
  }
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

export async function writeAtomic(
  file: string,
  data: Uint8Array | string,
  what: string,
  mode = SECRET_FILE_MODE,
): Promise<void> {
  const bytes =
    typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFileAtomic(file, bytes, { mode, fsync: true })
      return
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (process.platform === 'win32' && code !== undefined && TRANSIENT.has(code) && attempt < 5) {
        await new Promise((r) => setTimeout(r, 20 * (attempt + 1)))
        continue
      }
      throw fsError(e, file, `write ${what}`)
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
