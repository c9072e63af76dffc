/**
 * Retracting a share (issue 17): the owner takes one item out of a group. Its entry leaves the
 * profile in one locked update, so a running node stops seeding it at its next reload and the owner's
 * node publishes the next index version without it (node.ts #syncIndexes, as after a share); each
 * member's node, applying that index, drops the item too (group-index.ts `retractedShares`). The
 * files on disk are never touched, the owner's nor the members': what a member already downloaded
 * stays theirs (Coterie is not DRM). Only the owner can do it: the index is signed with the group's key.
 */
import type { ProfileStore } from '../../profile/index.js'
import { pathKey } from '../../protocol/file-names.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { findGroup } from './groups.js'

export interface Unshared {
  readonly infoHash: string
  readonly name: string
  readonly group: { readonly id: string; readonly name: string }
  /** Where the item's files are, and stay. */
  readonly downloadDir: string
}

/**
 * Takes the item named by `itemRef` (its infohash, or its name as the group lists it) out of the
 * group. Refused, with nothing changed: 'unknown-group', 'not-owner' (a group shared with us),
 * 'unknown-share' (the group has no such item).
 */
export async function unshare(store: ProfileStore, itemRef: string, groupRef: string): Promise<Unshared> {
  const { result } = await store.update((draft) => {
    const g = findGroup(draft, groupRef)
    if (!g.owner)
      throw new ServiceError(
        'not-owner',
        `"${g.name}" was shared with you: Transfers' Remove stops it on this computer.`,
      )
    const ref = itemRef.trim()
    const own = draft.torrents.filter((t) => t.groupId === g.id)
    // The infohash first (either case), then the name: a name is unique in its group as members
    // would write it (share.ts refuses a second one), so the looser comparison finds at most one.
    const t =
      own.find((x) => x.infoHash === ref.toLowerCase()) ??
      own.find((x) => x.name === ref) ??
      own.find((x) => pathKey([x.name]) === pathKey([ref]))
    if (t === undefined) throw new ServiceError('unknown-share', `"${g.name}" has no "${ref}".`)
    draft.torrents = draft.torrents.filter((x) => x !== t)
    return { infoHash: t.infoHash, name: t.name, group: { id: g.id, name: g.name }, downloadDir: t.downloadDir }
  })
  return result
}
