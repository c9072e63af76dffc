/** Feeds the stores from the main side's events; no polling anywhere an event exists. */
import type { CoterieApi } from '../../shared/ipc/contract.js'
import { useInvite } from './invite.js'
import { refreshProfile, useProfile } from './profile.js'
import { useSettings } from './settings.js'
import { useShares } from './shares.js'
import { toast } from './toasts.js'
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
    api.on('notice', (n) => toast(n.kind === 'error' ? 'error' : n.kind === 'download-finished' ? 'success' : 'info', n.title, n.body)),
    api.on('invite.opened', ({ file, preview }) => useInvite.getState().show(file, preview)),
  ]
  return () => offs.forEach((off) => off())
}

/** Everything, fetched at start and after a reconnection (events may have been missed meanwhile). */
export const loadAll = (): Promise<unknown> =>
  Promise.all([refreshProfile(), useTorrents.getState().refresh(), useSettings.getState().refresh()])
