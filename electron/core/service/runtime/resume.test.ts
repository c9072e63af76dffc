// Resume records with real nodes, files and peers on 127.0.0.1: a share is hashed once, not again
// when the node adds it or at each start; a download records what it holds when it completes and
// when its node stops, and starts from that; a file changed since is verified as before.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import type { CoterieNode } from './node.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { setGroupLimits } from '../operations/limits.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, nodeStarter, testProfile } from '../../testing/profiles.js'

const KiB = 1024
const MiB = 1024 * KiB
const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

const HOUR_AGO = new Date(Date.now() - 3_600_000)
/** A file as a share usually is: written a while ago. */
function oldFile(dir: string, name: string, bytes: number) {
  const f = randomFile(dir, name, bytes)
  utimesSync(f.path, HOUR_AGO, HOUR_AGO)
  return f
}
const summary = (node: CoterieNode, infoHash: string) => node.engine.torrentSummary(infoHash)
const held = (b: Uint8Array) => b.reduce((n, x) => n + x.toString(2).replaceAll('0', '').length, 0)
const recordBits = (path: string) =>
  held(Buffer.from((JSON.parse(readFileSync(path, 'utf8')) as { bitfield: string }).bitfield, 'base64'))

describe('resume records on a running node', () => {
  it('a share starts seeding from the record its hash left, at once and at every start; a file touched since is verified', async () => {
    const owner = await testProfile(temp, 'Owner')
    await createGroup(owner.store, 'G')
    const file = oldFile(temp('src'), 'film.bin', 2 * MiB)
    const { infoHash } = await share(owner.store, file.path, 'G')
    assert.ok(existsSync(owner.store.layout.resumeRecord(infoHash)), 'the share left a record')
    let node = await start(owner.store)
    assert.equal(summary(node, infoHash).state, 'seeding')
    await node.stop()

    // Proof the record, not a hash, decided: bytes of the last piece changed behind the node's
    // back, with the size and mtime put back, still count as held (webtorrent checks one piece of
    // each file, not that one). This is the trust a record buys, as libtorrent's does.
    const fd = openSync(file.path, 'r+')
    writeSync(fd, Buffer.from('tampered'), 0, 8, file.data.length - 8)
    closeSync(fd)
    utimesSync(file.path, HOUR_AGO, HOUR_AGO)
    node = await start(owner.store)
    assert.equal(summary(node, infoHash).state, 'seeding', 'same size and mtime: the record is trusted')
    await node.stop()

    // The piece webtorrent checks of a file with a record (its second) changed, mtime put back:
    // that file is verified in full, and what it then holds is what the next record says.
    const fd2 = openSync(file.path, 'r+')
    writeSync(fd2, Buffer.from('tampered'), 0, 8, 20_000)
    closeSync(fd2)
    utimesSync(file.path, HOUR_AGO, HOUR_AGO)
    node = await start(owner.store)
    assert.notEqual(summary(node, infoHash).state, 'seeding', 'the check caught it')
    const pieces = node.engine.bitfield(infoHash)!.length * 8
    await node.stop()
    const recorded = recordBits(owner.store.layout.resumeRecord(infoHash))
    assert.ok(recorded > 0 && recorded < pieces - 1, `the record now holds less than all (${recorded} pieces)`)

    // Touched (as any edit does): verified, and the changed piece is no longer held.
    utimesSync(file.path, new Date(), new Date())
    node = await start(owner.store)
    const s = summary(node, infoHash)
    assert.notEqual(s.state, 'seeding', 'a changed file is verified, not trusted')
    assert.ok(s.progress > 0.9 && s.progress < 1, `all but the changed piece is held (progress ${s.progress})`)
    await node.stop()
  })

  it('a file changed while it is being shared gets no record, and is verified when the node adds it', async () => {
    const owner = await testProfile(temp, 'Editor')
    await createGroup(owner.store, 'G')
    const file = oldFile(temp('src-edit'), 'draft.bin', 4 * MiB)
    let edited = false
    const { infoHash } = await share(owner.store, file.path, 'G', (hashed) => {
      if (edited || hashed === 0) return
      edited = true // an editor saving the file while it is hashed, where the hash has been
      const fd = openSync(file.path, 'r+')
      writeSync(fd, Buffer.from('edited'), 0, 6, 0)
      closeSync(fd)
    })
    assert.ok(edited)
    assert.equal(existsSync(owner.store.layout.resumeRecord(infoHash)), false, 'no record')
    const node = await start(owner.store)
    assert.notEqual(summary(node, infoHash).state, 'seeding', 'verified: the edited piece no longer matches the hash')
    await node.stop()
  })

  it('the same bytes shared again from another folder leave the first share’s record as it was', async () => {
    const owner = await testProfile(temp, 'Twice')
    await createGroup(owner.store, 'G')
    const first = oldFile(temp('src-one'), 'same.bin', 256 * KiB)
    const { infoHash } = await share(owner.store, first.path, 'G')
    const record = readFileSync(owner.store.layout.resumeRecord(infoHash), 'utf8')
    const copy = join(temp('src-two'), 'same.bin')
    writeFileSync(copy, first.data)
    assert.equal((await share(owner.store, copy, 'G')).infoHash, infoHash, 'one torrent')
    assert.equal(readFileSync(owner.store.layout.resumeRecord(infoHash), 'utf8'), record)
  })

  it('a node stopped while it checks a torrent records nothing of it (a piece not yet hashed is not missing)', async () => {
    const owner = await testProfile(temp, 'Quitter')
    await createGroup(owner.store, 'G')
    const node = await start(owner.store)
    const file = randomFile(temp('src-big'), 'big.bin', 128 * MiB)
    const { infoHash } = await share(owner.store, file.path, 'G')
    rmSync(owner.store.layout.resumeRecord(infoHash)) // as if the file changed under the hash: checked in full
    void node.reload()
    await until(
      () => node.engine.has(infoHash) && summary(node, infoHash).state === 'checking',
      20_000,
      'the check to start',
    )
    await node.stop()
    assert.equal(existsSync(owner.store.layout.resumeRecord(infoHash)), false, 'no record of a half-checked torrent')
  })

  it('a download records what it holds when its node stops and when it completes, and a restart starts from it, without the owner', async () => {
    const [owner, member] = await Promise.all([testProfile(temp, 'Alice'), testProfile(temp, 'Bob')])
    await addFriend(owner.store, member.key, 'Bob')
    await createGroup(owner.store, 'G', { members: ['Bob'] })
    const file = oldFile(temp('src-dl'), 'album.bin', 3 * MiB)
    const { infoHash } = await share(owner.store, file.path, 'G')
    const invite = join(temp('inv'), 'G.coterie')
    await writeInvite(owner.store, 'G', 'Bob', invite)
    await joinInvite(member.store, invite, member.downloads)
    await setGroupLimits(member.store, 'G', { download: 256 * KiB })
    const record = member.store.layout.resumeRecord(infoHash)

    const ownerNode = await start(owner.store)
    const peers = [`${LOOPBACK}:${ownerNode.port}`]
    let bob = await start(member.store, peers)
    await until(() => summary(bob, infoHash).downloaded > 512 * KiB, 30_000, 'part of the download')
    const before = held(bob.engine.bitfield(infoHash)!)
    await bob.stop()
    assert.ok(existsSync(record), 'a clean stop records a partial download')
    assert.ok(
      recordBits(record) >= before && recordBits(record) > 0,
      `the record holds what was verified (${recordBits(record)} pieces, ${before} before the stop)`,
    )

    await ownerNode.stop()
    bob = await start(member.store) // no one to download from: what it has comes from disk
    assert.equal(held(bob.engine.bitfield(infoHash)!), recordBits(record), 'the restart holds what the record says')
    assert.equal(summary(bob, infoHash).state, 'downloading')
    await bob.stop()

    await setGroupLimits(member.store, 'G', { download: null })
    const ownerAgain = await start(owner.store)
    bob = await start(member.store, [`${LOOPBACK}:${ownerAgain.port}`])
    const path = join(member.downloads, 'album.bin')
    await until(fileDone(path, file.data), 60_000, 'the download to complete')
    await until(
      () => recordBits(record) === held(bob.engine.bitfield(infoHash)!),
      10_000,
      'the completed download to be recorded',
    )
    await Promise.all([bob.stop(), ownerAgain.stop()])
    const mtime = statSync(path).mtimeMs
    bob = await start(member.store)
    assert.equal(summary(bob, infoHash).state, 'seeding', 'complete from its record, with the owner away')
    assert.equal(statSync(path).mtimeMs, mtime, 'the file was not written again')
    await bob.stop()
  })
})
