// How a group is announced travels with its invites: a member of a public group announces publicly
// too, and uses the group's trackers; a later invite can change both.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join as joinPath } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { ProfileStore } from '../../profile/index.js'
import { keyToText } from '../../protocol/keys.js'
import { addFriend } from './friends.js'
import { createGroup, setIce, setTrackers } from './groups.js'
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

  it('refuses a tracker that is not a udp, http(s) or ws(s) URL', async () => {
    const owner = await ProfileStore.open(joinPath(dir.path, 'owner2'), { create: true })
    for (const t of ['ftp://t.example/announce', 'tracker.example:80', 'udp://t.example:1 x']) {
      await assert.rejects(
        createGroup(owner, `g ${t.length}`, { trackers: [t] }),
        (e) => e instanceof ServiceError && e.code === 'bad-tracker',
      )
    }
    assert.equal((await owner.read()).groups.length, 0)
  })

  it('carries the owner’s ICE servers to the member; a bad one is refused with its reason, nothing changed', async () => {
    const owner = await ProfileStore.open(joinPath(dir.path, 'owner3'), { create: true })
    const member = await ProfileStore.open(joinPath(dir.path, 'member3'), { create: true })
    await addFriend(owner, keyToText('identity', hexToBytes(member.current.identity.publicKey)), 'Bob')
    const ice = ['stun:stun.example:3478', 'turn:1767225600%3Abob:pw@turn.example?transport=tcp']
    await createGroup(owner, 'Far away', { members: ['Bob'], trackers: ['wss://t.example/announce'], ice })
    const file = joinPath(dir.path, 'bob3.coterie')
    await writeInvite(owner, 'Far away', 'Bob', file)
    const { group } = await join(member, file, joinPath(dir.path, 'downloads3'))
    assert.deepEqual(group.ice, ice)
    assert.deepEqual(group.trackers, ['wss://t.example/announce'])
    await assert.rejects(
      setIce(owner, 'Far away', ['turn:1767225600:bob:pw@turn.example']),
      (e) => e instanceof ServiceError && e.code === 'bad-ice' && /%3A/.test(e.message),
    )
    assert.deepEqual((await owner.read()).groups[0]!.ice, ice, 'nothing changed')
    assert.deepEqual(await setIce(owner, 'Far away', []), [])
    assert.equal((await owner.read()).groups[0]!.ice, undefined, 'none: absent')
  })
})
