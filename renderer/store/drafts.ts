/**
 * What the user was in the middle of, kept while they switch screens (screens unmount when left):
 * a friend's key half-pasted in Friends, how Transfers is filtered and sorted. In memory only: a
 * reload starts clean, and nothing here is a secret (keys are public).
 */
import { create } from 'zustand'

export type TransferFilter = 'active' | 'sharing' | 'all'
export type TransferSort = 'active-first' | 'name' | 'size'

interface Drafts {
  friendKey: string
  friendName: string
  transferFilter: TransferFilter
  transferSort: TransferSort
  set(patch: Partial<Omit<Drafts, 'set'>>): void
}

export const useDrafts = create<Drafts>((set) => ({
  friendKey: '',
  friendName: '',
  transferFilter: 'all',
  transferSort: 'active-first',
  set: (patch) => set(patch),
}))
