/**
 * Dropping files or folders on a group. Electron hands us their paths (webUtils.getPathForFile via
 * the preload); a browser cannot, so browser mode uploads them to the engine's machine first (under
 * "Shared by me", in the group's own folder, keeping folder structure) and shares what the server
 * stored; a name the server had to change there is reported, never passed over in silence.
 */
import type { CoterieApi, IpcErrorCode } from '../../shared/ipc/contract.js'
import type { Problem, Result } from '../../shared/result.js'
import type { BrowserClient } from '../ipc/browser.js'

/** One dropped or picked thing: a file, or a folder's files with paths relative to the drop. */
export type Dropped =
  { kind: 'file'; file: File } | { kind: 'folder'; name: string; files: { file: File; rel: string }[] }

export type ShareProgress =
  { phase: 'uploading'; sent: number; total: number; file: string } | { phase: 'hashing'; items: number }

/** A folder larger than this many files is refused rather than half-uploaded. */
export const MAX_FOLDER_FILES = 10_000
/** groups.share takes at most this many paths per request (contract). */
const SHARE_BATCH = 100

/** Reads what a drop carries. Must be called inside the drop handler: the DataTransfer empties after it. */
export function readDrop(dt: DataTransfer): { files: File[]; entries: (FileSystemEntry | null)[] } {
  return {
    files: [...dt.files],
    entries: [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry()),
  }
}

/** Walks dropped entries into files with relative paths (browser mode only needs this). */
export async function collect(entries: (FileSystemEntry | null)[], files: File[]): Promise<Result<Dropped[], string>> {
  const out: Dropped[] = []
  for (const [i, entry] of entries.entries()) {
    if (entry?.isDirectory) {
      const list: { file: File; rel: string }[] = []
      const r = await walk(entry as FileSystemDirectoryEntry, entry.name, list)
      if (!r.ok) return r
      out.push({ kind: 'folder', name: entry.name, files: list })
    } else {
      const f = files[i]
      if (f) out.push({ kind: 'file', file: f })
    }
  }
  return { ok: true, value: out }
}

async function walk(
  dir: FileSystemDirectoryEntry,
  prefix: string,
  into: { file: File; rel: string }[],
): Promise<Result<void, string>> {
  const reader = dir.createReader()
  // readEntries answers in batches; an empty batch means the end.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej))
    if (batch.length === 0) return { ok: true, value: undefined }
    for (const e of batch) {
      if (into.length >= MAX_FOLDER_FILES)
        return {
          ok: false,
          error: `“${prefix}” holds more than ${MAX_FOLDER_FILES} files; share its sub-folders separately.`,
        }
      if (e.isDirectory) {
        const r = await walk(e as FileSystemDirectoryEntry, `${prefix}/${e.name}`, into)
        if (!r.ok) return r
      } else {
        const file = await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej))
        into.push({ file, rel: `${prefix}/${e.name}` })
      }
    }
  }
}

/** Files picked with an <input webkitdirectory> carry their relative path already. */
export function fromPicked(files: File[]): Dropped[] {
  const folders = new Map<string, { file: File; rel: string }[]>()
  const out: Dropped[] = []
  for (const f of files) {
    const rel = f.webkitRelativePath
    if (!rel) {
      out.push({ kind: 'file', file: f })
      continue
    }
    const top = rel.split('/')[0]!
    if (!folders.has(top)) folders.set(top, [])
    folders.get(top)!.push({ file: f, rel })
  }
  for (const [name, list] of folders) out.push({ kind: 'folder', name, files: list })
  return out
}

/**
 * Where a folder landed on the server, from where one of its files landed: drop the file's
 * relative segments below the folder. Works for / and \ separators.
 */
export function folderRoot(storedFile: string, rel: string): string {
  const depth = rel.split('/').length - 1
  const parts = storedFile.split(/([\\/])/)
  // parts alternates name, separator, name...: remove `depth` names and their separators.
  return parts.slice(0, parts.length - 2 * depth).join('')
}

/** The last segment of a path the server gave, whatever its separator. */
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p

type Fail = Problem<IpcErrorCode | 'empty'>

/**
 * Browser mode: the group whose upload folder takes the files, and who hears of a name the server
 * had to change because that folder already held a file of it (`stored` is the path it got).
 */
export interface UploadTarget {
  group: string
  renamed(asked: string, stored: string): void
}

/** Turns drops into paths on the engine's machine: directly (Electron) or by uploading (browser). */
export async function pathsFor(
  api: CoterieApi,
  dropped: Dropped[],
  electronFiles: File[] | null,
  onProgress: (p: ShareProgress) => void,
  target?: UploadTarget,
): Promise<Result<string[], Fail>> {
  if (api.pathForFile) {
    const pathOf = api.pathForFile
    // A drop hands over its top-level files and folders as they are; a folder picked with
    // "Choose a folder…" arrives as its files, so share the folder they sit in.
    const paths = electronFiles
      ? electronFiles.map((f) => pathOf(f))
      : dropped.map((d) =>
          d.kind === 'file' ? pathOf(d.file) : d.files[0] ? folderRoot(pathOf(d.files[0].file), d.files[0].rel) : '',
        )
    const found = paths.filter((p) => p !== '')
    return found.length
      ? { ok: true, value: found }
      : { ok: false, error: { code: 'empty', message: 'Nothing to share in what was dropped.' } }
  }
  const uploader = api as BrowserClient
  if (typeof uploader.uploadAs !== 'function')
    return { ok: false, error: { code: 'unavailable', message: 'This window cannot send files to Coterie.' } }
  const all = dropped.flatMap((d) => (d.kind === 'file' ? [{ file: d.file, rel: d.file.name }] : d.files))
  if (all.length === 0)
    return {
      ok: false,
      error: { code: 'empty', message: 'Nothing to share in what was dropped (empty folders are skipped).' },
    }
  const total = all.reduce((n, f) => n + f.file.size, 0)
  let done = 0
  const paths: string[] = []
  for (const d of dropped) {
    const items = d.kind === 'file' ? [{ file: d.file, rel: d.file.name }] : d.files
    let root: string | null = null
    // A folder's first file makes the folder anew on the server ("Photos (2)" if "Photos" is
    // there); the rest follow into the folder it got, under its name.
    let top: string | null = null
    for (const { file, rel: asked } of items) {
      const rel = top === null ? asked : [top, ...asked.split('/').slice(1)].join('/')
      onProgress({ phase: 'uploading', sent: done, total, file: rel })
      const r = await uploader.uploadAs(
        file,
        rel,
        (sent) => onProgress({ phase: 'uploading', sent: done + sent, total, file: rel }),
        { ...(target && { group: target.group }), freshFolder: d.kind === 'folder' && top === null },
      )
      if (!r.ok) return r
      done += file.size
      if (root === null) {
        root = d.kind === 'file' ? r.value.path : folderRoot(r.value.path, rel)
        if (d.kind === 'folder') top = baseName(root)
        if (r.value.renamed) target?.renamed(d.kind === 'file' ? rel : d.name, root)
      } else if (r.value.renamed) target?.renamed(rel, r.value.path)
    }
    if (root !== null) paths.push(root)
  }
  return { ok: true, value: paths }
}

/** What to tell the person of names the upload folder already held (never renamed in silence). */
export function renamedText(renamed: readonly { asked: string; stored: string }[]): [string, string] {
  const first = renamed[0]!
  const folder = first.stored.slice(0, first.stored.length - baseName(first.stored).length - 1)
  const title =
    renamed.length === 1
      ? `“${first.asked}” is shared as “${baseName(first.stored)}”`
      : `${renamed.length} items are shared under new names`
  return [title, `Something of that name was already in ${folder}, and nothing there is ever overwritten.`]
}

export const batches = <T>(xs: T[], n = SHARE_BATCH): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n))
