// The stores are fed by the main side's events (no polling): each event lands where the screens
// read it, through the same CoterieApi the app runs on (here a fake transport that counts calls).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CoterieApi, EventChannel, EventOf, InvokeChannel } from '../../shared/ipc/contract.js'
import type { GroupView, TorrentView } from '../../shared/ipc/views.js'
import { setApi } from './api.js'
import { connectStores } from './events.js'
import { useInvite } from './invite.js'
import { useProfile } from './profile.js'
import { useShares } from './shares.js'
import { useToasts } from './toasts.js'
import { useTorrents } from './torrents.js'

const torrent = (infoHash: string, progress: number): TorrentView => ({
  infoHash,
  name: `t-${infoHash.slice(0, 4)}`,
  groupId: 'g',
  state: 'downloading',
  progress,
  length: 100,
  downloaded: progress * 100,
  uploaded: 0,
  downloadSpeed: 1,
  uploadSpeed: 0,
  eta: 10,
  downloadDir: '/d',
  peers: [],
})
/** Polls until `check` holds, failing after `ms` with what was awaited (the renderer's tests do not reach electron/core/testing). */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
const A = 'a'.repeat(40)
const B = 'b'.repeat(40)

function fakeApi() {
  const calls: InvokeChannel[] = []
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const answers: Partial<Record<InvokeChannel, unknown>> = {
    'identity.get': { key: 'coterie1x', fingerprint: 'F', displayName: 'Me' },
    'friends.list': [{ key: 'coterie1b', name: 'Bob', fingerprint: 'FB', addedAt: '2026-01-01T00:00:00Z' }],
    'groups.list': [],
    'settings.get': {
      downloadDir: '/d',
      port: 0,
      uploadLimit: null,
      downloadLimit: null,
      seedingPaused: false,
      startAtLogin: false,
    },
    'app.info': { mode: 'browser', version: '0', profileDir: '/p', secretStorage: 'file', port: 1 },
  }
  const api: CoterieApi = {
    invoke: async (channel) => {
      calls.push(channel)
      return { ok: true, value: answers[channel] as never }
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (p: unknown) => void)
      return () => void set.delete(listener as (p: unknown) => void)
    },
  }
  const emit = <E extends EventChannel>(event: E, payload: EventOf<E>) =>
    listeners.get(event)?.forEach((l) => l(payload))
  return { api, calls, emit, listeners }
}

test('events feed the stores: profile refetch, torrent merge, hashing progress, notices as toasts, opened invites', async () => {
  const f = fakeApi()
  setApi(f.api)
  const disconnect = connectStores(f.api)

  f.emit('profile.changed', { revision: 2 })
  await until(() => useProfile.getState().friends.length > 0, 5_000, 'the profile refetch to land')
  assert.deepEqual(
    useProfile.getState().friends.map((x) => x.name),
    ['Bob'],
  )
  assert.ok(f.calls.includes('friends.list') && f.calls.includes('groups.list') && f.calls.includes('identity.get'))

  f.emit('torrents.changed', { changed: [torrent(A, 0.1), torrent(B, 0.2)], removed: [] })
  f.emit('torrents.changed', { changed: [torrent(A, 0.5)], removed: [B] })
  assert.deepEqual(Object.keys(useTorrents.getState().byHash), [A])
  assert.equal(useTorrents.getState().byHash[A]!.progress, 0.5, 'only what changed is replaced')
  assert.ok(!f.calls.includes('torrents.list'), 'progress comes from events, never from polling')

  f.emit('share.progress', { group: 'holiday', name: 'video.mp4', hashed: 10, total: 40 })
  assert.deepEqual(
    useShares.getState().byGroup['holiday'],
    { name: 'video.mp4', hashed: 10, total: 40 },
    'hashing progress, per group',
  )

  f.emit('notice', { kind: 'download-finished', title: 'holiday.mp4 arrived', body: 'in Holiday' })
  assert.equal(useToasts.getState().toasts.at(-1)?.title, 'holiday.mp4 arrived')

  const preview = {
    group: 'Holiday',
    from: 'coterie1a',
    fromFingerprint: 'FA',
    torrents: [],
    expires: '2027-01-01T00:00:00Z',
    alreadyMember: false,
  }
  f.emit('invite.opened', { file: { fileName: 'x.coterie', data: '' }, preview })
  assert.equal(useInvite.getState().invite?.phase, 'preview')

  disconnect()
  assert.equal(
    [...f.listeners.values()].reduce((n, s) => n + s.size, 0),
    0,
    'disconnecting removes every listener',
  )
  for (const t of useToasts.getState().toasts) useToasts.getState().dismiss(t.id)
})

test('a burst of profile events costs at most two refetches, not one per event', async () => {
  const f = fakeApi()
  setApi(f.api)
  const disconnect = connectStores(f.api)
  for (let i = 0; i < 20; i++) f.emit('profile.changed', { revision: i })
  // Proves an absence: the fake answers at once, so any further refetch of the burst would come within this.
  const BURST_SETTLED_MS = 20
  await new Promise((r) => setTimeout(r, BURST_SETTLED_MS))
  assert.ok(
    f.calls.filter((c) => c === 'friends.list').length <= 2,
    `refetched ${f.calls.filter((c) => c === 'friends.list').length} times`,
  )
  disconnect()
})

test("a member connecting updates their group's view from the event alone, without a refetch", () => {
  const f = fakeApi()
  setApi(f.api)
  const disconnect = connectStores(f.api)
  const group = (connected: boolean): GroupView => ({
    id: 'club',
    name: 'Club',
    owner: true,
    public: false,
    torrents: [],
    uploadLimit: null,
    downloadLimit: null,
    autoJoin: true,
    available: [],
    members: [
      { key: 'coterie1a', fingerprint: 'FA', self: true },
      { key: 'coterie1b', fingerprint: 'FB', name: 'Bob', self: false, connected },
    ],
  })
  const other = { ...group(false), id: 'other', name: 'Other' }
  useProfile.setState({ groups: [group(false), other] })
  f.emit('groups.changed', { changed: [group(true)] })
  const [club, untouched] = useProfile.getState().groups
  assert.equal(club!.members[1]!.connected, true)
  assert.equal(untouched, other, 'the other group is left as it was')
  f.emit('groups.changed', { changed: [{ ...group(true), id: 'unknown' }] })
  assert.deepEqual(
    useProfile.getState().groups.map((g) => g.id),
    ['club', 'other'],
    'a group not known yet waits for the refetch',
  )
  assert.ok(!f.calls.includes('groups.list'), 'no refetch for a connection change')
  disconnect()
})
