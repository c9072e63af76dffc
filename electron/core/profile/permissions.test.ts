import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, stat } from 'node:fs/promises'
import { bytesToHex } from '../protocol/bytes.js'
import { infoDict, keyPair } from '../testing/fixtures.js'
import { ProfileStore } from './store.js'
import { tempDir } from './testing/processes.js'

const mode = async (p: string) => (await stat(p)).mode & 0o777
const posix = process.platform !== 'win32'

describe('profile permissions', { skip: !posix && 'Windows has no POSIX mode bits' }, () => {
  it('creates the directory 0700 and every file 0600, and keeps them so across updates', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    const swarm = keyPair('permissions swarm')
    await store.update((d, ctx) => {
      d.groups.push({
        id: 'g',
        name: 'G',
        owner: true,
        swarmPublicKey: bytesToHex(swarm.publicKey),
        swarmSecretKey: bytesToHex(swarm.secretKey),
        groupSecret: '33'.repeat(32),
        members: [],
        announcePublic: false,
        peers: [],
        createdAt: new Date().toISOString(),
      })
      d.torrents.push({
        infoHash: ctx.putTorrentInfo(infoDict(swarm.publicKey)),
        groupId: 'g',
        name: 'f',
        downloadDir: process.cwd(),
        addedAt: new Date().toISOString(),
        paused: false,
      })
    })
    const { layout } = store
    assert.equal(await mode(layout.dir), 0o700)
    assert.equal(await mode(layout.torrents), 0o700)
    for (const f of [layout.identity, layout.state, layout.torrentInfo(store.current.torrents[0]!.infoHash)])
      assert.equal(await mode(f), 0o600, f)
    assert.deepEqual(store.warnings, [])
  })

  it('tightens a secret file or the directory opened up by hand, and says so', async (t) => {
    const created = await ProfileStore.open(await tempDir(t), { create: true })
    const { layout } = created
    await chmod(layout.identity, 0o644)
    await chmod(layout.state, 0o660)
    await chmod(layout.dir, 0o755)
    const store = await ProfileStore.open(layout.dir)
    assert.deepEqual(
      store.warnings.map((w) => [w.path, w.was, w.now]),
      [
        [layout.dir, 0o755, 0o700],
        [layout.identity, 0o644, 0o600],
        [layout.state, 0o660, 0o600],
      ],
    )
    assert.match(
      store.warnings[1]!.message,
      /identity\.json was accessible to other users \(0644\); Coterie changed it to 0600/,
    )
    assert.equal(await mode(layout.identity), 0o600)
    assert.equal(await mode(layout.state), 0o600)
    assert.equal(await mode(layout.dir), 0o700)
    assert.deepEqual((await ProfileStore.open(layout.dir)).warnings, [])
  })

  it('writes 0600 even over a file that was 0644', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await chmod(store.layout.state, 0o644)
    await store.update((d) => void (d.displayName = 'x'))
    assert.equal(await mode(store.layout.state), 0o600)
  })
})
