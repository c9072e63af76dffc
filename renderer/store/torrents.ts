/** Every torrent in the profile, by infohash: loaded once, then merged from 'torrents.changed'. */
import { create } from 'zustand'
import type { EventOf } from '../../shared/ipc/contract.js'
import type { TorrentView } from '../../shared/ipc/views.js'
import { call, coalesced } from './api.js'

interface Torrents {
  byHash: Record<string, TorrentView>
  loaded: boolean
  refresh(): Promise<void>
  merge(change: EventOf<'torrents.changed'>): void
}

export const useTorrents = create<Torrents>((set, get) => ({
  byHash: {},
  loaded: false,
  refresh: coalesced(async () => {
    const r = await call('torrents.list', {})
    if (r.ok) set({ byHash: Object.fromEntries(r.value.map((t) => [t.infoHash, t])), loaded: true })
  }),
  merge({ changed, removed }) {
    const next = { ...get().byHash }
    for (const t of changed) next[t.infoHash] = t
    for (const h of removed) delete next[h]
    set({ byHash: next })
  },
}))

/** Stable order for lists: by name, then infohash. */
export const sortTorrents = (ts: Iterable<TorrentView>): TorrentView[] =>
  [...ts].sort((a, b) => a.name.localeCompare(b.name) || a.infoHash.localeCompare(b.infoHash))

/** Work still under way: what the nav badge counts and the "Active" filter shows (finished sharing is not work). */
export const isActive = (t: TorrentView): boolean => t.progress < 1 || t.state === 'checking' || t.state === 'error'

/** Active first (what the user is waiting for), then by name. */
export const activeFirst = (ts: Iterable<TorrentView>): TorrentView[] =>
  sortTorrents(ts).sort((a, b) => Number(isActive(b)) - Number(isActive(a)))
