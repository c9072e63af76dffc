/**
 * Resume records: what this node last knew it held of a torrent, so a start trusts that instead of
 * hashing every piece again (WebTorrent Desktop #1890: a restart re-checks everything and loads
 * the disk for minutes). A record holds the verified pieces and, for each file, its size and
 * modification time when the record was made; it is used only while every file still matches,
 * and then webtorrent still hashes one piece of each file. Anything else (a file touched, moved,
 * grown, a record damaged or missing) means verifying as before: a record can make a start
 * faster, never make data count as held that was not checked once.
 *
 * Made when a share has just been hashed, when a download completes, and when the node stops
 * cleanly (partial downloads too). After a crash the files are newer than the record, so they
 * are verified.
 */
import { mkdir, open, readdir, stat } from 'node:fs/promises'
import { readBounded } from '../platform/bounded-read.js'
import type { BigIntStats } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { PRIVATE_DIR_MODE, type ProfileLayout } from './paths.js'
import { writeAtomic } from './files.js'
import { DEFAULT_LOCK, withLock, type LockSettings } from './lock.js'
import type { TorrentLayout } from '../protocol/torrent-info.js'

const VERSION = 1
/** A record lists every file of a torrent; this bounds what a damaged one makes us read. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024
const STAT_BATCH = 32
/**
 * Records are written under the profile lock, like every file of the profile (so a start's tidy()
 * never takes a record being written for debris), but wait for it only briefly: a record that
 * could not be written only means the next start verifies, and a node's stop must not hang on it.
 */
const RECORD_LOCK: LockSettings = { ...DEFAULT_LOCK, timeoutMs: 3_000 }

/** [path below the download folder, size or -1 if absent, mtime in ns or '' if absent]. */
type FileStamp = [string, number, string]

const recordSchema = z.strictObject({
  version: z.literal(VERSION),
  downloadDir: z.string(),
  bitfield: z.base64(),
  files: z.array(z.tuple([z.string(), z.number().int().min(-1), z.string().regex(/^\d*$/)])),
})

/** Where each file of the layout is, below the download folder: webtorrent's own joining. */
const filePaths = (layout: TorrentLayout): string[] => layout.files.map((f) => path.join(path.sep, ...f.path).slice(1))

type Stamp = [size: number, mtimeNs: string]
const stampOf = (s: BigIntStats | undefined): Stamp =>
  s?.isFile() === true ? [Number(s.size), s.mtimeNs.toString()] : [-1, '']

async function stamps(downloadDir: string, files: readonly string[]): Promise<FileStamp[]> {
  const out: FileStamp[] = []
  for (let i = 0; i < files.length; i += STAT_BATCH) {
    const batch = files.slice(i, i + STAT_BATCH)
    const stats = await Promise.all(
      batch.map((f) => stat(path.join(downloadDir, f), { bigint: true }).catch(() => undefined)),
    )
    batch.forEach((f, j) => out.push([f, ...stampOf(stats[j])]))
  }
  return out
}

const sameStamps = (a: readonly FileStamp[], b: readonly FileStamp[]): boolean =>
  a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1] && x[2] === b[i]![2])

/**
 * The pieces to trust at start, or undefined to verify everything: no record, a damaged one, one
 * made for another folder or layout, or any file changed since it was made.
 */
export async function loadResume(
  profile: ProfileLayout,
  infoHash: string,
  downloadDir: string,
  layout: TorrentLayout,
): Promise<Uint8Array | undefined> {
  const file = profile.resumeRecord(infoHash)
  const read = await readBounded(file, MAX_RECORD_BYTES)
  if (!read.ok) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(read.value))
  } catch {
    return undefined
  }
  const r = recordSchema.safeParse(parsed)
  if (!r.success || r.data.downloadDir !== downloadDir) return undefined
  const bitfield = new Uint8Array(Buffer.from(r.data.bitfield, 'base64'))
  if (bitfield.length !== Math.ceil(layout.pieces / 8)) return undefined
  const paths = filePaths(layout)
  if (r.data.files.length !== paths.length || r.data.files.some((f, i) => f[0] !== paths[i])) return undefined
  return sameStamps(r.data.files, await stamps(downloadDir, paths)) ? bitfield : undefined
}

/**
 * The folder a torrent's record was made for, if it has a readable one. A record is also the
 * torrent's claim on its files (claimFiles): files at its paths in that folder are its own.
 */
export async function recordedFolder(profile: ProfileLayout, infoHash: string): Promise<string | undefined> {
  const file = profile.resumeRecord(infoHash)
  const read = await readBounded(file, MAX_RECORD_BYTES)
  if (!read.ok) return undefined
  try {
    const r = recordSchema.safeParse(JSON.parse(new TextDecoder().decode(read.value)))
    return r.success ? r.data.downloadDir : undefined
  } catch {
    return undefined
  }
}

/**
 * Records, before a download writes its first byte, that the files at its paths in `downloadDir`
 * are its own (holding nothing yet), so that after a crash its partial files are known as its
 * own, not as files someone else put there (service/operations/placement.ts).
 */
export async function claimFiles(
  profile: ProfileLayout,
  infoHash: string,
  downloadDir: string,
  layout: TorrentLayout,
): Promise<boolean> {
  return saveResume(profile, infoHash, downloadDir, layout, new Uint8Array(Math.ceil(layout.pieces / 8)), {
    flush: false,
  })
}

/** Every piece of the layout held: what a share's own hashing just established. */
export function fullBitfield(pieces: number): Uint8Array {
  const b = new Uint8Array(Math.ceil(pieces / 8)).fill(0xff)
  if (pieces % 8 !== 0) b[b.length - 1] = (0xff << (8 - (pieces % 8))) & 0xff
  return b
}

export interface SaveOptions {
  /**
   * Flush the files to disk first (what this node wrote itself): a record must never outlive, in
   * a power cut, the data it vouches for. A share's files were there before; they need not be.
   */
  readonly flush: boolean
  /** The files as they were before the caller hashed them (stampTree): one changed since is not vouched for. */
  readonly before?: ReadonlyMap<string, Readonly<Stamp>>
}

/**
 * Size and mtime of every regular file at or below `root`, by path below `downloadDir` (as a
 * record names them). Taken before a share's hash, compared after it: a file changed meanwhile
 * may not hold what was hashed. Symbolic links to folders are not followed (their files then
 * have no stamp, and the share is verified when added, as before).
 */
export async function stampTree(downloadDir: string, root: string): Promise<Map<string, Stamp>> {
  const out = new Map<string, Stamp>()
  const visit = async (p: string): Promise<void> => {
    const s = await stat(p, { bigint: true }).catch(() => undefined)
    if (s?.isFile() === true) out.set(path.relative(downloadDir, p), stampOf(s))
    if (s?.isDirectory() !== true) return
    const entries = await readdir(p, { withFileTypes: true }).catch(() => [])
    for (const e of entries) if (e.isFile() || e.isDirectory()) await visit(path.join(p, e.name))
  }
  await visit(root)
  return out
}

/**
 * Records `bitfield` with the files as they are now. Returns false, writing nothing, when that
 * cannot be vouched for (a file could not be flushed, or may have changed under the caller's hashing).
 */
export async function saveResume(
  profile: ProfileLayout,
  infoHash: string,
  downloadDir: string,
  layout: TorrentLayout,
  bitfield: Uint8Array,
  o: SaveOptions,
): Promise<boolean> {
  const paths = filePaths(layout)
  if (o.flush) {
    for (const f of paths) if (!(await flush(path.join(downloadDir, f)))) return false
  }
  const now = await stamps(downloadDir, paths)
  if (o.before !== undefined) {
    const before = o.before
    if (now.some(([f, size, mtime]) => size < 0 || before.get(f)?.[0] !== size || before.get(f)?.[1] !== mtime))
      return false
  }
  await mkdir(profile.torrents, { recursive: true, mode: PRIVATE_DIR_MODE })
  const record = { version: VERSION, downloadDir, bitfield: Buffer.from(bitfield).toString('base64'), files: now }
  await withLock(profile.dir, profile.lock, RECORD_LOCK, () =>
    writeAtomic(profile.resumeRecord(infoHash), JSON.stringify(record), `the resume record of torrent ${infoHash}`),
  )
  return true
}

// Nothing to flush in a file not there yet (nothing of it is vouched for), nor in one this process
// may not write (a read-only share: nothing wrote it here); one that cannot be flushed is not vouched for.
const NOT_OURS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS'])
async function flush(file: string): Promise<boolean> {
  const handle = await open(file, 'r+').catch((e: NodeJS.ErrnoException) =>
    NOT_OURS.has(e.code ?? '') ? null : undefined,
  )
  if (handle === null) return true
  if (handle === undefined) return false
  try {
    await handle.datasync()
    return true
  } catch {
    return false
  } finally {
    await handle.close()
  }
}
