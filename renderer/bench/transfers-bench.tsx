/**
 * The Transfers screen with 500 items, for the e2e's render-time bench (e2e/transfers-bench.ts
 * bundles this with esbuild and runs it in Chromium): the real App and stores, fed through the
 * real event path (connectStores) by a transport that answers from memory. Not part of the app
 * bundle: main.tsx does not import it.
 */
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import type { CoterieApi, EventChannel, EventOf } from '../../shared/ipc/contract.js'
import type { TorrentView } from '../../shared/ipc/views.js'
import { App } from '../App.js'
import { setApi } from '../store/api.js'
import { useConnection } from '../store/connection.js'
import { useDrafts } from '../store/drafts.js'
import { connectStores, loadAll } from '../store/events.js'
import { useNav } from '../store/nav.js'

const N = 500
const hex = (i: number): string => i.toString(16).padStart(40, '0')
/** One in ten downloading (the rest finished and sharing), spread over five groups. */
const view = (i: number, progress: number): TorrentView => ({
  infoHash: hex(i),
  name: `item-${String(i).padStart(3, '0')}.bin`,
  groupId: `g${i % 5}`,
  state: progress < 1 ? 'downloading' : 'seeding',
  progress,
  length: (i + 1) * 1_048_576,
  downloaded: progress * (i + 1) * 1_048_576,
  uploaded: 0,
  downloadSpeed: progress < 1 ? 200_000 : 0,
  uploadSpeed: 0,
  eta: progress < 1 ? 60 : null,
  downloadDir: '/d',
  peers: [],
})
const torrents = Array.from({ length: N }, (_, i) => view(i, i % 10 === 0 ? 0.3 : 1))
const listeners = new Map<string, Set<(p: unknown) => void>>()
const answers: Record<string, unknown> = {
  'identity.get': { key: 'coterie1bench', fingerprint: 'BENCH', displayName: 'Bench' },
  'friends.list': [],
  'groups.list': Array.from({ length: 5 }, (_, g) => ({
    id: `g${g}`,
    name: `Group ${g}`,
    owner: true,
    public: false,
    members: [],
    torrents: [],
    uploadLimit: null,
    downloadLimit: null,
    autoJoin: true,
    available: [],
  })),
  'torrents.list': torrents,
  'settings.get': {
    downloadDir: '/d',
    port: 0,
    uploadLimit: null,
    downloadLimit: null,
    seedingPaused: false,
    startAtLogin: false,
  },
  'app.info': { mode: 'browser', version: 'bench', profileDir: '/p', secretStorage: 'file', port: 1 },
}
const api: CoterieApi = {
  invoke: async (channel) => ({ ok: true, value: answers[channel] as never }),
  on: (event, listener) => {
    const set = listeners.get(event) ?? new Set()
    listeners.set(event, set)
    set.add(listener as (p: unknown) => void)
    return () => void set.delete(listener as (p: unknown) => void)
  },
}
const emit = <E extends EventChannel>(event: E, payload: EventOf<E>) => listeners.get(event)?.forEach((l) => l(payload))
/** Time from a change until the browser has painted it (two animation frames). */
const painted = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))
const time = async (change: () => void): Promise<number> => {
  const t0 = performance.now()
  flushSync(change)
  await painted()
  return Math.round(performance.now() - t0)
}

async function run() {
  setApi(api)
  connectStores(api)
  useConnection.setState({ state: 'open' })
  useNav.setState({ screen: 'transfers' })
  await loadAll()
  const root = createRoot(document.getElementById('root')!)
  const first = await time(() => root.render(<App />))
  const rows = document.querySelectorAll('[data-testid="torrent"]').length
  // A torrents.changed event as the main side sends it: the 50 downloads moved on.
  const tick: number[] = []
  for (let k = 1; k <= 10; k++) {
    const changed = torrents.filter((t) => t.progress < 1).map((t) => view(parseInt(t.infoHash, 16), 0.3 + k * 0.05))
    tick.push(await time(() => emit('torrents.changed', { changed, removed: [] })))
  }
  const filter = await time(() => useDrafts.getState().set({ transferFilter: 'active' }))
  const activeRows = document.querySelectorAll('[data-testid="torrent"]').length
  const back = await time(() => useDrafts.getState().set({ transferFilter: 'all' }))
  // Everything on screen: press "Show more" until all 500 rows are there.
  const more = () => document.querySelector<HTMLButtonElement>('[data-testid="show-more"]')
  let showAll = 0
  for (let b = more(); b; b = more()) showAll += await time(() => b.click())
  const allRows = document.querySelectorAll('[data-testid="torrent"]').length
  const tickAll = await time(() =>
    emit('torrents.changed', {
      changed: torrents.filter((t) => t.progress < 1).map((t) => view(parseInt(t.infoHash, 16), 0.95)),
      removed: [],
    }),
  )
  const sorted = [...tick].sort((a, b) => a - b)
  Object.assign(window, {
    benchResult: {
      items: N,
      rows,
      activeRows,
      firstRenderMs: first,
      updateMedianMs: sorted[5],
      updateMaxMs: sorted[9],
      filterActiveMs: filter,
      filterAllMs: back,
      allRows,
      showAllMs: showAll,
      updateWithAllRowsMs: tickAll,
    },
  })
}
void run()
