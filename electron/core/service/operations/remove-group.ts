/**
 * Leaving a group (a member) or deleting it (the owner): the group goes from the profile with its
 * torrent entries in one locked update, then the files that were the group's alone go too: the
 * torrents' info files (the store drops those of entries it no longer names), the stored group
 * index and the rendezvous folder. The downloaded and shared files are never touched: they are
 * the user's own, wherever they are. A running node follows at its next reload: it stops every
 * torrent of the group, so nothing of it is announced or relayed any more.
 *
 * A member that leaves drops its certificate and the group secret; it revokes no one and tells
 * no one (its peers simply stop meeting it). The owner that deletes destroys the swarm key: no one
 * can renew a membership or publish in the group again, so members keep what they have and their
 * certificates run out at their expiry. That is why an owned group needs `deleteOwned`.
 */
import { rm } from 'node:fs/promises'
import { bytesToHex } from '../../protocol/bytes.js'
import type { ProfileStore } from '../../profile/index.js'
import { crashPoint } from '../../profile/crash-points.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { findGroup } from './groups.js'
import { rendezvousDir, rendezvousOf } from './rendezvous.js'

export interface RemovedGroup {
  readonly id: string
  readonly name: string
  /** True when the group was ours: it was deleted, its key destroyed. */
  readonly owner: boolean
  /** The infohashes of the group's torrents taken off the profile (their files stay on disk). */
  readonly torrents: readonly string[]
  /** Where those torrents' files are, and stay. */
  readonly downloadDirs: readonly string[]
}

export interface RemoveGroupOptions {
  /** Required to delete a group we own (it destroys the swarm key, for good). */
  readonly deleteOwned?: boolean
}

export async function removeGroup(
  store: ProfileStore,
  groupRef: string,
  o: RemoveGroupOptions = {},
): Promise<RemovedGroup> {
  const { result: removed } = await store.update((draft) => {
    const g = findGroup(draft, groupRef)
    if (g.owner && o.deleteOwned !== true) throw new ServiceError('owned-group', `"${g.name}" was not deleted.`)
    const torrents = draft.torrents.filter((t) => t.groupId === g.id)
    draft.groups = draft.groups.filter((x) => x.id !== g.id)
    draft.torrents = draft.torrents.filter((t) => t.groupId !== g.id)
    return {
      group: {
        id: g.id,
        name: g.name,
        owner: g.owner,
        torrents: torrents.map((t) => t.infoHash),
        downloadDirs: [...new Set(torrents.map((t) => t.downloadDir))],
      },
      swarm: g.swarmPublicKey,
      rendezvous: rendezvousOf(g),
    }
  })
  // After the commit, like the info files: a crash in between leaves an orphan (removed by the next
  // start's tidy), never a group whose index or rendezvous is missing. Nothing else names these files.
  crashPoint('remove-group:committed')
  await rm(store.layout.groupIndex(removed.swarm), { force: true })
  if (removed.rendezvous !== undefined)
    await rm(rendezvousDir(store.dir, bytesToHex(removed.rendezvous.infoHash)), { recursive: true, force: true })
  return removed.group
}
