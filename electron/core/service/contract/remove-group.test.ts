// groups.remove over the contract, on real profiles and engines on 127.0.0.1: malformed requests
// are refused before any handler runs and change nothing; a member leaves, the owner deletes (the
// window asked first); the running node drops the group's torrents, events say so, files stay.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { invokeChannels, type InvokeChannel } from '../../../../shared/ipc/contract.js'
import { until } from '../../testing/swarm.js'
import { startTestApp } from '../../testing/app.js'
import { assertOk, assertErr } from '../../testing/assert-result.js'

const valid = <C extends InvokeChannel>(channel: C, value: unknown) => {
  const r = invokeChannels[channel].res.safeParse(value)
  assert.ok(r.success, `${channel} answered outside its schema: ${r.success ? '' : r.error.message}`)
}

describe('app backend: leaving and deleting a group', () => {
  it('validates groups.remove, lets a member leave and the owner delete; the node and the events follow, the files stay', async (t) => {
    const [alice, bob] = await Promise.all([startTestApp(t, 'rmg-a'), startTestApp(t, 'rmg-b')])
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const group = await alice.call('groups.create', { name: 'Books', members: [bobId.key] })
    const src = path.join(alice.root, 'share')
    await mkdir(src, { recursive: true })
    const data = randomBytes(64 * 1024)
    await writeFile(path.join(src, 'chapter-1.txt'), data)
    const {
      infoHashes: [infoHash],
    } = await alice.call('groups.share', { group: group.id, paths: [path.join(src, 'chapter-1.txt')] })
    const invite = await alice.call('invites.create', { group: group.id, friend: bobId.key })
    const joined = await bob.call('invites.accept', { data: invite.data })

    const revision = alice.store.current.revision
    for (const [request, field] of [
      [{}, 'group'],
      [{ group: 'Not An Id' }, 'group'],
      [{ group: group.id, yes: true }, 'yes'],
      [{ group: 7 }, 'group'],
    ] as const) {
      const r = await alice.invoke('groups.remove', request)
      assertErr(r, 'bad-request', JSON.stringify(request))
      assert.ok(r.error.message.includes(field), `${JSON.stringify(request)}: ${r.error.message}`)
    }
    const unknown = await alice.invoke('groups.remove', { group: 'nope' })
    assertErr(unknown, 'unknown-group')
    assert.equal((await alice.store.read()).revision, revision, 'refused requests changed nothing')

    // Bob leaves: no confirmation needed on the main side, the group and its torrent go.
    assert.ok(bob.backend.node.engine.has(infoHash!))
    const left = await bob.invoke('groups.remove', { group: joined.group })
    assertOk(left)
    valid('groups.remove', left.value)
    assert.deepEqual(await bob.call('groups.list', {}), [])
    assert.ok(!bob.backend.node.engine.has(infoHash!), 'the running node dropped the torrent')
    await bob.waitFor('profile.changed', (p) => p.revision >= bob.store.current.revision)
    assert.ok(!(await bob.call('torrents.list', {})).some((t) => t.infoHash === infoHash))

    // Alice deletes the group she owns (the window's ConfirmButton asked her). Her window lists
    // the torrent first, as it does when it opens; from then on the events must follow it.
    assert.ok((await alice.call('torrents.list', {})).some((t) => t.infoHash === infoHash))
    const seen = alice.events.length
    valid('groups.remove', await alice.call('groups.remove', { group: group.id }))
    assert.deepEqual(await alice.call('groups.list', {}), [])
    assert.ok(!alice.backend.node.engine.has(infoHash!))
    await until(
      () =>
        alice.events
          .slice(seen)
          .some(
            (e) => e.event === 'torrents.changed' && (e.payload as { removed: string[] }).removed.includes(infoHash!),
          ),
      10_000,
      "'torrents.changed' to list the torrent as removed",
    )
    assert.ok(alice.events.slice(seen).some((e) => e.event === 'profile.changed'))
    assert.ok((await readFile(path.join(src, 'chapter-1.txt'))).equals(data), 'the shared file stays')
  })
})
