// OS notifications coalesce as the window's toasts do: one per group, counting, replaced at most every MIN_REPLACE_MS.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Notice } from '../../shared/ipc/views.js'
import {
  COALESCE_WINDOW_MS,
  MAX_TRACKED_GROUPS,
  MIN_REPLACE_MS,
  NotificationCoalescer,
} from './notification-coalescer.js'

const finished = (name: string): Notice => ({ kind: 'download-finished', title: 'Download finished', body: name })
const film = { id: 'film', name: 'Film club' }
const books = { id: 'books', name: 'Books' }

test('finishes in one group make one notification that counts them; another group gets its own', () => {
  const c = new NotificationCoalescer()
  assert.deepEqual(c.add(finished('a.mkv'), film, 0), [
    { key: 'finished:film', title: 'Finished in “Film club”', body: 'a.mkv' },
  ])
  // Within MIN_REPLACE_MS: nothing now, the replacement waits its turn.
  assert.deepEqual(c.add(finished('b.mkv'), film, 100), [])
  assert.deepEqual(c.add(finished('c.mkv'), film, 200), [])
  assert.equal(c.nextDue(), MIN_REPLACE_MS)
  assert.deepEqual(c.due(MIN_REPLACE_MS - 1), [], 'not before its turn')
  assert.deepEqual(c.due(MIN_REPLACE_MS), [
    { key: 'finished:film', title: '3 items finished in “Film club”', body: 'They are in Transfers.' },
  ])
  assert.equal(c.nextDue(), undefined, 'nothing waits')
  assert.deepEqual(c.add(finished('x.epub'), books, MIN_REPLACE_MS + 10), [
    { key: 'finished:books', title: 'Finished in “Books”', body: 'x.epub' },
  ])
  // Past the replace interval: the fourth replaces at once.
  assert.deepEqual(c.add(finished('d.mkv'), film, 2 * MIN_REPLACE_MS + 1), [
    { key: 'finished:film', title: '4 items finished in “Film club”', body: 'They are in Transfers.' },
  ])
})

test('a burst of 50 finishes shows two notifications, the last counting all 50', () => {
  const c = new NotificationCoalescer()
  let shown = 0
  for (let i = 0; i < 50; i++) shown += c.add(finished(`f${i}`), film, i * 10).length
  const last = c.due(c.nextDue()!)
  assert.equal(shown + last.length, 2)
  assert.equal(last[0]?.title, '50 items finished in “Film club”')
})

test('after a quiet minute a group starts a new count; other notices pass one each', () => {
  const c = new NotificationCoalescer()
  c.add(finished('a'), film, 0)
  c.add(finished('b'), film, MIN_REPLACE_MS)
  assert.deepEqual(c.add(finished('c'), film, MIN_REPLACE_MS + COALESCE_WINDOW_MS), [
    { key: 'finished:film', title: 'Finished in “Film club”', body: 'c' },
  ])
  const err: Notice = { kind: 'error', title: 'x stopped', body: 'disk full' }
  assert.deepEqual(c.add(err, film, 0), [{ title: 'x stopped', body: 'disk full' }])
  assert.deepEqual(c.add(err, film, 1), [{ title: 'x stopped', body: 'disk full' }], 'errors are never merged away')
  // A download of no known group keeps the notice's own title, and counts under a key of its own.
  assert.deepEqual(c.add(finished('y'), undefined, 5), [{ key: 'finished:', title: 'Download finished', body: 'y' }])
})

test('the state stays bounded whatever the number of groups', () => {
  const c = new NotificationCoalescer()
  for (let i = 0; i < MAX_TRACKED_GROUPS * 3; i++) {
    c.add(finished('a'), { id: `g${i}`, name: `G${i}` }, i)
    c.add(finished('b'), { id: `g${i}`, name: `G${i}` }, i) // pending
  }
  // Only the newest MAX_TRACKED_GROUPS runs are left waiting.
  assert.equal(c.due(10 * COALESCE_WINDOW_MS).length, MAX_TRACKED_GROUPS)
})
