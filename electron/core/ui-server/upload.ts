/**
 * Browser mode's file drop: `PUT /upload?name=<relative path>` streams the body to
 * `<downloadDir>/Shared by me/<name>` (never buffered whole), without overwriting anything
 * ("film.bin" becomes "film (2).bin"), and answers `{"path": "<absolute path>"}` for the
 * client's `groups.share`. Names with "..", absolute paths, drive letters, backslashes or NUL are
 * refused; a body larger than the free disk space is refused before it is written when its
 * length is announced, and a partial file is deleted whatever interrupts it.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, rm, statfs } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'

export const SHARED_BY_ME = 'Shared by me'
const MAX_NAME_CHARS = 4096
const MAX_SEGMENT_CHARS = 255

export type UploadResult =
  | { readonly ok: true; readonly path: string }
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

export async function receiveUpload(req: IncomingMessage, name: string, downloadDir: string): Promise<UploadResult> {
  const segments = uploadSegments(name)
  if (segments === undefined)
    return { ok: false, status: 400, message: 'The file name must be a relative path without "..".' }
  const root = path.join(downloadDir, SHARED_BY_ME)
  const target = path.join(root, ...segments)
  if (!target.startsWith(root + path.sep))
    return { ok: false, status: 400, message: 'The file name leaves the upload folder.' }
  await mkdir(path.dirname(target), { recursive: true })

  const announced = Number(req.headers['content-length'])
  if (Number.isFinite(announced)) {
    const fs = await statfs(path.dirname(target)).catch(() => undefined)
    if (fs !== undefined && announced > fs.bavail * fs.bsize)
      return { ok: false, status: 507, message: 'There is not enough free disk space for this file.' }
  }
  // 'wx' fails if the file exists, so two uploads of one name at once still get two files.
  for (let n = 1; n < 1000; n++) {
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
      await pipeline(req, out)
      return { ok: true, path: file }
    } catch (e) {
      await rm(file, { force: true })
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOSPC')
        return { ok: false, status: 507, message: 'The disk filled up; the partial file was removed.' }
      return { ok: false, status: 400, message: 'The upload was interrupted; the partial file was removed.' }
    }
  }
  return { ok: false, status: 409, message: 'Too many files with this name already.' }
}
