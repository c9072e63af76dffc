// Placement (placement.ts) on real profiles and folders, without nodes: where a group's files go,
// how a profile made before groups had folders is brought up to date, and which torrents of a
// profile may not write (the path rules, taken in the order torrents were added).
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { conflicts, ensureGroupFolders, groupFolder, uploadFolderName, type Placed } from './placement.js'
import { infoDict, keyPair } from '../../testing/fixtures.js'
import { encode } from '../../protocol/canonical.js'
import { utf8 } from '../../protocol/bytes.js'
import { INFO_SWARM_KEY } from '../../protocol/constants.js'
import { tempDirs } from '../../testing/swarm.js'
import { testProfile } from '../../testing/profiles.js'
import { addFriend } from './friends.js'
import { createGroup } from './groups.js'
import { join as joinInvite, writeInvite } from './invites.js'

const { temp, cleanup } = tempDirs()
after(cleanup)
const swarm = keyPair('placement swarm').publicKey

let n = 0
const placed = (o: { name?: string; info?: Uint8Array; dir: string; share?: boolean }): Placed => ({
  entry: {
    infoHash: (++n).toString(16).padStart(40, '0'),
    name: o.name ?? 'x',
    downloadDir: o.dir,
    addedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  },
  info: o.info ?? infoDict(swarm, o.name ?? 'x'),
  share: o.share ?? false,
})

const folderTorrent = (name: string, paths: string[][]) =>
  encode({
    files: paths.map((p) => ({ length: 10, path: p.map(utf8) })),
    name: utf8(name),
    'piece length': 16384,
    pieces: new Uint8Array(20),
    [INFO_SWARM_KEY]: swarm,
  })

describe('placement', () => {
  it('refuses, in the order added, a download on a path another torrent has, in any case, or on its folder', () => {
    const dir = '/srv/dl'
    const a = placed({ name: 'notes.bin', dir })
    const b = placed({ name: 'NOTES.bin', dir })
    const c = placed({ name: 'album', info: folderTorrent('album', [['cd1', 'a.flac']]), dir })
    const d = placed({ name: 'album', info: infoDict(swarm, 'album'), dir }) // a file where c has a folder
    const e = placed({ name: 'other.bin', dir: '/srv/elsewhere' })
    const out = conflicts([a, b, c, d, e], '/home/u/.config/Coterie')
    assert.deepEqual([...out.keys()].sort(), [b.entry.infoHash, d.entry.infoHash].sort())
    assert.equal(out.get(b.entry.infoHash)!.code, 'path-taken')
    assert.match(out.get(d.entry.infoHash)!.message, /album/)
    // The order added decides, not the order listed.
    const again = conflicts([b, a], '/p')
    assert.deepEqual([...again.keys()], [b.entry.infoHash])
  })

  it('a share reads: it never takes a path from a download, and a download may not write over a share', () => {
    const dir = '/srv/dl'
    const share = placed({ name: 'film.bin', dir, share: true })
    const download = placed({ name: 'film.bin', dir })
    const out = conflicts([share, download], '/p')
    assert.equal(out.get(download.entry.infoHash)?.code, 'path-taken')
    assert.equal(out.has(share.entry.infoHash), false)
    // Re-sharing a downloaded file: the share added later reads the download's file.
    const later = placed({ name: 'film.bin', dir, share: true })
    assert.equal(conflicts([download, later], '/p').size, 0)
  })

  it('refuses a download with an unsafe name (PROTOCOL.md §4.6), or one whose files fall in the profile folder', () => {
    const bad = placed({ name: '..', dir: '/srv/dl' })
    const inside = placed({ name: 'identity.json', dir: '/home/u/.config/Coterie' })
    const above = placed({
      name: 'Coterie',
      info: folderTorrent('Coterie', [['identity.json']]),
      dir: '/home/u/.config',
    })
    const out = conflicts([bad, inside, above], '/home/u/.config/Coterie')
    assert.equal(out.get(bad.entry.infoHash)?.code, 'unsafe-name')
    assert.equal(out.get(inside.entry.infoHash)?.code, 'in-profile-folder')
    assert.equal(out.get(above.entry.infoHash)?.code, 'in-profile-folder')
  })

  it('gives each group a new folder of its own, made safe from the name the owner chose', async () => {
    const base = temp('base')
    assert.equal(await groupFolder(base, { id: 'g1', name: 'Film club' }, []), join(base, 'Film club'))
    // Another group has it: "(2)". A folder with something in it is not new: "(2)" too.
    const taken = [{ id: 'g0', downloadDir: join(base, 'Film club') }]
    assert.equal(await groupFolder(base, { id: 'g1', name: 'Film club' }, taken), join(base, 'Film club (2)'))
    mkdirSync(join(base, 'Old'), { recursive: true })
    writeFileSync(join(base, 'Old', 'left.bin'), 'x')
    assert.equal(await groupFolder(base, { id: 'g1', name: 'Old' }, []), join(base, 'Old (2)'))
    assert.equal(await groupFolder(base, { id: 'g1', name: '../../etc' }, []), join(base, '.._.._etc'))
    assert.equal(await groupFolder(base, { id: 'g1', name: 'NUL' }, []), join(base, 'group g1'))
    assert.equal(await groupFolder(base, { id: 'g1', name: 'a\u202eb\u0007c.' }, []), join(base, 'abc'))
  })

  it("names a group's browser-mode upload folder like its download folder, apart from every other group's", () => {
    const film = { id: 'g1', name: 'Film club' }
    assert.equal(uploadFolderName(film, [film, { id: 'g2', name: 'Books' }]), 'Film club')
    assert.equal(uploadFolderName({ id: 'g1', name: '../x' }, []), '.._x', 'made safe as a download folder is')
    // Two groups whose folders would be one (equal names, or equal but for case): each gets its id.
    const twin = { id: 'g2', name: 'film CLUB' }
    assert.equal(uploadFolderName(film, [film, twin]), 'Film club (g1)')
    assert.equal(uploadFolderName(twin, [film, twin]), 'film CLUB (g2)')
  })

  it('brings a profile made before groups had folders up to date, moving no file', async () => {
    const owner = await testProfile(temp, 'Owner')
    const bob = await testProfile(temp, 'Bob')
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'Old club', { members: ['Bob'] })
    await createGroup(owner.store, 'Kept', { members: ['Bob'] })
    for (const g of ['Old club', 'Kept']) {
      const file = join(temp('inv'), 'x.coterie')
      await writeInvite(owner.store, g, 'Bob', file)
      await joinInvite(bob.store, file, bob.downloads)
    }
    const src = temp('src')
    writeFileSync(join(src, 'a.bin'), 'a')
    // What an older version left: no folder for "Old club", and a torrent recorded in the profile folder.
    await bob.store.update((d, ctx) => {
      const old = d.groups.find((g) => g.name === 'Old club')!
      delete old.downloadDir
      const infoHash = ctx.putTorrentInfo(
        encode({
          length: 1024,
          name: utf8('identity.json'),
          'piece length': 16384,
          pieces: new Uint8Array(20),
          [INFO_SWARM_KEY]: Uint8Array.from(Buffer.from(old.swarmPublicKey, 'hex')),
        }),
      )
      d.torrents.push({
        infoHash,
        groupId: old.id,
        name: 'identity.json',
        downloadDir: bob.store.dir,
        addedAt: new Date().toISOString(),
        paused: false,
      })
    })
    const base = temp('new-base')
    const said = await ensureGroupFolders(bob.store, base)
    const p = bob.store.current
    const old = p.groups.find((g) => g.name === 'Old club')!
    assert.equal(old.downloadDir, join(base, 'Old club'))
    assert.equal(p.groups.find((g) => g.name === 'Kept')!.downloadDir, bob.downloads, 'a folder it had stays')
    assert.equal(p.torrents.find((t) => t.name === 'identity.json')!.downloadDir, join(base, 'Old club'))
    assert.equal(said.length, 2, said.join('; '))
    assert.deepEqual(await ensureGroupFolders(bob.store, base), [], 'once')
  })
})
