// Delivery per member (issue 17), with real profiles, real nodes and real files on 127.0.0.1: the
// owner sees a member mid-download as a partial figure that moves to "has all", the member sees
// the owner as holding everything, and after the owner's node restarts (the member gone) the last
// known figures are still there with when the member was last seen.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { setGroupLimits } from '../operations/limits.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { LOOPBACK, randomFile, tempDirs } from '../../testing/swarm.js'
import { nodeStarter, testProfile } from '../../testing/profiles.js'
import { eventually } from '../../testing/wait.js'
import type { CoterieNode } from './node.js'
import type { MemberDelivery } from './delivery.js'

const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

/** Slow enough that the owner sees Alice mid-download for seconds, fast enough for a test. */
const UPLOAD_LIMIT = 256 * 1024
const WAIT_MS = 60_000

const figures = (node: CoterieNode, group: string, member: string): MemberDelivery | undefined =>
  node.delivery()[group]?.[member]

describe('delivery per member', () => {
  it('the owner sees a member go from a partial figure to "has all", and keeps it across its restart', async () => {
    const [owner, alice] = await Promise.all([testProfile(temp, 'Owner'), testProfile(temp, 'Alice')])
    await addFriend(owner.store, alice.key, 'Alice')
    await createGroup(owner.store, 'Club', { members: ['Alice'] })
    const src = temp('src')
    const files = [randomFile(src, 'one.bin', 1_200_000), randomFile(src, 'two.bin', 600_000)]
    for (const f of files) await share(owner.store, f.path, 'Club')
    await setGroupLimits(owner.store, 'Club', { upload: UPLOAD_LIMIT })
    const inv = join(temp('inv'), 'club.coterie')
    await writeInvite(owner.store, 'Club', 'Alice', inv)
    await joinInvite(alice.store, inv, alice.downloads)
    const groupId = owner.store.current.groups[0]!.id
    const aliceKey = alice.store.current.identity.publicKey
    const ownerKey = owner.store.current.identity.publicKey

    let ownerNode = await start(owner.store)
    const self = figures(ownerNode, groupId, ownerKey)
    assert.deepEqual(self, { connected: true, has: 2, of: 2, progress: 1 }, 'the owner holds its own shares')
    assert.deepEqual(
      figures(ownerNode, groupId, aliceKey),
      { connected: false, has: 0, of: 2, progress: 0 },
      'a member never seen: nothing known, no lastSeen',
    )

    const aliceNode = await start(alice.store, [`${LOOPBACK}:${ownerNode.port}`])
    let partial: MemberDelivery | undefined
    await eventually(
      () => {
        const f = figures(ownerNode, groupId, aliceKey)
        if (f?.connected === true && f.progress > 0 && f.progress < 1) partial ??= f
        return partial !== undefined
      },
      WAIT_MS,
      'the owner to see Alice part of the way',
    )
    assert.ok(partial!.has < 2, `mid-download she has not everything (${JSON.stringify(partial)})`)
    assert.equal(partial!.of, 2)

    await eventually(
      () => {
        const items = aliceNode.status().filter((t) => t.rendezvous !== true)
        return items.length === 2 && items.every((t) => existsSync(join(t.downloadDir, t.name)) && t.progress === 1)
      },
      WAIT_MS,
      'Alice to have both files',
    )
    await eventually(
      () => figures(ownerNode, groupId, aliceKey)?.has === 2,
      WAIT_MS,
      'the owner to see that Alice has all 2 items',
    )
    const done = figures(ownerNode, groupId, aliceKey)!
    assert.equal(done.connected, true)
    assert.equal(done.progress, 1)
    assert.ok(done.lastSeen !== undefined && Date.parse(done.lastSeen) > 0)
    // The member's side: the owner, who seeds both, has all of what Alice holds.
    await eventually(
      () => figures(aliceNode, groupId, ownerKey)?.has === 2,
      WAIT_MS,
      'Alice to see that the owner has all 2 items',
    )

    // Alice goes, then the owner's node restarts: what it last knew stands, with when.
    await aliceNode.stop()
    await ownerNode.stop()
    assert.ok(existsSync(owner.store.layout.delivery), 'the record was written at the clean stop')
    ownerNode = await start(owner.store)
    const after = figures(ownerNode, groupId, aliceKey)!
    assert.equal(after.connected, false)
    assert.equal(after.has, 2)
    assert.equal(after.of, 2)
    assert.equal(after.progress, 1)
    assert.ok(after.lastSeen !== undefined, 'the last-seen time came back from the record')
    assert.ok(Date.parse(after.lastSeen) >= Date.parse(done.lastSeen!))
    assert.ok(Date.parse(after.lastSeen) <= Date.now())
  })
})
