/**
 * A group's rendezvous torrent (PROTOCOL.md §12.5) as the profile keeps it: only its id, in the
 * group; the info dictionary is rebuilt from the id and the swarm key whenever it is needed. The
 * owner draws the id (at group creation, or later for a group made before rendezvous existed);
 * members take it from the invite or the index, where it travels among the torrents. It is not a
 * share: it never enters the profile's torrent list, so no list of shares shows it.
 */
import { join } from 'node:path'
import { hexToBytes, randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { asRendezvous, rendezvousTorrent, RENDEZVOUS_ID_BYTES, type Rendezvous } from '../../protocol/rendezvous.js'
import type { Group } from '../../profile/index.js'

/** The group's rendezvous torrent, if it has one. */
export function rendezvousOf(g: Pick<Group, 'swarmPublicKey' | 'rendezvous'>): Rendezvous | undefined {
  return g.rendezvous === undefined
    ? undefined
    : rendezvousTorrent(hexToBytes(g.swarmPublicKey), hexToBytes(g.rendezvous))
}

/** Where a node keeps a group's rendezvous torrent: <profile>/rendezvous/<infohash>/. */
export const rendezvousDir = (profileDir: string, infoHashHex: string): string =>
  join(profileDir, 'rendezvous', infoHashHex)

/** Owner: gives the group a rendezvous if it has none; true if it drew one. */
export function ensureRendezvous(g: Group): boolean {
  if (!g.owner || g.rendezvous !== undefined) return false
  g.rendezvous = bytesToHex(randomBytes(RENDEZVOUS_ID_BYTES))
  return true
}

/**
 * Member: of the torrents an invite or an index carries, takes the group's rendezvous (into `g`)
 * and returns the others, the shares, in their order.
 */
export function takeRendezvous(g: Group, torrents: readonly Uint8Array[]): Uint8Array[] {
  const swarm = hexToBytes(g.swarmPublicKey)
  return torrents.filter((info) => {
    const r = asRendezvous(info, swarm)
    if (r !== undefined) g.rendezvous = bytesToHex(r.id)
    return r === undefined
  })
}

/** The torrents a group's invite or index carries: its rendezvous first, then its shares. */
export function withRendezvous(
  g: Pick<Group, 'swarmPublicKey' | 'rendezvous'>,
  shares: readonly Uint8Array[],
): Uint8Array[] {
  const r = rendezvousOf(g)
  return r === undefined ? [...shares] : [r.info, ...shares]
}

/** Whether an info dictionary of the group `swarmHex` is its rendezvous (not a share). */
export const isRendezvous = (info: Uint8Array, swarmHex: string): boolean =>
  asRendezvous(info, hexToBytes(swarmHex)) !== undefined
