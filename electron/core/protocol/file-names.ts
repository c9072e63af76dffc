/**
 * Which file names a torrent may carry (docs/PROTOCOL.md §4.6). An info dictionary's names come
 * from whoever made the torrent, and every member's client turns them into paths on its own disk:
 * a name with `..`, a separator or an absolute path would write outside the download folder, a
 * Windows device name (NUL, COM1) or a name Windows rewrites (a trailing dot) would write
 * somewhere else than it says, and control or bidirectional characters make a name read as
 * another in a terminal or a file list. So a sharer refuses to make such a torrent and a member
 * refuses to write one; both check the same rule, here, and report the same typed reason.
 *
 * Pure: bytes in, a verdict out. Tested with the vectors in vectors/file-names-v1.json.
 */
import { err, ok, type Reason, type Result } from '../../../shared/result.js'
import type { NameErrorCode } from '../../../shared/protocol-codes.js'
import type { Decoded } from './canonical.js'
import { fromUtf8 } from './bytes.js'
import { decodeInfo, torrentLayout, type TorrentLayout } from './torrent-info.js'

/** Longest name component in UTF-8 bytes: what ext4, APFS and NTFS (in UTF-16 units) all take. */
export const MAX_NAME_COMPONENT_BYTES = 255
/** Most components in one file's path, the torrent's name included: bounds the work and the depth on disk. */
export const MAX_PATH_COMPONENTS = 64

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u
/** Bidirectional formatting (Unicode UAX #9): marks, embeddings, overrides and isolates. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u
/** What Windows does not allow in a name; `:` also names an NTFS alternate stream of another file. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/u
/** Windows device names, with or without an extension, in any case ("nul.txt" is NUL too). */
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])$/u

const fail = (code: NameErrorCode) => err<Reason<NameErrorCode>>({ code })

/**
 * Checks one path component (already decoded). Order matters for the code reported, and is the
 * order of PROTOCOL.md §4.6.
 */
export function checkNameComponent(name: string): Result<string, Reason<NameErrorCode>> {
  if (name === '') return fail('empty')
  if (name === '.' || name === '..') return fail('dot')
  if (name.includes('/') || name.includes('\\')) return fail('separator')
  if (CONTROL.test(name)) return fail('control')
  if (BIDI.test(name)) return fail('bidi')
  if (WINDOWS_FORBIDDEN.test(name)) return fail('forbidden-character')
  if (/[. ]$/u.test(name)) return fail('trailing-dot-or-space')
  // Windows ignores what follows the first dot, and trailing spaces before it ("NUL .txt").
  if (RESERVED.test(name.split('.')[0]!.trimEnd().toLowerCase())) return fail('reserved')
  if (new TextEncoder().encode(name).length > MAX_NAME_COMPONENT_BYTES) return fail('too-long')
  return ok(name)
}

function checkRaw(v: Decoded | undefined): Result<string, Reason<NameErrorCode>> {
  if (!(v instanceof Uint8Array)) return fail('malformed')
  const s = fromUtf8(v)
  return s === undefined ? fail('not-utf8') : checkNameComponent(s)
}

function checkPathList(v: Decoded | undefined): Result<string[], Reason<NameErrorCode>> {
  if (!Array.isArray(v)) return fail('malformed')
  if (v.length === 0) return fail('empty')
  if (v.length + 1 > MAX_PATH_COMPONENTS) return fail('too-deep')
  const out: string[] = []
  for (const part of v) {
    const r = checkRaw(part)
    if (!r.ok) return r
    out.push(r.value)
  }
  return ok(out)
}

/**
 * How two paths compare on a case-insensitive, normalization-insensitive disk (Windows, macOS):
 * NFC, then Unicode's default lower-case mapping, no locale.
 */
export const pathKey = (parts: readonly string[]): string =>
  parts.map((p) => p.normalize('NFC').toLowerCase()).join('/')

/**
 * The layout of an info dictionary whose every name is safe to write, or why not. Checks `name`,
 * `name.utf-8`, and each file's `path` and `path.utf-8`, whichever are present (clients differ in
 * which they prefer), then that no two files land on one path and no file is another's folder.
 */
export function safeLayout(info: { [key: string]: Decoded }): Result<TorrentLayout, Reason<NameErrorCode>> {
  for (const key of ['name', 'name.utf-8'] as const) {
    if (key === 'name.utf-8' && info[key] === undefined) continue
    const r = checkRaw(info[key])
    if (!r.ok) return r
  }
  if (info.files !== undefined) {
    if (!Array.isArray(info.files)) return fail('malformed')
    for (const f of info.files) {
      if (typeof f !== 'object' || f instanceof Uint8Array || Array.isArray(f)) return fail('malformed')
      for (const key of ['path', 'path.utf-8'] as const) {
        if (key === 'path.utf-8' && f[key] === undefined) continue
        const r = checkPathList(f[key])
        if (!r.ok) return r
      }
    }
  }
  const layout = torrentLayout(info)
  if (layout === undefined) return fail('malformed')
  const files = new Set<string>()
  const folders = new Set<string>()
  for (const f of layout.files) {
    const key = pathKey(f.path)
    if (files.has(key) || folders.has(key)) return fail('duplicate')
    files.add(key)
    for (let i = 1; i < f.path.length; i++) folders.add(pathKey(f.path.slice(0, i)))
  }
  for (const key of files) if (folders.has(key)) return fail('duplicate')
  return ok(layout)
}

/** safeLayout of raw info-dictionary bytes (canonical bencode). */
export function safeLayoutOfInfo(infoBytes: Uint8Array): Result<TorrentLayout, Reason<NameErrorCode>> {
  const d = decodeInfo(infoBytes, infoBytes.length)
  return d === undefined ? fail('malformed') : safeLayout(d)
}
