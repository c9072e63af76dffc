/**
 * Per-group speed limits: a local choice of this machine (members' nodes never hear of it), on
 * top of the global limits in the settings. A running node applies a change at once (the profile
 * changes, the node reloads and sets its engine's limits for that group's torrents).
 */
import type { ProfileStore } from '../../profile/index.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { findGroup } from './groups.js'

/** Bytes per second; null is no limit. */
export interface GroupLimits {
  readonly upload: number | null
  readonly download: number | null
}

/** What to change: a number sets a limit, null lifts it, absent leaves it as it is. */
export interface GroupLimitsChange {
  readonly upload?: number | null | undefined
  readonly download?: number | null | undefined
}

const isRate = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0

export const groupLimits = (g: {
  readonly uploadLimit?: number | undefined
  readonly downloadLimit?: number | undefined
}): GroupLimits => ({
  upload: g.uploadLimit ?? null,
  download: g.downloadLimit ?? null,
})

/** Sets or lifts a group's limits (owner or member alike); bad values change nothing. */
export async function setGroupLimits(
  store: ProfileStore,
  groupRef: string,
  change: GroupLimitsChange,
): Promise<GroupLimits> {
  for (const [what, v] of Object.entries(change)) {
    if (v !== undefined && v !== null && !isRate(v))
      throw new ServiceError('bad-limit', `The ${what} limit was ${String(v)}.`)
  }
  const { result } = await store.update((draft) => {
    const g = findGroup(draft, groupRef)
    if (change.upload !== undefined) {
      if (change.upload === null) delete g.uploadLimit
      else g.uploadLimit = change.upload
    }
    if (change.download !== undefined) {
      if (change.download === null) delete g.downloadLimit
      else g.downloadLimit = change.download
    }
    return groupLimits(g)
  })
  return result
}
