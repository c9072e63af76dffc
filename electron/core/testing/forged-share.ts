/**
 * What a modified owner's client can put in its group's index and invites: a torrent of the group
 * whose names the reference refuses to make (share() checks PROTOCOL.md §4.6, this does not). Its
 * profile entry is named plainly, as the owner's profile schema requires; the name members see is
 * the info dictionary's. For tests of what members do with it.
 */
import { encode } from '../protocol/canonical.js'
import { utf8 } from '../protocol/bytes.js'
import { INFO_SWARM_KEY } from '../protocol/constants.js'
import type { ProfileStore } from '../profile/index.js'

/** Adds the forged torrent to `group` (name or id) of the owner's profile; returns its infohash. */
export async function forgeShare(owner: ProfileStore, group: string, name: string, folder: string): Promise<string> {
  let infoHash = ''
  await owner.update((d, ctx) => {
    const g = d.groups.find((x) => x.name === group || x.id === group)
    if (g === undefined) throw new Error(`forgeShare: no group ${group}`)
    const info = encode({
      length: 1000,
      name: utf8(name),
      'piece length': 16384,
      pieces: new Uint8Array(20).fill(7),
      [INFO_SWARM_KEY]: Uint8Array.from(Buffer.from(g.swarmPublicKey, 'hex')),
    })
    infoHash = ctx.putTorrentInfo(info)
    d.torrents.push({
      infoHash,
      groupId: g.id,
      name: 'forged',
      downloadDir: folder,
      addedAt: new Date().toISOString(),
      paused: false,
    })
  })
  return infoHash
}
