// Notifications coalesce: one line per group that counts finished downloads, never a pile of toasts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GroupView, TorrentView } from '../../shared/ipc/views.js'
import { notice } from './events.js'
import { useProfile } from './profile.js'
import { useToasts } from './toasts.js'
import { useTorrents } from './torrents.js'

const torrent = (infoHash: string, groupId: string): TorrentView => ({
  infoHash,
  name: `t-${infoHash.slice(0, 4)}`,
  groupId,
  state: 'seeding',
  progress: 1,
  length: 100,
  downloaded: 100,
  uploaded: 0,
  downloadSpeed: 0,
  uploadSpeed: 0,
  eta: null,
  downloadDir: '/d',
  peers: [],
})
const group = (id: string, name: string): GroupView => ({
  id,
  name,
  owner: false,
  public: false,
  members: [],
  torrents: [],
  uploadLimit: null,
  downloadLimit: null,
  autoJoin: true,
  available: [],
})

test('four downloads finishing in one group make one toast that counts them; another group gets its own', () => {
  const hashes = ['1', '2', '3', '4', '5'].map((c) => c.repeat(40))
  useTorrents.setState({ byHash: Object.fromEntries(hashes.map((h, i) => [h, torrent(h, i < 4 ? 'film' : 'books')])) })
  useProfile.setState({ groups: [group('film', 'Film club'), group('books', 'Books')] })
  notice({ kind: 'download-finished', title: 'Download finished', body: 'a.mkv', infoHash: hashes[0] })
  assert.deepEqual(
    useToasts.getState().toasts.map((t) => t.title),
    ['Finished in “Film club”'],
  )
  assert.equal(useToasts.getState().toasts[0]!.body, 'a.mkv', 'one item: its name')
  for (const h of hashes.slice(1, 4))
    notice({ kind: 'download-finished', title: 'Download finished', body: 'x', infoHash: h })
  notice({ kind: 'download-finished', title: 'Download finished', body: 'b.epub', infoHash: hashes[4] })
  assert.deepEqual(
    useToasts.getState().toasts.map((t) => t.title),
    ['4 items finished in “Film club”', 'Finished in “Books”'],
  )
  notice({ kind: 'error', title: 'Disk full', body: 'x' })
  assert.equal(useToasts.getState().toasts.at(-1)?.kind, 'error', 'errors pass as they are')
  for (const t of useToasts.getState().toasts) useToasts.getState().dismiss(t.id)
})

test('a toast may count several things per message: two drops of 1 and 2 items read "Shared 3 items"', () => {
  const wording = (n: number) => ({ title: `Shared ${n} item${n === 1 ? '' : 's'} in “Books”` })
  useToasts.getState().coalesce('shared:books', 'success', wording, 1)
  assert.deepEqual(
    useToasts.getState().toasts.map((t) => t.title),
    ['Shared 1 item in “Books”'],
  )
  useToasts.getState().coalesce('shared:books', 'success', wording, 2)
  assert.deepEqual(
    useToasts.getState().toasts.map((t) => t.title),
    ['Shared 3 items in “Books”'],
    'one toast, counting items',
  )
  for (const t of useToasts.getState().toasts) useToasts.getState().dismiss(t.id)
})
