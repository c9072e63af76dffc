// The backup format on its own: the same bytes as the @noble/ciphers XChaCha20-Poly1305 it was
// written with before it went through Primitives (so old backups still open), and each way a file
// is refused, as a code.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { backupHeader, openBackup, readBackup, sealBackup, type Backup } from './backup.js'
import { keyPair, seed } from '../testing/fixtures.js'

const alice = keyPair('backup alice')
const key = seed('backup key')
const header = backupHeader(
  alice.secretKey,
  { N: 2 ** 15, r: 8, p: 1 },
  seed('backup salt').subarray(0, 16),
  seed('backup nonce').subarray(0, 24),
)
const file = sealBackup(header, key, alice.secretKey)
const read = (f: Uint8Array): Backup => {
  const r = readBackup(f)
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error))
  return r.value
}
const edit = (f: (o: Record<string, unknown>) => void): Uint8Array => {
  const o = JSON.parse(new TextDecoder().decode(file)) as Record<string, unknown>
  f(o)
  return new TextEncoder().encode(JSON.stringify(o))
}
const codeOf = (r: { ok: boolean; error?: { code: string } }): string | undefined => (r.ok ? undefined : r.error?.code)

describe('protocol/backup: the identity backup file', () => {
  it('seals exactly as XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) over the header, and opens back', () => {
    const b = read(file)
    const aad = new TextEncoder().encode(
      JSON.stringify([
        b.format,
        b.version,
        b.publicKey,
        b.kdf.name,
        b.kdf.N,
        b.kdf.r,
        b.kdf.p,
        b.kdf.salt,
        b.cipher.name,
        b.cipher.nonce,
      ]),
    )
    const reference = xchacha20poly1305(key, Buffer.from(b.cipher.nonce, 'base64'), aad).encrypt(alice.secretKey)
    assert.equal(b.ciphertext, Buffer.from(reference).toString('base64'))
    const opened = openBackup(b, key)
    assert.ok(opened.ok)
    assert.deepEqual(opened.value, alice.secretKey)
  })

  it('refuses a wrong key, an altered header, and a key that is not the one named', () => {
    assert.equal(codeOf(openBackup(read(file), seed('another key'))), 'cannot-open')
    assert.equal(codeOf(openBackup(read(edit((o) => void ((o.kdf as { r: number }).r = 9))), key)), 'cannot-open')
    const bob = keyPair('backup bob')
    const renamed = backupHeader(
      bob.secretKey,
      { N: 2 ** 15, r: 8, p: 1 },
      seed('backup salt').subarray(0, 16),
      seed('backup nonce').subarray(0, 24),
    )
    const lying = sealBackup({ ...renamed }, key, alice.secretKey)
    assert.equal(codeOf(openBackup(read(lying), key)), 'key-mismatch')
  })

  it('refuses before any scrypt: too large, not a backup, newer, damaged or too costly', () => {
    assert.equal(codeOf(readBackup(new Uint8Array(64 * 1024 + 1))), 'oversize')
    assert.equal(codeOf(readBackup(new TextEncoder().encode('not json'))), 'not-a-backup')
    assert.equal(codeOf(readBackup(edit((o) => void (o.format = 'other')))), 'not-a-backup')
    assert.equal(codeOf(readBackup(edit((o) => void (o.version = 2)))), 'newer-version')
    assert.equal(codeOf(readBackup(edit((o) => void ((o.kdf as { N: number }).N = 2 ** 21)))), 'damaged')
    assert.equal(codeOf(readBackup(edit((o) => void (o.ciphertext = 'AAAA')))), 'damaged')
  })
})
