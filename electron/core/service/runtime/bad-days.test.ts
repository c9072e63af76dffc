// Bad days for a running node (issue 15): the disk holding a download fills up, and a download's
// folder is deleted under it. Real profiles, real nodes on 127.0.0.1, a real filesystem that fills
// (a tmpfs of a few MiB, mounted for the test: root only, else skipped with the reason). The node
// must stay up, say what happened with a code a person can act on (torrent-failure.ts), and, once
// there is room again or at "Retry now", finish the file byte for byte without fetching twice what
// it had written.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CoterieNode } from './node.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, testProfile, type TestProfile } from '../../testing/profiles.js'
import { SERVICE_ERRORS } from '../../../../shared/service-errors.js'

const FILE_BYTES = 6 * 1024 * 1024
const SMALL_DISK = '2m'
const ROOMY_DISK = '32m'
const WAIT_MS = 60_000

const { temp, cleanup } = tempDirs()
const mounts: string[] = []
const nodes: CoterieNode[] = []
after(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()))
  for (const m of mounts) spawnSync('umount', [m])
  cleanup()
})

/** Why a tmpfs cannot be mounted here, or undefined when one was mounted at `at`. */
function mountTmpfs(at: string, size: string): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a small filesystem needs root'
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { encoding: 'utf8' })
  if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`
  mounts.push(at)
  return undefined
}

async function node(p: TestProfile, peers: CoterieNode[] = [], uploadLimit?: number): Promise<CoterieNode> {
  const n = await CoterieNode.start(p.store, {
    dht: false,
    lsd: false,
    peers: peers.map((x) => `${LOOPBACK}:${x.port}`),
    downloadDir: p.downloads,
    ...(uploadLimit !== undefined && { uploadLimit }),
  })
  nodes.push(n)
  return n
}

/** Alice shares a file with Bob, who joins it into `folder`; their profiles and the file. */
async function sharedWithBob(label: string, folder: string) {
  const [alice, bob] = await Promise.all([testProfile(temp, `${label}-alice`), testProfile(temp, `${label}-bob`)])
  await addFriend(alice.store, bob.key, 'Bob')
  await createGroup(alice.store, 'Club', { members: ['Bob'] })
  const file = randomFile(temp(`${label}-src`), 'film.bin', FILE_BYTES)
  const infoHash = (await share(alice.store, file.path, 'Club')).infoHash
  const invite = join(temp(`${label}-inv`), 'bob.coterie')
  await writeInvite(alice.store, 'Club', 'Bob', invite)
  await joinInvite(bob.store, invite, folder)
  return { alice, bob, file, infoHash }
}

const stateOf = (n: CoterieNode, infoHash: string) => n.status().find((t) => t.infoHash === infoHash)

describe('bad days: a full disk, a folder deleted', () => {
  it('the disk fills: the download says so and stays listed, the node stays up, and with room again Retry finishes it', async (t) => {
    const disk = temp('small-disk')
    const why = mountTmpfs(disk, SMALL_DISK)
    if (why !== undefined) return t.skip(why)
    const { alice, bob, file, infoHash } = await sharedWithBob('full', disk)
    const aliceNode = await node(alice)
    const bobNode = await node(bob, [aliceNode])

    await until(() => stateOf(bobNode, infoHash)?.state === 'error', WAIT_MS, 'the download to fail on the full disk')
    const failed = stateOf(bobNode, infoHash)!
    assert.ok(failed.error?.startsWith(SERVICE_ERRORS['disk-full']), `said why: ${failed.error}`)
    assert.match(failed.error!, /ENOSPC/)
    assert.equal(failed.group, 'Club', 'still listed, in its group')
    assert.ok(bobNode.errors().get(infoHash)?.startsWith(SERVICE_ERRORS['disk-full']), 'the app is told too')
    const written = statSync(join(disk, 'film.bin')).blocks * 512

    // Room again (as if the user emptied the trash), then "Retry now".
    assert.equal(spawnSync('mount', ['-o', `remount,size=${ROOMY_DISK}`, disk]).status, 0)
    assert.deepEqual(bobNode.retry(infoHash), { torrents: 1, dialled: 0 })
    await until(fileDone(join(disk, 'film.bin'), file.data), WAIT_MS, 'the download to finish after Retry')
    assert.equal(stateOf(bobNode, infoHash)?.error, undefined, 'the failure is cleared')
    // What was written before the disk filled was verified, not fetched again: the bytes received
    // since Retry (the new connection's) are the rest of the file.
    const fetched = stateOf(bobNode, infoHash)!.peers.reduce((n, p) => n + p.downloaded, 0)
    assert.ok(written > 0 && fetched <= FILE_BYTES - written + 1024 * 1024, `fetched ${fetched} after ${written} kept`)
  })

  it('the download folder is deleted mid-download: the node says so, stays up, and Retry starts it over there', async () => {
    const folder = temp('deleted')
    const { alice, bob, file, infoHash } = await sharedWithBob('gone', folder)
    // Slow enough that the folder goes while the download runs.
    const aliceNode = await node(alice, [], 1024 * 1024)
    const bobNode = await node(bob, [aliceNode])
    await until(() => (stateOf(bobNode, infoHash)?.progress ?? 0) > 0.1, WAIT_MS, 'the download to start')
    rmSync(folder, { recursive: true, force: true })

    // webtorrent writes on into the unlinked files: without vanished-files.ts this reached
    // "seeding 100 %" with nothing on disk.
    await until(() => stateOf(bobNode, infoHash)?.state === 'error', WAIT_MS, 'the node to notice the folder went')
    const seen = stateOf(bobNode, infoHash)!
    assert.ok(seen.error?.startsWith(SERVICE_ERRORS['files-gone']), `said why: ${seen.error}`)
    mkdirSync(folder, { recursive: true })
    assert.deepEqual(bobNode.retry(infoHash), { torrents: 1, dialled: 0 })
    await until(fileDone(join(folder, 'film.bin'), file.data), WAIT_MS, 'the file, whole, where it belongs')
    assert.ok(readFileSync(join(folder, 'film.bin')).equals(file.data))
    assert.ok(
      bobNode.status().some((t) => t.rendezvous === true),
      'the node is still up, its group with it',
    )
  })
})
