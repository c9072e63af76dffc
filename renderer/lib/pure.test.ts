import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fromBase64, safeFileName, toBase64 } from './bytes.js'
import { bytes, duration, itemsTotal, percent } from './format.js'
import { batches, folderRoot, pathsFor, renamedText } from './share.js'

test('sizes, durations and percentages read naturally', () => {
  assert.equal(bytes(0), '0 B')
  assert.equal(bytes(1536), '1.5 KiB')
  assert.equal(bytes(4 * 1024 ** 3), '4.0 GiB')
  assert.equal(bytes(-1), '–')
  assert.equal(duration(null), '–')
  assert.equal(duration(42), '42 s')
  assert.equal(duration(3725), '1 h 2 min')
  assert.equal(percent(0.9999), '99.9%', 'never shows 100% before it is')
  assert.equal(percent(1), '100%')
})

test("an invite's total counts what will be written", () => {
  assert.equal(itemsTotal([{ length: 1024 }]), 'In all: 1 item, 1.0 KiB')
  assert.equal(
    itemsTotal([{ length: 3 * 1024 ** 2 }, { length: 1536 * 1024 }, { length: 99, refused: 'a reserved name' }]),
    'In all: 2 items, 4.5 MiB',
    'a refused item is never written: not counted',
  )
})

test('base64 round-trips any bytes, larger than one chunk', () => {
  const b = new Uint8Array(100_000).map((_, i) => (i * 7919) & 255)
  assert.deepEqual(fromBase64(toBase64(b)), b)
  assert.equal(toBase64(new Uint8Array([0xff, 0x00])), Buffer.from([0xff, 0x00]).toString('base64'))
})

test('file names built from group and friend names are safe everywhere', () => {
  assert.equal(safeFileName('Holiday'), 'Holiday')
  assert.equal(safeFileName('a/b:c*?'), 'a-b-c-')
  assert.equal(safeFileName('..'), 'coterie')
})

test('a folder upload is shared from its root on the server, whatever the separator', () => {
  assert.equal(folderRoot('/home/a/Shared by me/Photos/2024/x.jpg', 'Photos/2024/x.jpg'), '/home/a/Shared by me/Photos')
  assert.equal(
    folderRoot('C:\\Users\\a\\Shared by me\\Photos\\x.jpg', 'Photos/x.jpg'),
    'C:\\Users\\a\\Shared by me\\Photos',
  )
  assert.equal(folderRoot('/s/file (2).bin', 'file.bin'), '/s/file (2).bin')
  assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]])
})

test('Electron: dropped items are shared by their own paths; a picked folder by the folder its files sit in', async () => {
  const file = (name: string, rel = '') => ({ name, webkitRelativePath: rel }) as unknown as File
  const where = new Map<unknown, string>()
  const a = file('a.txt')
  const inFolder = file('x.jpg', 'Photos/2024/x.jpg')
  where.set(a, '/home/u/a.txt').set(inFolder, '/home/u/Photos/2024/x.jpg')
  const api = {
    invoke: async () => ({ ok: true }),
    on: () => () => {},
    pathForFile: (f: File) => where.get(f) ?? '',
  } as never
  const noProgress = () => {}
  assert.deepEqual(await pathsFor(api, [], [a], noProgress), { ok: true, value: ['/home/u/a.txt'] })
  const picked = [
    { kind: 'file' as const, file: a },
    { kind: 'folder' as const, name: 'Photos', files: [{ file: inFolder, rel: 'Photos/2024/x.jpg' }] },
  ]
  assert.deepEqual(await pathsFor(api, picked, null, noProgress), {
    ok: true,
    value: ['/home/u/a.txt', '/home/u/Photos'],
  })
  const r = await pathsFor(api, [], [file('unknown')], noProgress)
  assert.equal(r.ok, false)
})

test('browser mode: uploads go to the group, and a name the server changed is reported with where it went', async () => {
  const file = (name: string) => ({ name, size: 3, webkitRelativePath: '' }) as unknown as File
  const asked: { rel: string; group?: string; freshFolder?: boolean }[] = []
  // The server's answers (its own test is ui-server/server.test.ts): notes.txt and the folder
  // Photos were taken there.
  const uploader = {
    invoke: async () => ({ ok: true }),
    on: () => () => {},
    uploadAs: async (_f: File, rel: string, _p: unknown, to: { group?: string; freshFolder?: boolean }) => {
      asked.push({ rel, ...to })
      const stored =
        rel === 'notes.txt' ? 'notes (2).txt' : to.freshFolder ? rel.replace(/^Photos\//, 'Photos (2)/') : rel
      return { ok: true, value: { path: `/d/Shared by me/Film club/${stored}`, renamed: stored !== rel } }
    },
  } as never
  const renamed: { asked: string; stored: string }[] = []
  const r = await pathsFor(
    uploader,
    [
      { kind: 'file', file: file('notes.txt') },
      { kind: 'file', file: file('a.txt') },
      {
        kind: 'folder',
        name: 'Photos',
        files: [
          { file: file('x.jpg'), rel: 'Photos/x.jpg' },
          { file: file('y.jpg'), rel: 'Photos/2024/y.jpg' },
        ],
      },
    ],
    null,
    () => {},
    { group: 'g1', renamed: (a, stored) => renamed.push({ asked: a, stored }) },
  )
  assert.deepEqual(r, {
    ok: true,
    value: [
      '/d/Shared by me/Film club/notes (2).txt',
      '/d/Shared by me/Film club/a.txt',
      '/d/Shared by me/Film club/Photos (2)',
    ],
  })
  assert.deepEqual(
    asked,
    [
      { rel: 'notes.txt', group: 'g1', freshFolder: false },
      { rel: 'a.txt', group: 'g1', freshFolder: false },
      { rel: 'Photos/x.jpg', group: 'g1', freshFolder: true },
      { rel: 'Photos (2)/2024/y.jpg', group: 'g1', freshFolder: false },
    ],
    "each upload names the group; a folder's first file asks for a new folder, the rest follow into the one it got",
  )
  assert.deepEqual(renamed, [
    { asked: 'notes.txt', stored: '/d/Shared by me/Film club/notes (2).txt' },
    { asked: 'Photos', stored: '/d/Shared by me/Film club/Photos (2)' },
  ])
  assert.deepEqual(renamedText(renamed.slice(0, 1)), [
    '“notes.txt” is shared as “notes (2).txt”',
    'Something of that name was already in /d/Shared by me/Film club, and nothing there is ever overwritten.',
  ])
  assert.equal(renamedText(renamed)[0], '2 items are shared under new names')
  assert.equal(renamedText([{ asked: 'b', stored: 'C:\\x\\b (2)' }])[0], '“b” is shared as “b (2)”')
})
