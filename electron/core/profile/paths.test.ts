import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { defaultProfileDir, profileLayout } from './paths.js'

describe('defaultProfileDir', () => {
  it('is Electron\'s userData for "Coterie" on Linux, following XDG_CONFIG_HOME', () => {
    assert.equal(defaultProfileDir({}, 'linux', '/home/ann'), '/home/ann/.config/Coterie')
    assert.equal(defaultProfileDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ann'), '/xdg/Coterie')
    assert.equal(defaultProfileDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/ann'), '/home/ann/.config/Coterie')
    assert.equal(defaultProfileDir({}, 'freebsd', '/home/ann'), '/home/ann/.config/Coterie')
  })

  it('is ~/Library/Application Support/Coterie on macOS, whatever XDG says', () => {
    assert.equal(
      defaultProfileDir({ XDG_CONFIG_HOME: '/xdg' }, 'darwin', '/Users/ann'),
      '/Users/ann/Library/Application Support/Coterie',
    )
  })

  it('is %APPDATA%\\Coterie on Windows', () => {
    assert.equal(
      defaultProfileDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann'),
      'C:\\Users\\ann\\AppData\\Roaming\\Coterie',
    )
    assert.equal(defaultProfileDir({}, 'win32', 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Roaming\\Coterie')
  })

  it('is COTERIE_PROFILE when set (made absolute), on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      assert.equal(
        defaultProfileDir(
          { COTERIE_PROFILE: '/srv/seedbox', APPDATA: 'C:\\x', XDG_CONFIG_HOME: '/xdg' },
          platform,
          '/home/ann',
        ),
        path.resolve('/srv/seedbox'),
      )
    }
    assert.equal(defaultProfileDir({ COTERIE_PROFILE: 'rel/dir' }, 'linux', '/home/ann'), path.resolve('rel/dir'))
    assert.equal(defaultProfileDir({ COTERIE_PROFILE: '' }, 'linux', '/home/ann'), '/home/ann/.config/Coterie')
  })
})

describe('profileLayout', () => {
  it('keeps every file inside the profile directory', () => {
    const l = profileLayout('/p')
    const infoFile = l.torrentInfo('ab'.repeat(20))
    for (const f of [l.identity, l.state, l.torrents, l.lock, infoFile])
      assert.equal(path.dirname(f).startsWith(path.resolve('/p')), true, f)
    assert.equal(path.basename(infoFile), `${'ab'.repeat(20)}.info`)
  })
})
