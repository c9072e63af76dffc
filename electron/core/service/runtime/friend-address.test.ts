// A friend's static address (`coterie friend set-address`, issue 14), with real profiles, nodes
// and files on 127.0.0.1: a member whose invite named no address, with no tracker nor DHT, sets the
// owner's address on her friend entry while his node runs; the node dials it for every group she is
// in (she invited him, so she is one) and the file arrives byte for byte.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { addFriend, setFriendAddresses } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { MAX_FRIEND_ADDRESSES } from '../../profile/index.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, nodeStarter, testProfile } from '../../testing/profiles.js'
import { ServiceError } from '../../../../shared/service-errors.js'

const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

describe('friend set-address', () => {
  it('a running member dials the address set on the owner’s friend entry, and gets the file', async () => {
    const [alice, bob] = await Promise.all([testProfile(temp, 'Alice'), testProfile(temp, 'Bob')])
    await addFriend(alice.store, bob.key, 'Bob')
    await addFriend(bob.store, alice.key, 'Alice')
    await createGroup(alice.store, 'Club', { members: ['Bob'] })
    const film = randomFile(temp('src'), 'film.bin', 300_000)
    await share(alice.store, film.path, 'Club')
    const invite = join(temp('invite'), 'club.coterie')
    await writeInvite(alice.store, 'Club', 'Bob', invite) // no --peer
    await joinInvite(bob.store, invite, bob.downloads)
    assert.ok(
      bob.store.current.groups[0]!.members.includes(alice.store.current.identity.publicKey),
      'the inviter counts as a member',
    )

    const aliceNode = await start(alice.store)
    const bobNode = await start(bob.store) // knows no address: nothing to fetch from
    const address = `${LOOPBACK}:${aliceNode.port}`
    const f = await setFriendAddresses(bob.store, 'alice', [address, ` ${address} `])
    assert.deepEqual(f.addresses, [address], 'trimmed and deduplicated')
    await bobNode.reload() // what `coterie friend set-address` pokes a running node with
    await until(fileDone(join(bob.downloads, 'film.bin'), film.data), 30_000, 'Bob to get the file from Alice')
    // "Retry now" (coterie retry): nothing left to fetch, so no download is retried; an unknown torrent is refused.
    await until(() => bobNode.status().every((t) => t.state === 'seeding'), 10_000, 'Bob to seed')
    assert.equal(bobNode.retry().torrents, 0)
    const shared = bobNode.status().find((t) => t.rendezvous !== true)!.infoHash
    assert.ok(bobNode.retry(shared).dialled >= 0)
    assert.throws(
      () => bobNode.retry('0'.repeat(40)),
      (e: unknown) => e instanceof ServiceError && e.code === 'unknown-torrent',
    )

    await assert.rejects(setFriendAddresses(bob.store, 'Alice', ['not an address']), (e: unknown) => {
      return e instanceof ServiceError && e.code === 'bad-peer'
    })
    const many = Array.from({ length: MAX_FRIEND_ADDRESSES + 1 }, (_, i) => `10.0.0.${i + 1}:51413`)
    await assert.rejects(setFriendAddresses(bob.store, 'Alice', many), (e: unknown) => {
      return e instanceof ServiceError && e.code === 'bad-peer'
    })
    assert.equal((await setFriendAddresses(bob.store, 'Alice', [])).addresses, undefined, 'none clears them')
  })
})
