/**
 * Identity, friends and groups: refetched whole on 'profile.changed' (they are small); groups
 * whose members' connection state changed arrive alone on 'groups.changed' and are merged.
 */
import { create } from 'zustand'
import type { FriendView, GroupView, IdentityView } from '../../shared/ipc/views.js'
import { call, coalesced } from './api.js'
import { toast } from './toasts.js'

interface Profile {
  identity: IdentityView | null
  friends: FriendView[]
  groups: GroupView[]
  loaded: boolean
  refresh(): Promise<void>
  /** Replaces the groups named; one not known yet comes with the next refetch. */
  mergeGroups(changed: GroupView[]): void
}

export const useProfile = create<Profile>((set, get) => ({
  identity: null,
  friends: [],
  groups: [],
  loaded: false,
  refresh: coalesced(async () => {
    const [identity, friends, groups] = await Promise.all([
      call('identity.get', {}),
      call('friends.list', {}),
      call('groups.list', {}),
    ])
    const problem = [identity, friends, groups].find((r) => !r.ok)
    if (problem && !problem.ok) toast('error', 'Could not load your profile', problem.error.message)
    set((s) => ({
      identity: identity.ok ? identity.value : s.identity,
      friends: friends.ok ? friends.value : s.friends,
      groups: groups.ok ? groups.value : s.groups,
      loaded: true,
    }))
  }),
  mergeGroups(changed) {
    const byId = new Map(changed.map((g) => [g.id, g]))
    const groups = get().groups
    if (!groups.some((g) => byId.has(g.id))) return
    set({ groups: groups.map((g) => byId.get(g.id) ?? g) })
  },
}))

export const refreshProfile = (): Promise<void> => useProfile.getState().refresh()
