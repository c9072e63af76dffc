/**
 * The swarm key inside a torrent's info dictionary. Because it sits in `info`, the infohash
 * (SHA-1 of the bencoded info dictionary, BEP 3) commits to it: strip or swap the key and the
 * result is another torrent, in another, empty swarm.
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { concatBytes, fromUtf8, utf8 } from './bytes.js'
import { decodeCanonical, type Decoded } from './canonical.js'
import { INFO_SWARM_KEY, KEY_BYTES } from './constants.js'
import { isValidPublicKey } from './keys.js'

export const infoHashOf = (infoBytes: Uint8Array): Uint8Array => sha1(infoBytes)

/** The swarm key of a decoded info dictionary, or undefined if it is not a valid Coterie torrent. */
export function swarmKeyOfInfo(info: unknown): Uint8Array | undefined {
  if (typeof info !== 'object' || info === null || info instanceof Uint8Array || Array.isArray(info)) return undefined
  const key = (info as Record<string, unknown>)[INFO_SWARM_KEY]
  return key instanceof Uint8Array && key.length === KEY_BYTES && isValidPublicKey(key) ? key : undefined
}

/** Decodes raw info-dictionary bytes (canonical only, as the infohash depends on them). */
export function decodeInfo(infoBytes: Uint8Array, maxBytes: number): { [key: string]: Decoded } | undefined {
  const d = decodeCanonical(infoBytes, maxBytes)
  return typeof d === 'object' && !(d instanceof Uint8Array) && !Array.isArray(d) ? d : undefined
}

/** An info dictionary's files as clients lay them out on disk, and its number of pieces. */
export interface TorrentLayout {
  readonly pieces: number
  /** Path components below the download folder (the torrent's name first), and each file's length. */
  readonly files: readonly { readonly path: readonly string[]; readonly length: number }[]
}

const text = (v: Decoded | undefined): string | undefined => (v instanceof Uint8Array ? fromUtf8(v) : undefined)
const size = (v: Decoded | undefined): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined

/**
 * BEP 3's layout: one file is `name`; several are `name/<path...>` in the order listed. Prefers
 * `name.utf-8` and `path.utf-8` as webtorrent's parser does, so both name the same files.
 * Undefined for a dictionary that is not well formed (the caller then trusts nothing on disk).
 */
export function torrentLayout(info: { [key: string]: Decoded }): TorrentLayout | undefined {
  const name = text(info['name.utf-8'] ?? info.name)
  const pieces = info.pieces
  if (name === undefined || name === '' || !(pieces instanceof Uint8Array) || pieces.length % 20 !== 0) return undefined
  const layout = { pieces: pieces.length / 20 }
  if (info.files === undefined) {
    const length = size(info.length)
    return length === undefined ? undefined : { ...layout, files: [{ path: [name], length }] }
  }
  if (!Array.isArray(info.files) || info.files.length === 0) return undefined
  const files: { path: string[]; length: number }[] = []
  for (const f of info.files) {
    if (typeof f !== 'object' || f instanceof Uint8Array || Array.isArray(f)) return undefined
    const raw = f['path.utf-8'] ?? f.path
    const length = size(f.length)
    if (!Array.isArray(raw) || length === undefined) return undefined
    const parts = raw.map(text)
    if (parts.some((p) => p === undefined)) return undefined
    files.push({ path: [name, ...(parts as string[])], length })
  }
  return { ...layout, files }
}

/** torrentLayout of raw info-dictionary bytes. */
export function layoutOfInfo(infoBytes: Uint8Array): TorrentLayout | undefined {
  const d = decodeInfo(infoBytes, infoBytes.length)
  return d === undefined ? undefined : torrentLayout(d)
}

/**
 * The plain .torrent of an info dictionary (BEP 3: a dictionary whose only key is `info`), as
 * webtorrent takes it and as `coterie export-torrent` writes it. The info bytes go in as they
 * are, never re-encoded, so the infohash stays the one the group knows.
 */
export const plainTorrent = (infoBytes: Uint8Array): Uint8Array => concatBytes(utf8('d4:info'), infoBytes, utf8('e'))
