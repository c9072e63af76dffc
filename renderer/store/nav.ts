/** Which screen is showing. Kept out of the URL: the address bar is where browser mode's token arrived. */
import { create } from 'zustand'

export const SCREENS = ['you', 'friends', 'groups', 'transfers', 'invites', 'settings'] as const
export type Screen = (typeof SCREENS)[number]

interface Nav {
  screen: Screen
  /** The group open in Groups, if any. */
  group: string | null
  go(screen: Screen, group?: string | null): void
}

export const useNav = create<Nav>((set) => ({
  screen: 'you',
  group: null,
  go: (screen, group) => set((s) => ({ screen, group: group === undefined ? s.group : group })),
}))
