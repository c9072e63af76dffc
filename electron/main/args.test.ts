// How invites reach the running app from outside: command-line paths, second launches and
// `coterie:` links, read without Electron.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { inviteSource, localPath, parseArgs } from './args.js'

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
    assert.deepEqual(inviteSource('coterie://invite/a%20b'), { kind: 'damaged' })
    for (const bad of [
      'coterie://open?path=/etc/passwd',
      'coterie://elsewhere/x',
      'https://example.com/x.coterie.html',
      'coterie:',
      'notes.txt',
    ]) {
      assert.equal(inviteSource(bad), undefined, bad)
    }
  })

  it('opens only local files: network and device paths are refused under Windows and POSIX rules', () => {
    const win = path.win32
    const posix = path.posix
    assert.equal(localPath('C:\\Users\\b\\i.coterie', win), 'C:\\Users\\b\\i.coterie')
    assert.equal(localPath('c:/Users/b/../b/i.coterie', win), 'c:\\Users\\b\\i.coterie')
    assert.equal(localPath('/home/b/i.coterie', posix), '/home/b/i.coterie')
    assert.equal(localPath('/home/b/../b/./i.coterie', posix), '/home/b/i.coterie')
    const network = [
      '\\\\attacker.example\\share\\i.coterie', // UNC: one click would send NTLM credentials
      '//attacker.example/share/i.coterie',
      '\\/attacker.example/share/i.coterie',
      '/\\attacker.example\\share\\i.coterie',
      '\\\\?\\UNC\\attacker.example\\share\\i.coterie',
      '\\\\?\\C:\\i.coterie',
      '\\\\.\\pipe\\i.coterie',
      '\\\\attacker.example@SSL\\DavWWWRoot\\i.coterie', // WebDAV
      'file://attacker.example/share/i.coterie',
      'file:///C:/i.coterie',
      'smb://attacker.example/share/i.coterie',
      'C:i.coterie', // drive-relative
      '\\i.coterie', // rooted, no drive
      'i.coterie',
      '../i.coterie',
      'C:\\a\u0000.coterie',
    ]
    for (const p of network) {
      assert.equal(localPath(p, win), undefined, `win32: ${p}`)
      if (!/^[A-Za-z]:/.test(p) || p.includes('\u0000')) assert.equal(localPath(p, posix), undefined, `posix: ${p}`)
    }
    // The same through both link forms and the command line.
    for (const p of ['\\\\attacker.example\\share\\i.coterie', '//attacker.example/share/i.coterie']) {
      assert.equal(inviteSource(`coterie://open?path=${encodeURIComponent(p)}`, win), undefined, p)
      assert.equal(inviteSource(`coterie://open?path=${encodeURIComponent(p)}`, posix), undefined, p)
      assert.equal(inviteSource(p, win), undefined, p)
      assert.equal(inviteSource(p, posix), undefined, p)
    }
    assert.equal(inviteSource('coterie://open?path=file%3A%2F%2Fhost%2Fs%2Fi.coterie', posix), undefined)
    assert.deepEqual(inviteSource('coterie://open?path=C%3A%5Cb%5Ci.coterie', win), {
      kind: 'path',
      path: 'C:\\b\\i.coterie',
    })
  })
})
