// The main process's pure parts in plain Node: which IPC senders are answered, and invites
// opened from outside the window (paths, links, bad files) previewed by a real backend.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startTestApp } from '../core/testing/app.js'
import { eventually } from '../core/testing/wait.js'
import type { EventChannel } from '../../shared/ipc/contract.js'
import { fromOurPage } from './sender.js'
import { InviteOpener } from './invites.js'

describe('main: IPC sender check', () => {
  const win = { isDestroyed: () => false, webContents: { id: 7 } }
  const top = { parent: null, url: 'app://coterie/index.html' }
  it("answers our window's main frame on app://coterie only", () => {
    assert.equal(fromOurPage(win, { id: 7 }, top), true)
    assert.equal(fromOurPage(win, { id: 8 }, top), false, 'another webContents')
    assert.equal(fromOurPage(win, { id: 7 }, { parent: {}, url: 'app://coterie/index.html' }), false, 'a subframe')
    assert.equal(fromOurPage(win, { id: 7 }, { parent: null, url: 'https://evil.example/' }), false, 'another origin')
    assert.equal(fromOurPage(win, { id: 7 }, { parent: null, url: 'app://coterie.evil/x' }), false, 'a look-alike host')
    assert.equal(fromOurPage(win, { id: 7 }, null), false)
    assert.equal(fromOurPage({ ...win, isDestroyed: () => true }, { id: 7 }, top), false)
    assert.equal(fromOurPage(undefined, { id: 7 }, top), false)
  })
})

describe('main: invites opened from outside', () => {
  it('previews an invite from a path or a coterie: link once the page listens, and says why a bad one does not open', async (t) => {
    const [alice, bob] = await Promise.all([startTestApp(t, 'open-a'), startTestApp(t, 'open-b')])
    const bobKey = (await bob.call('identity.get', {})).key
    await alice.call('friends.add', { key: bobKey, name: 'Bob' })
    const g = await alice.call('groups.create', { name: 'Opened', members: [bobKey] })
    const invite = await alice.call('invites.create', { group: g.id, friend: bobKey })
    const file = path.join(bob.root, 'For Bob.coterie')
    await writeFile(file, Buffer.from(invite.data, 'base64'))
    const junk = path.join(bob.root, 'junk.coterie')
    await writeFile(junk, 'not an invite')

    const pushed: { event: EventChannel; payload: unknown }[] = []
    const opener = new InviteOpener(bob.backend.dispatch, (event, payload) => void pushed.push({ event, payload }))
    await opener.open(file)
    assert.equal(pushed.length, 0, 'held until the page listens')
    opener.ready()
    await eventually(() => pushed.length === 1, 10_000, 'the held invite to be opened once the page listens')
    await opener.open(`coterie://invite/${Buffer.from(invite.data, 'base64').toString('base64url')}`)
    await opener.open(junk)
    await opener.open(path.join(bob.root, 'missing.coterie'))
    await opener.open('coterie://elsewhere')
    // Cut short on the way (a chat that truncated it): called damaged, not "not an invite".
    await opener.open(`coterie://invite/${Buffer.from(invite.data, 'base64').subarray(0, 200).toString('base64url')}`)
    const opened = pushed
      .filter((p) => p.event === 'invite.opened')
      .map((p) => p.payload as { file: { fileName: string; data: string }; preview: { group: string } })
    assert.deepEqual(
      opened.map((o) => [o.file.fileName, o.preview.group]),
      [
        ['For Bob.coterie', 'Opened'],
        ['invite.coterie', 'Opened'],
      ],
    )
    assert.equal(opened[0]!.file.data, invite.data)
    const errors = pushed.filter((p) => p.event === 'notice').map((p) => p.payload as { kind: string; body: string })
    assert.equal(errors.length, 4)
    assert.ok(errors.every((e) => e.kind === 'error'))
    assert.match(errors[1]!.body, /does not exist/)
    assert.match(errors[2]!.body, /not a Coterie invite/)
    assert.match(errors[3]!.body, /damaged/)
  })
})
