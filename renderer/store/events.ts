/** Feeds the stores from the main side's events; no polling anywhere an event exists. */
import type { CoterieApi, EventOf } from '../../shared/ipc/contract.js'
import { finishedKey, finishedText } from '../../shared/ui/notice-text.js'
import { useInvite } from './invite.js'
import { refreshProfile, useProfile } from './profile.js'
import { useSettings } from './settings.js'
import { useShares } from './shares.js'
import { toast, useToasts } from './toasts.js'
import { useTorrents } from './torrents.js'

export function connectStores(api: CoterieApi): () => void {
  const offs = [
    api.on('profile.changed', () => {
      void refreshProfile()
      void useSettings.getState().refresh()
    }),
    api.on('groups.changed', ({ changed }) => useProfile.getState().mergeGroups(changed)),
    api.on('torrents.changed', (change) => useTorrents.getState().merge(change)),
    api.on('share.progress', (progress) => useShares.getState().update(progress)),
    api.on('notice', (n) => notice(n)),
    api.on('invite.opened', ({ file, preview }) => useInvite.getState().show(file, preview)),
  ]
  return () => offs.forEach((off) => off())
}

/** Everything, fetched at start and after a reconnection (events may have been missed meanwhile). */
export const loadAll = (): Promise<unknown> =>
  Promise.all([refreshProfile(), useTorrents.getState().refresh(), useSettings.getState().refresh()])

/**
 * A finished download is one line per group, counting ("4 items finished in “Film club”"), not one
 * toast per file covering the screen; other notices pass as they are.
 */
export function notice(n: EventOf<'notice'>): void {
  if (n.kind !== 'download-finished') return toast(n.kind === 'error' ? 'error' : 'info', n.title, n.body)
  const groupId = n.infoHash ? useTorrents.getState().byHash[n.infoHash]?.groupId : undefined
  const group = groupId ? useProfile.getState().groups.find((g) => g.id === groupId)?.name : undefined
  useToasts.getState().coalesce(finishedKey(groupId), 'success', (count) => finishedText(count, group, n.body, n.title))
}
