// Resume records on real files: what a record vouches for is used only while every file still
// matches it, and nothing it cannot vouch for is ever written.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { profileLayout } from './paths.js'
import { fullBitfield, loadResume, saveResume, stampTree } from './resume.js'
import type { TorrentLayout } from '../protocol/torrent-info.js'
import { tempDirs } from '../testing/swarm.js'

const { temp, cleanup } = tempDirs()
after(cleanup)
const IH = 'ab'.repeat(20)
const HOUR_AGO = new Date(Date.now() - 3_600_000)

function setup() {
  const profile = profileLayout(temp('profile'))
  const dir = temp('downloads')
  mkdirSync(join(dir, 'Photos', 'day 2'), { recursive: true })
  writeFileSync(join(dir, 'Photos', 'a.jpg'), Buffer.alloc(40_000, 1))
  writeFileSync(join(dir, 'Photos', 'day 2', 'boat.jpg'), Buffer.alloc(9_000, 2))
  for (const f of ['a.jpg', join('day 2', 'boat.jpg')]) utimesSync(join(dir, 'Photos', f), HOUR_AGO, HOUR_AGO)
  const layout: TorrentLayout = {
    pieces: 4,
    files: [
      { path: ['Photos', 'a.jpg'], length: 40_000 },
      { path: ['Photos', 'day 2', 'boat.jpg'], length: 9_000 },
    ],
  }
  return { profile, dir, layout }
}
const partial = new Uint8Array([0b1010_0000])

describe('resume records', () => {
  it('fullBitfield sets exactly the pieces there are', () => {
    assert.deepEqual(fullBitfield(9), new Uint8Array([0xff, 0x80]))
    assert.deepEqual(fullBitfield(16), new Uint8Array([0xff, 0xff]))
  })

  it('a record is used while every file matches it, and not once one is touched, resized or gone', async () => {
    const { profile, dir, layout } = setup()
    assert.equal(await loadResume(profile, IH, dir, layout), undefined, 'no record: verify')
    assert.equal(await saveResume(profile, IH, dir, layout, partial, { flush: true }), true)
    assert.deepEqual(await loadResume(profile, IH, dir, layout), partial)
    assert.equal(await loadResume(profile, IH, temp('elsewhere'), layout), undefined, 'made for another folder')
    assert.equal(
      await loadResume(profile, IH, dir, { ...layout, pieces: 9 }),
      undefined,
      'a bitfield that does not fit',
    )
    assert.equal(
      await loadResume(profile, IH, dir, { ...layout, files: [layout.files[1]!, layout.files[0]!] }),
      undefined,
      'another layout',
    )
    const boat = join(dir, 'Photos', 'day 2', 'boat.jpg')
    utimesSync(boat, new Date(), new Date())
    assert.equal(await loadResume(profile, IH, dir, layout), undefined, 'touched')
    await saveResume(profile, IH, dir, layout, partial, { flush: true })
    writeFileSync(boat, Buffer.alloc(9_001, 2))
    utimesSync(boat, statSync(boat).atime, statSync(boat).mtime)
    assert.equal(await loadResume(profile, IH, dir, layout), undefined, 'resized')
    await saveResume(profile, IH, dir, layout, partial, { flush: true })
    assert.ok(await loadResume(profile, IH, dir, layout))
    rmSync(join(dir, 'Photos', 'a.jpg'))
    assert.equal(await loadResume(profile, IH, dir, layout), undefined, 'gone')
  })

  it('a file not there yet is recorded as absent, and must still be absent', async () => {
    const { profile, dir, layout } = setup()
    const withNew: TorrentLayout = { ...layout, files: [...layout.files, { path: ['Photos', 'later.bin'], length: 5 }] }
    assert.equal(await saveResume(profile, IH, dir, withNew, partial, { flush: true }), true)
    assert.deepEqual(await loadResume(profile, IH, dir, withNew), partial)
    writeFileSync(join(dir, 'Photos', 'later.bin'), 'hello')
    assert.equal(await loadResume(profile, IH, dir, withNew), undefined)
  })

  it('a damaged or foreign record is as good as none', async () => {
    const { profile, dir, layout } = setup()
    await saveResume(profile, IH, dir, layout, partial, { flush: true })
    const good = readFileSync(profile.resumeRecord(IH), 'utf8')
    for (const bad of [
      '',
      '{',
      'null',
      good.replace('"version":1', '"version":2'),
      good.replace(/"bitfield":"[^"]*"/, '"bitfield":"!!"'),
      good.slice(0, -2),
    ]) {
      writeFileSync(profile.resumeRecord(IH), bad)
      assert.equal(await loadResume(profile, IH, dir, layout), undefined, bad.slice(0, 40))
    }
  })

  it('nothing is recorded for a file changed while it was hashed, even within the same second', async () => {
    const { profile, dir, layout } = setup()
    const before = await stampTree(dir, join(dir, 'Photos'))
    assert.deepEqual([...before.keys()].sort(), [join('Photos', 'a.jpg'), join('Photos', 'day 2', 'boat.jpg')])
    assert.equal(
      await saveResume(profile, IH, dir, layout, fullBitfield(4), { flush: false, before }),
      true,
      'unchanged under the hash',
    )
    rmSync(profile.resumeRecord(IH))
    writeFileSync(join(dir, 'Photos', 'a.jpg'), Buffer.alloc(40_000, 3)) // what an editor saving during the hash does
    assert.equal(await saveResume(profile, IH, dir, layout, fullBitfield(4), { flush: false, before }), false)
    assert.equal(existsSync(profile.resumeRecord(IH)), false, 'no record written')
    const a = await stampTree(dir, join(dir, 'Photos', 'a.jpg'))
    assert.deepEqual([...a.keys()], [join('Photos', 'a.jpg')], 'a single file is stamped as itself')
  })

  it('nothing is recorded for a download it cannot flush to disk', async () => {
    const { profile, dir, layout } = setup()
    rmSync(join(dir, 'Photos', 'a.jpg'))
    mkdirSync(join(dir, 'Photos', 'a.jpg')) // opening it for writing fails, even as root
    assert.equal(await saveResume(profile, IH, dir, layout, partial, { flush: true }), false)
    assert.equal(existsSync(profile.resumeRecord(IH)), false)
  })
})
