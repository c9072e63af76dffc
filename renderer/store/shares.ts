/** Hashing progress of shares under way, per group, from 'share.progress' (a share has no torrent view until hashed). */
import { create } from 'zustand'
import type { EventOf } from '../../shared/ipc/contract.js'

type Progress = Omit<EventOf<'share.progress'>, 'group'>

interface Shares {
  byGroup: Record<string, Progress>
  update(p: EventOf<'share.progress'>): void
  clear(group: string): void
}

export const useShares = create<Shares>((set, get) => ({
  byGroup: {},
  update({ group, ...progress }) {
    set({ byGroup: { ...get().byGroup, [group]: progress } })
  },
  clear(group) {
    const { [group]: _gone, ...rest } = get().byGroup
    set({ byGroup: rest })
  },
}))
