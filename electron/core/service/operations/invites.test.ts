// How a group is announced travels with its invites: a member of a public group announces publicly
// too, and uses the group's trackers; a later invite can change both.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join as joinPath } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { ProfileStore } from '../../profile/index.js'
import { keyToText } from '../../protocol/keys.js'
import { addFriend } from './friends.js'
import { createGroup, setTrackers } from './groups.js'
import { join, writeInvite } from './invites.js'
import { tempDir } from '../../testing/swarm.js'
import { ServiceError } from '../../../../shared/service-errors.js'

describe('invites carry how the group is announced', () => {
  const dir = tempDir('invite-flags')
  after(() => dir.remove())

  it('a member of a public group with trackers joins it public, with the trackers, and follows a later invite', async () => {
    const owner = await ProfileStore.open(joinPath(dir.path, 'owner'), { create: true })
    const member = await ProfileStore.open(joinPath(dir.path, 'member'), { create: true })
    await addFriend(owner, keyToText('identity', hexToBytes(member.current.identity.publicKey)), 'Bob')
    const tracker = 'udp://127.0.0.1:6969/announce'
    await createGroup(owner, 'Open house', { members: ['Bob'], announcePublic: true, trackers: [tracker] })
    const file = joinPath(dir.path, 'bob.coterie')
    await writeInvite(owner, 'Open house', 'Bob', file)
    const { group } = await join(member, file, joinPath(dir.path, 'downloads'))
    assert.equal(group.announcePublic, true)
    assert.deepEqual(group.trackers, [tracker])

    await setTrackers(owner, 'Open house', [])
    await writeInvite(owner, 'Open house', 'Bob', file)
    const again = await join(member, file, joinPath(dir.path, 'downloads'))
    assert.equal(again.group.trackers, undefined, 'the owner dropped its trackers')

    const priv = await createGroup(owner, 'Film club', { members: ['Bob'] })
    assert.equal(priv.announcePublic, false)
    await writeInvite(owner, 'Film club', 'Bob', file)
    assert.equal((await join(member, file, joinPath(dir.path, 'downloads'))).group.announcePublic, false)
  })

  it('refuses a tracker that is not a udp or http(s) URL', async () => {
    const owner = await ProfileStore.open(joinPath(dir.path, 'owner2'), { create: true })
    for (const t of ['ws://t.example/announce', 'tracker.example:80', 'udp://t.example:1 x']) {
      await assert.rejects(
        createGroup(owner, `g ${t.length}`, { trackers: [t] }),
        (e) => e instanceof ServiceError && e.code === 'bad-tracker',
      )
    }
    assert.equal((await owner.read()).groups.length, 0)
  })
})
