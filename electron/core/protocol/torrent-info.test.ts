import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeCanonical, encode, type Bencodable } from './canonical.js'
import { decodeInfo, plainTorrent, torrentLayout } from './torrent-info.js'
import { utf8 } from './bytes.js'

const pieces = (n: number) => new Uint8Array(20 * n)
const layoutOf = (info: Record<string, Bencodable>) => {
  const bytes = encode(info)
  return torrentLayout(decodeInfo(bytes, bytes.length)!)
}

test('torrentLayout: one file is its name; several are name/path in the listed order', () => {
  assert.deepEqual(layoutOf({ name: 'a.bin', length: 5, 'piece length': 16384, pieces: pieces(1) }), {
    pieces: 1,
    files: [{ path: ['a.bin'], length: 5 }],
  })
  const folder = layoutOf({
    name: 'Photos',
    'piece length': 16384,
    pieces: pieces(3),
    files: [
      { path: ['day 2', 'boat.jpg'], length: 40000 },
      { path: ['a.jpg'], length: 0 },
    ],
  })
  assert.deepEqual(folder, {
    pieces: 3,
    files: [
      { path: ['Photos', 'day 2', 'boat.jpg'], length: 40000 },
      { path: ['Photos', 'a.jpg'], length: 0 },
    ],
  })
})

test('torrentLayout: name.utf-8 and path.utf-8 win, as in webtorrent’s parser', () => {
  const l = layoutOf({
    name: 'x',
    'name.utf-8': 'Été',
    'piece length': 16384,
    pieces: pieces(1),
    files: [{ path: ['p'], 'path.utf-8': ['ç'], length: 1 }],
  })
  assert.deepEqual(l?.files, [{ path: ['Été', 'ç'], length: 1 }])
})

test('torrentLayout: a dictionary that is not well formed lays out nothing', () => {
  const base = { 'piece length': 16384, pieces: pieces(1) }
  assert.equal(layoutOf({ ...base, length: 1 }), undefined, 'no name')
  assert.equal(layoutOf({ ...base, name: 'a' }), undefined, 'neither length nor files')
  assert.equal(layoutOf({ ...base, name: 'a', length: -1 }), undefined, 'a negative length')
  assert.equal(
    layoutOf({ name: 'a', length: 1, 'piece length': 16384, pieces: new Uint8Array(19) }),
    undefined,
    'pieces not a multiple of 20',
  )
  assert.equal(layoutOf({ ...base, name: 'a', files: [] }), undefined, 'an empty file list')
  assert.equal(
    layoutOf({ ...base, name: 'a', files: [{ path: 'p', length: 1 }] }),
    undefined,
    'a path that is not a list',
  )
  assert.equal(layoutOf({ ...base, name: new Uint8Array([0xff]), length: 1 }), undefined, 'a name that is not UTF-8')
  assert.equal(
    layoutOf({ ...base, name: 'a', files: [{ path: [utf8('ok'), new Uint8Array([0xc3])], length: 1 }] }),
    undefined,
    'a path part that is not UTF-8',
  )
})

test('plainTorrent: a canonical dictionary whose only key is `info`, holding the info bytes unchanged', () => {
  const info = encode({ name: 'a.bin', length: 5, 'piece length': 16384, pieces: pieces(1) })
  const torrent = plainTorrent(info)
  const decoded = decodeCanonical(torrent, torrent.length)
  assert.ok(
    decoded !== undefined && typeof decoded === 'object' && !(decoded instanceof Uint8Array) && !Array.isArray(decoded),
    'a canonical dictionary',
  )
  assert.deepEqual(Object.keys(decoded), ['info'])
  assert.deepEqual(encode(decoded['info'] as Bencodable), info, 'the same info bytes, so the same infohash')
})
