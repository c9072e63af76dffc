/**
 * Identity backups: the identity secret key sealed under a passphrase, in a small JSON file
 * (format in docs/BACKUP.md). scrypt stretches the passphrase; XChaCha20-Poly1305 seals the key,
 * with the whole header as associated data, so a changed parameter fails like a wrong passphrase.
 *
 * scrypt runs in node:crypto (native, on libuv's thread pool): the pure-JS one would hold the
 * event loop that answers the UI for seconds. Parameters read from a file are bounded before use,
 * so a crafted backup cannot make restore allocate gigabytes or run for minutes.
 */
import { scrypt as scryptCb, randomBytes } from 'node:crypto'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { z } from 'zod'
import { keyPairFromSecret, keyToText } from '../../protocol/keys.js'
import { ServiceError } from '../../../../shared/service-errors.js'

export const BACKUP_FORMAT = 'coterie-identity-backup'
export const BACKUP_VERSION = 1
/** Default cost: 2^17 × 8 × 128 B = 128 MiB of memory, about half a second here. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const
/** What a file may ask for: no weaker than 2^15 (tests), no costlier than 2^20 (1 GiB). */
const LOG_N = { min: 15, max: 20 }
export const MAX_BACKUP_BYTES = 64 * 1024

const b64 = (n: number) => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).refine((s) => Buffer.from(s, 'base64').length === n, `expected ${n} bytes`)

const backupSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  /** Whose key this is, readable without the passphrase. */
  publicKey: z.string().max(200),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z.number().int().refine((n) => Number.isInteger(Math.log2(n)) && Math.log2(n) >= LOG_N.min && Math.log2(n) <= LOG_N.max, `N must be a power of two from 2^${LOG_N.min} to 2^${LOG_N.max}`),
    r: z.number().int().min(8).max(16),
    p: z.number().int().min(1).max(4),
    salt: b64(16),
  }),
  cipher: z.strictObject({ name: z.literal('xchacha20-poly1305'), nonce: b64(24) }),
  ciphertext: b64(32 + 16),
})
type Backup = z.infer<typeof backupSchema>

function stretch(passphrase: string, kdf: Backup['kdf']): Promise<Uint8Array> {
  const salt = Buffer.from(kdf.salt, 'base64')
  const maxmem = 128 * kdf.N * kdf.r * kdf.p + 32 * 1024 * 1024
  return new Promise((resolve, reject) => {
    scryptCb(passphrase.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (e, key) => (e ? reject(e) : resolve(new Uint8Array(key))))
  })
}

// The header, in a fixed order, is the associated data: every field is authenticated.
const associatedData = (b: Omit<Backup, 'ciphertext'>): Uint8Array =>
  new TextEncoder().encode(JSON.stringify([b.format, b.version, b.publicKey, b.kdf.name, b.kdf.N, b.kdf.r, b.kdf.p, b.kdf.salt, b.cipher.name, b.cipher.nonce]))

export async function sealIdentity(secretKey: Uint8Array, passphrase: string, cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<Uint8Array> {
  const header: Omit<Backup, 'ciphertext'> = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    publicKey: keyToText('identity', keyPairFromSecret(secretKey).publicKey),
    kdf: { name: 'scrypt', ...cost, salt: randomBytes(16).toString('base64') },
    cipher: { name: 'xchacha20-poly1305', nonce: randomBytes(24).toString('base64') },
  }
  const key = await stretch(passphrase, header.kdf)
  const sealed = xchacha20poly1305(key, Buffer.from(header.cipher.nonce, 'base64'), associatedData(header)).encrypt(secretKey)
  return new TextEncoder().encode(`${JSON.stringify({ ...header, ciphertext: Buffer.from(sealed).toString('base64') }, null, 2)}\n`)
}

/** The identity secret key in a backup; 'bad-backup' saying why when it does not open. */
export async function openIdentity(file: Uint8Array, passphrase: string): Promise<Uint8Array> {
  if (file.length > MAX_BACKUP_BYTES) throw new ServiceError('bad-backup', 'This file is far larger than an identity backup.')
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file))
  } catch {
    throw new ServiceError('bad-backup', 'This is not a Coterie identity backup.')
  }
  const format = (raw as { format?: unknown; version?: unknown } | null)
  if (format?.format !== BACKUP_FORMAT) throw new ServiceError('bad-backup', 'This is not a Coterie identity backup.')
  if (typeof format.version === 'number' && format.version > BACKUP_VERSION) throw new ServiceError('bad-backup', 'It was made by a newer Coterie; update Coterie to restore it.')
  const parsed = backupSchema.safeParse(raw)
  if (!parsed.success) throw new ServiceError('bad-backup', `The file is damaged (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}).`)
  const b = parsed.data
  const key = await stretch(passphrase, b.kdf)
  let secret: Uint8Array
  try {
    secret = xchacha20poly1305(key, Buffer.from(b.cipher.nonce, 'base64'), associatedData(b)).decrypt(Buffer.from(b.ciphertext, 'base64'))
  } catch {
    throw new ServiceError('bad-backup', 'Wrong passphrase, or the file was altered.')
  }
  if (keyToText('identity', keyPairFromSecret(secret).publicKey) !== b.publicKey) {
    throw new ServiceError('bad-backup', 'The key inside does not match the key the file names.')
  }
  return secret
}

