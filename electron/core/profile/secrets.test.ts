// Sealing the identity key with an injected sealer (the desktop app's keyring), on real profile
// directories: sealed at rest, readable only with the right keyring, never lost when it changes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { isProfileError } from './errors.js'
import { ProfileStore } from './store.js'
import type { SecretSealer } from './secrets.js'
import { tempDir } from './testing/processes.js'

/** A keyring: AES-256-GCM under a key of its own, as an OS keyring holds one per user. */
function keyring(key = randomBytes(32)): SecretSealer {
  return {
    scheme: 'test-keyring',
    seal(secret) {
      const iv = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, iv)
      return Buffer.concat([iv, c.update(secret), c.final(), c.getAuthTag()])
    },
    unseal(sealed) {
      const b = Buffer.from(sealed)
      const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12))
      d.setAuthTag(b.subarray(b.length - 16))
      return Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()])
    },
  }
}

describe('ProfileStore: a sealed identity key', () => {
  it('seals the key of an existing plain profile when opened with a sealer, and reads it back only with that keyring', async (t) => {
    const dir = await tempDir(t)
    const plain = await ProfileStore.open(dir, { create: true, displayName: 'Ann' })
    const secret = plain.current.identity.secretKey
    const ring = keyring()
    const sealed = await ProfileStore.open(dir, { sealer: ring })
    assert.equal(sealed.current.identity.secretKey, secret, 'the same key, unsealed in memory')
    const file = await readFile(path.join(dir, 'identity.json'), 'utf8')
    assert.ok(!file.includes(secret), 'the secret is not on disk in clear')
    assert.equal(JSON.parse(file).sealed.scheme, 'test-keyring')
    await sealed.update((d) => void (d.displayName = 'Ann B'))
    assert.equal((await sealed.read()).displayName, 'Ann B')

    await assert.rejects(
      ProfileStore.open(dir),
      (e) => isProfileError(e, 'sealed') && /desktop app/.test(e.message) && /--profile/.test(e.message),
    )
    await assert.rejects(
      ProfileStore.open(dir, { sealer: keyring() }),
      (e) => isProfileError(e, 'sealed') && /Nothing was deleted/.test(e.message),
    )
    assert.equal(
      await readFile(path.join(dir, 'identity.json'), 'utf8'),
      file,
      'a failed unseal leaves the file as it was',
    )
    assert.equal((await ProfileStore.open(dir, { sealer: ring })).current.identity.secretKey, secret)
  })

  it('a new profile is sealed from the start; when the keyring changed, the key is set aside (kept) and a backup restores it', async (t) => {
    const dir = await tempDir(t)
    const ring = keyring()
    const store = await ProfileStore.open(dir, { create: true, sealer: ring })
    const secret = store.current.identity.secretKey
    assert.ok(!(await readFile(path.join(dir, 'identity.json'), 'utf8')).includes(secret))

    const newRing = keyring() // e.g. the OS keyring was reset
    await assert.rejects(ProfileStore.open(dir, { sealer: newRing }), (e) => isProfileError(e, 'sealed'))
    const aside = await ProfileStore.setAsideIdentity(dir)
    assert.ok((await readdir(dir)).includes(path.basename(aside)), 'the unreadable key is kept, not deleted')
    const fresh = await ProfileStore.open(dir, { create: true, sealer: newRing })
    assert.notEqual(fresh.current.identity.secretKey, secret)
    const restored = await fresh.replaceIdentity(Buffer.from(secret, 'hex'))
    assert.equal(restored.identity.secretKey, secret)
    assert.equal(
      (await ProfileStore.open(dir, { sealer: newRing })).current.identity.secretKey,
      secret,
      'restored and sealed under the new keyring',
    )
  })
})
