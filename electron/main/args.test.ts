// How invites reach the running app from outside: command-line paths, second launches and
// `coterie:` links, read without Electron.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { inviteSource, parseArgs } from './args.js'

describe('main: arguments and invite links', () => {
  it('takes the app options and the invites, and leaves Chromium switches alone', () => {
    const a = parseArgs([
      '/opt/app',
      '--profile',
      '/tmp/p',
      '--no-dht',
      '--peer',
      '127.0.0.1:7000',
      '--enable-logging',
      '/home/b/Film club for Bob.coterie',
      'coterie://open?path=/x.coterie',
      '--hidden',
    ])
    assert.equal(a.profile, '/tmp/p')
    assert.equal(a.dht, false)
    assert.equal(a.hidden, true)
    assert.deepEqual(a.peers, ['127.0.0.1:7000'])
    assert.deepEqual(a.opened, ['/home/b/Film club for Bob.coterie', 'coterie://open?path=/x.coterie'])
    assert.equal(parseArgs(['--profile=/q']).profile, '/q')
    assert.deepEqual(parseArgs(['x.txt', '--port', 'nope']).opened, [])
  })

  it('reads invite paths and both link forms; anything else is refused', () => {
    assert.deepEqual(inviteSource('/a/b.COTERIE'), { kind: 'path', path: '/a/b.COTERIE' })
    assert.deepEqual(inviteSource('coterie://open?path=%2Fhome%2Fb%2Fi.coterie'), {
      kind: 'path',
      path: '/home/b/i.coterie',
    })
    const bytes = new Uint8Array([1, 2, 250, 251])
    const link = inviteSource(`coterie://invite/${Buffer.from(bytes).toString('base64url')}`)
    assert.deepEqual(link, { kind: 'bytes', fileName: 'invite.coterie', data: bytes })
    for (const bad of [
      'coterie://open?path=/etc/passwd',
      'coterie://invite/a%20b',
      'coterie://elsewhere/x',
      'https://example.com/x.coterie.html',
      'coterie:',
      'notes.txt',
    ]) {
      assert.equal(inviteSource(bad), undefined, bad)
    }
  })
})
