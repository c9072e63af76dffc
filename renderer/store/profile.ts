/** Identity, friends and groups: refetched whole on 'profile.changed' (they are small). */
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
}

export const useProfile = create<Profile>((set) => ({
  identity: null,
  friends: [],
  groups: [],
  loaded: false,
  refresh: coalesced(async () => {
    const [identity, friends, groups] = await Promise.all([call('identity.get', {}), call('friends.list', {}), call('groups.list', {})])
    const problem = [identity, friends, groups].find((r) => !r.ok)
    if (problem && !problem.ok) toast('error', 'Could not load your profile', problem.error.message)
    set((s) => ({
      identity: identity.ok ? identity.value : s.identity,
      friends: friends.ok ? friends.value : s.friends,
      groups: groups.ok ? groups.value : s.groups,
      loaded: true,
    }))
  }),
}))

export const refreshProfile = (): Promise<void> => useProfile.getState().refresh()
