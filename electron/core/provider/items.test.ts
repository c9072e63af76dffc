// The provider's items as the database keeps them (migration 4): what the feed lists comes from the
// database alone, so an item published before the database kept info dictionaries stays out of the
// feed until the publishing profile fills it in, and an item the profile does not hold is left for
// the profile that does. Real profile, real SQLite file, real hashed files.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProfileStore } from '../service/index.js'
import { initProvider } from './provider.js'
import { fillItemInfo, itemTorrent, listItems, publish, withdraw } from './items.js'

const folders: string[] = []
const temp = (label: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `coterie-items-${label}-`))
  folders.push(dir)
  return dir
}
after(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true })
})

test('items published before migration 4 reach the feed once their profile fills in their torrents; withdrawn ones never', async () => {
  const profileDir = temp('profile')
  const store = await ProfileStore.open(profileDir, { create: true, displayName: 'Acme' })
  const provider = await initProvider(store, profileDir, 'Acme')
  try {
    const files = temp('files')
    const paths = ['one.bin', 'two.bin', 'three.bin'].map((name) => {
      const path = join(files, name)
      writeFileSync(path, randomBytes(40_000))
      return path
    })
    const items = []
    for (const [i, path] of paths.entries())
      items.push((await publish(store, provider, path, undefined, undefined, i)).item)
    const [one, two, three] = items.map((i) => i.infoHash)
    assert.deepEqual(
      (await listItems(provider)).map((i) => i.infoHash),
      [three, two, one],
    )

    // As a database of schema 3 brought forward: no info dictionary kept. `three` was unshared before the
    // upgrade (it is no longer in the profile's group); an item the profile never held, published
    // by the same database's other node after this profile was copied, has none either.
    await provider.db.query(`UPDATE items SET info = NULL`)
    await store.update((d) => void (d.torrents = d.torrents.filter((t) => t.infoHash !== three)))
    const stranger = 'ab'.repeat(20)
    await provider.db.query(
      `INSERT INTO items (info_hash, title, name, size, published_at) VALUES ($1, 'Other', 'other.bin', 1, 9)`,
      [stranger],
    )
    assert.deepEqual(await listItems(provider), [], 'nothing listed without its torrent')
    assert.equal(await itemTorrent(provider, one!), undefined)

    assert.equal(await fillItemInfo(store, provider), 2, 'one and two, which this profile holds')
    assert.deepEqual(
      (await listItems(provider)).map((i) => i.infoHash),
      [two, one],
    )
    assert.ok((await itemTorrent(provider, one!))!.length > 0)
    const { rows } = await provider.db.query(`SELECT info_hash FROM items WHERE info IS NULL ORDER BY 1`)
    assert.deepEqual(
      rows.map((r) => r['info_hash']),
      [stranger, three].sort(),
      'left for the profile that holds them',
    )

    // Withdrawn: out of the feed and its torrent not served; a second withdrawal finds nothing.
    assert.equal(await withdraw(provider, two!), true)
    assert.equal(await withdraw(provider, two!), false)
    assert.deepEqual(
      (await listItems(provider)).map((i) => i.infoHash),
      [one],
    )
    assert.equal(await itemTorrent(provider, two!), undefined)
  } finally {
    await provider.db.close()
  }
})
