/**
 * The swarm key inside a torrent's info dictionary. Because it sits in `info`, the infohash
 * (SHA-1 of the bencoded info dictionary, BEP 3) commits to it: strip or swap the key and the
 * result is another torrent, in another, empty swarm.
 */
import { sha1 } from '@noble/hashes/legacy.js'
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
