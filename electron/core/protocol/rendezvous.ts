/**
 * A group's rendezvous torrent (docs/PROTOCOL.md §12.5): a tiny closed torrent that every member
 * joins and seeds, so that members of a group always have a swarm to meet in, under the group's
 * private topic, even before anything is shared. Its connections run the handshake, sealing, pex
 * and index exchange of any closed torrent; it carries no share.
 *
 *   d 18:coterie-rendezvous 32:<id>  13:coterie-swarm 32:<swarm key>  6:length i32e
 *     4:name 18:coterie-rendezvous  12:piece length i16384e  6:pieces 20:<SHA-1(id)>  7:private i1e  e
 *
 * One file of 32 bytes, the id itself, so a node that holds the info dictionary writes the content
 * and seeds it without fetching anything. The id is random (drawn by the owner once per group), so
 * the rendezvous's infohash cannot be computed from a leaked torrent's swarm key.
 */
import { sha1 } from '@noble/hashes/legacy.js'
import { equalBytes } from './bytes.js'
import { encode } from './canonical.js'
import { INFO_RENDEZVOUS, INFO_SWARM_KEY, KEY_BYTES } from './constants.js'
import { decodeInfo, infoHashOf } from './torrent-info.js'

export const RENDEZVOUS_ID_BYTES = 32
/** The file's name, and where it lies under the torrent's folder. */
export const RENDEZVOUS_FILE = 'coterie-rendezvous'
const PIECE_LENGTH = 16384

export interface Rendezvous {
  readonly id: Uint8Array
  /** The raw info dictionary: what invites and indexes carry. */
  readonly info: Uint8Array
  readonly infoHash: Uint8Array
  /** The one file's content (the id). */
  readonly content: Uint8Array
}

/** The rendezvous torrent of the group `swarm` with this id. Throws on bad lengths (a caller's bug). */
export function rendezvousTorrent(swarm: Uint8Array, id: Uint8Array): Rendezvous {
  if (swarm.length !== KEY_BYTES || id.length !== RENDEZVOUS_ID_BYTES)
    throw new RangeError('rendezvousTorrent: bad lengths')
  const info = encode({
    [INFO_RENDEZVOUS]: id,
    [INFO_SWARM_KEY]: swarm,
    length: id.length,
    name: RENDEZVOUS_FILE,
    'piece length': PIECE_LENGTH,
    pieces: sha1(id),
    private: 1,
  })
  return { id: id.slice(), info, infoHash: infoHashOf(info), content: id.slice() }
}

/**
 * The rendezvous an info dictionary is, if it is one: it names the rendezvous marker and is, byte
 * for byte, the rendezvous torrent of `swarm` with that id. Anything else with the marker is not a
 * rendezvous (undefined), and is treated as an ordinary torrent by whoever checks it.
 */
export function asRendezvous(info: Uint8Array, swarm: Uint8Array): Rendezvous | undefined {
  const d = decodeInfo(info, 1024)
  const id = d?.[INFO_RENDEZVOUS]
  if (!(id instanceof Uint8Array) || id.length !== RENDEZVOUS_ID_BYTES || swarm.length !== KEY_BYTES) return undefined
  const r = rendezvousTorrent(swarm, id)
  return equalBytes(r.info, info) ? r : undefined
}
