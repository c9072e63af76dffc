/**
 * Browser mode's file drop: `PUT /upload?name=<relative path>&group=<group id>` streams the body to
 * `<downloadDir>/Shared by me/<group's folder>/<name>` (never buffered whole): a folder per group
 * (issue 17), so a file of one group never makes another group's file of that name get renamed.
 * Nothing is overwritten: where the name is taken in that folder, "film.bin" becomes "film (2).bin"
 * and the answer says so (`renamed`), for the page to tell the person; it answers
 * `{"path": "<absolute path>", "renamed": bool}` for the client's `groups.share`. Names with "..",
 * absolute paths, drive letters, backslashes or NUL are refused; a body larger than the free disk
 * space is refused before it is written when its length is announced, and a partial file is deleted
 * whatever interrupts it. A body sent without a length (chunked) is counted as it streams and cut
 * off at the same cap (issue 15: it had none). The first file of a dropped folder comes with
 * `&fresh=1`: the folder is then made anew ("Photos (2)" beside an earlier "Photos", said as
 * renamed), and the rest of its files follow into the folder its answer names.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, rm, statfs } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const SHARED_BY_ME = 'Shared by me'
const MAX_NAME_CHARS = 4096
const MAX_SEGMENT_CHARS = 255
/** Largest file one upload may write, whatever the disk has free: far beyond any file a person drops. */
export const MAX_UPLOAD_BYTES = 1024 ** 4 // 1 TiB
/** How many "name (n)" to try before refusing: bounds the work of one upload. */
const MAX_SAME_NAME = 1000

/** Thrown inside the pipeline when a body passes its cap. */
class TooLarge extends Error {}

export type UploadResult =
  | { readonly ok: true; readonly path: string; readonly renamed: boolean }
  | { readonly ok: false; readonly status: number; readonly message: string }

/** The name's path segments, or undefined when it tries to leave the folder or is not a plain name. */
export function uploadSegments(name: string): string[] | undefined {
  if (name.length === 0 || name.length > MAX_NAME_CHARS || name.includes('\0') || name.includes('\\')) return undefined
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return undefined
  const segments = name.split('/')
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.length > MAX_SEGMENT_CHARS) return undefined
    if (/[\u0000-\u001f]/.test(s)) return undefined
    // A colon in any segment: a drive letter ("a/C:x") or, on NTFS, an alternate data stream of
    // another file ("a/x:y" writes a stream of "x"), never a plain name (found by the fuzzer;
    // shares refuse ':' too, docs/PROTOCOL.md §4.6).
    if (s.includes(':')) return undefined
  }
  return segments
}

function candidate(file: string, n: number): string {
  if (n === 1) return file
  const ext = path.extname(file)
  return `${file.slice(0, file.length - ext.length)} (${n})${ext}`
}

/** Makes `<root>/<name>` or the first free "<name> (n)", atomically (mkdir fails on one that exists); its name. */
async function newFolder(root: string, name: string): Promise<string | undefined> {
  await mkdir(root, { recursive: true })
  for (let n = 1; n < MAX_SAME_NAME; n++) {
    const chosen = n === 1 ? name : `${name} (${n})`
    const made = await mkdir(path.join(root, chosen)).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return false
        throw e
      },
    )
    if (made) return chosen
  }
  return undefined
}

/**
 * Where uploads for a group go: `<downloadDir>/Shared by me/<folder>`, the folder named after the
 * group as its download folder would be (groupFolderName); without a group (an older page), the
 * "Shared by me" folder itself.
 */
export const uploadRoot = (downloadDir: string, folder?: string): string =>
  folder === undefined ? path.join(downloadDir, SHARED_BY_ME) : path.join(downloadDir, SHARED_BY_ME, folder)

/**
 * Writes the body under `root` (uploadRoot). `maxBytes` (default MAX_UPLOAD_BYTES) is the cap; the
 * free disk space, when known, lowers it. The cap holds whether the length is announced (refused
 * before a byte is written) or not (cut off there).
 */
export async function receiveUpload(
  req: IncomingMessage,
  name: string,
  root: string,
  maxBytes = MAX_UPLOAD_BYTES,
  freshFolder = false,
): Promise<UploadResult> {
  const segments = uploadSegments(name)
  if (segments === undefined)
    return { ok: false, status: 400, message: 'The file name must be a relative path without "..".' }
  // The first file of a dropped folder starts it anew ("Photos (2)" when "Photos" is there), so a
  // folder dropped twice is never shared mixed with what the first drop left.
  let folderRenamed = false
  if (freshFolder && segments.length > 1) {
    const top = await newFolder(root, segments[0]!)
    if (top === undefined) return { ok: false, status: 409, message: 'Too many folders with this name already.' }
    folderRenamed = top !== segments[0]
    segments[0] = top
  }
  const target = path.join(root, ...segments)
  if (!target.startsWith(root + path.sep))
    return { ok: false, status: 400, message: 'The file name leaves the upload folder.' }
  await mkdir(path.dirname(target), { recursive: true })

  const fs = await statfs(path.dirname(target)).catch(() => undefined)
  const free = fs === undefined ? Infinity : fs.bavail * fs.bsize
  const cap = Math.min(maxBytes, free)
  const tooLarge = (): UploadResult =>
    cap === maxBytes
      ? { ok: false, status: 413, message: `The file is larger than the ${maxBytes} bytes an upload may write.` }
      : { ok: false, status: 507, message: 'There is not enough free disk space for this file.' }
  const announced = Number(req.headers['content-length'])
  if (req.headers['content-length'] !== undefined && Number.isFinite(announced) && announced > cap) return tooLarge()
  let received = 0
  const counted = () =>
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length
        done(received > cap ? new TooLarge() : null, chunk)
      },
    })
  // 'wx' fails if the file exists, so two uploads of one name at once still get two files.
  for (let n = 1; n < MAX_SAME_NAME; n++) {
    const file = candidate(target, n)
    const out = createWriteStream(file, { flags: 'wx', mode: 0o644 })
    const opened = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      out.once('open', () => resolve(undefined))
      out.once('error', (e: NodeJS.ErrnoException) => resolve(e))
    })
    if (opened?.code === 'EEXIST') continue
    if (opened !== undefined)
      return { ok: false, status: 500, message: `The file could not be created: ${opened.code ?? opened.message}.` }
    try {
      await pipeline(req, counted(), out)
      return { ok: true, path: file, renamed: n > 1 || folderRenamed }
    } catch (e) {
      await rm(file, { force: true })
      if (e instanceof TooLarge) return tooLarge()
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOSPC')
        return { ok: false, status: 507, message: 'The disk filled up; the partial file was removed.' }
      return { ok: false, status: 400, message: 'The upload was interrupted; the partial file was removed.' }
    }
  }
  return { ok: false, status: 409, message: 'Too many files with this name already.' }
}
