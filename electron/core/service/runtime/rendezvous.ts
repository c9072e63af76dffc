/**
 * The node's side of the groups' rendezvous torrents (PROTOCOL.md §12.5): each group with one
 * runs it like any torrent of the group (same membership, topic, peers, trackers), from a folder
 * of its own in the profile, <profile>/rendezvous/<infohash>/. Its one small file is the id, which
 * the node writes itself, so every member seeds it from the start and no one has to fetch it.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { readBounded } from '../../platform/bounded-read.js'
import { join } from 'node:path'
import { bytesToHex, equalBytes } from '../../protocol/bytes.js'
import { RENDEZVOUS_FILE } from '../../protocol/rendezvous.js'
import type { Profile } from '../../profile/index.js'
import { rendezvousDir, rendezvousOf } from '../operations/rendezvous.js'

export interface RendezvousRun {
  readonly infoHash: string
  readonly groupId: string
  readonly info: Uint8Array
  readonly content: Uint8Array
  readonly downloadDir: string
}

/** The rendezvous torrents the profile's groups have, and where each is kept. */
export function rendezvousRuns(profile: Pick<Profile, 'groups'>, profileDir: string): RendezvousRun[] {
  return profile.groups.flatMap((g) => {
    const r = rendezvousOf(g)
    if (r === undefined) return []
    const infoHash = bytesToHex(r.infoHash)
    return [
      { infoHash, groupId: g.id, info: r.info, content: r.content, downloadDir: rendezvousDir(profileDir, infoHash) },
    ]
  })
}

/** Writes the rendezvous's file where the engine will look for it (unless it is there already). */
export async function placeRendezvous(run: RendezvousRun): Promise<void> {
  const file = join(run.downloadDir, RENDEZVOUS_FILE)
  // Read no more than the content it should hold: the folder is written by a torrent, i.e. by peers.
  const held = await readBounded(file, run.content.length)
  if (held.ok && equalBytes(held.value, run.content)) return
  await mkdir(run.downloadDir, { recursive: true, mode: 0o700 })
  await writeFile(file, run.content, { mode: 0o600 })
}
