/**
 * The identity backup file format (docs/BACKUP.md): the identity secret key sealed under a key
 * stretched from a passphrase, in a small JSON file. Pure: the caller passes the salt and nonce
 * (randomness) and the stretched key (scrypt runs natively, electron/core/platform/scrypt.ts), so
 * the format is tested with vectors like the rest of the protocol. XChaCha20-Poly1305 seals the key,
 * with the whole header as associated data, so a changed parameter fails like a wrong passphrase.
 * Parameters read from a file are bounded here, before the caller runs scrypt with them, so a
 * crafted backup cannot make restore allocate gigabytes or run for minutes.
 */
import { hchacha } from '@noble/ciphers/chacha.js'
import { z } from 'zod'
import { err, ok, type Result } from '../../../shared/result.js'
import { keyPairFromSecret, keyToText } from './keys.js'
import { primitives } from './primitives.js'

export const BACKUP_FORMAT = 'coterie-identity-backup'
export const BACKUP_VERSION = 1
/** Default cost: 2^17 × 8 × 128 B = 128 MiB of memory, about half a second here. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const
/** What a file may ask for: no weaker than 2^15 (tests), no costlier than 2^20 (1 GiB). */
const LOG_N = { min: 15, max: 20 }
export const MAX_BACKUP_BYTES = 64 * 1024
export const BACKUP_SALT_BYTES = 16
export const BACKUP_NONCE_BYTES = 24
/** The stretched key's length (scrypt dkLen). */
export const BACKUP_KEY_BYTES = 32

// atob is forgiving base64 (a missing '=' is accepted), as Buffer's decoder was before this moved here.
const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
const toBase64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b))
const decodesTo = (s: string, n: number): boolean => {
  try {
    return fromBase64(s).length === n
  } catch {
    return false
  }
}
const b64 = (n: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .refine((s) => decodesTo(s, n), `expected ${n} bytes`)

const backupSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  /** Whose key this is, readable without the passphrase. */
  publicKey: z.string().max(200),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .refine(
        (n) => Number.isInteger(Math.log2(n)) && Math.log2(n) >= LOG_N.min && Math.log2(n) <= LOG_N.max,
        `N must be a power of two from 2^${LOG_N.min} to 2^${LOG_N.max}`,
      ),
    r: z.number().int().min(8).max(16),
    p: z.number().int().min(1).max(4),
    salt: b64(BACKUP_SALT_BYTES),
  }),
  cipher: z.strictObject({ name: z.literal('xchacha20-poly1305'), nonce: b64(BACKUP_NONCE_BYTES) }),
  ciphertext: b64(32 + 16),
})
/** A backup file read and checked, not yet opened. */
export type Backup = z.infer<typeof backupSchema>
export type BackupHeader = Omit<Backup, 'ciphertext'>

export interface ScryptCost {
  readonly N: number
  readonly r: number
  readonly p: number
}
/** What the caller runs scrypt with: NFC(passphrase), salt, N, r, p, dkLen = BACKUP_KEY_BYTES. */
export interface ScryptParams extends ScryptCost {
  readonly salt: Uint8Array
}
export const scryptParams = (h: BackupHeader): ScryptParams => ({
  N: h.kdf.N,
  r: h.kdf.r,
  p: h.kdf.p,
  salt: fromBase64(h.kdf.salt),
})

/** Why a backup did not open. `damaged` comes with what failed to parse. */
export type BackupProblem =
  | { readonly code: 'oversize' | 'not-a-backup' | 'newer-version' | 'cannot-open' | 'key-mismatch' }
  | { readonly code: 'damaged'; readonly detail: string }

// The header, in a fixed order, is the associated data: every field is authenticated.
const associatedData = (b: BackupHeader): Uint8Array =>
  new TextEncoder().encode(
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

/**
 * XChaCha20-Poly1305 through the Primitives' ChaCha20-Poly1305: HChaCha20 turns the key and the
 * nonce's first 16 bytes into a subkey, which seals under the nonce's last 8 bytes after 4 zero
 * bytes (draft-irtf-cfrg-xchacha §2.3), so a native AEAD serves backups as it serves handshakes.
 */
function xchachaSubkey(key: Uint8Array, nonce: Uint8Array): { subkey: Uint8Array; nonce: Uint8Array } {
  const words = (b: Uint8Array) => new Uint32Array(new Uint8Array(b).buffer)
  const sigma = words(new TextEncoder().encode('expand 32-byte k'))
  const out = new Uint32Array(8)
  hchacha(sigma, words(key), words(nonce.subarray(0, 16)), out)
  const short = new Uint8Array(12)
  short.set(nonce.subarray(16, 24), 4)
  return { subkey: new Uint8Array(out.buffer), nonce: short }
}

/** The header of a new backup of `secretKey`; `salt` and `nonce` are fresh random bytes. */
export function backupHeader(
  secretKey: Uint8Array,
  cost: ScryptCost,
  salt: Uint8Array,
  nonce: Uint8Array,
): BackupHeader {
  if (salt.length !== BACKUP_SALT_BYTES || nonce.length !== BACKUP_NONCE_BYTES)
    throw new RangeError('backup: wrong salt or nonce length')
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    publicKey: keyToText('identity', keyPairFromSecret(secretKey).publicKey),
    kdf: { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: toBase64(salt) },
    cipher: { name: 'xchacha20-poly1305', nonce: toBase64(nonce) },
  }
}

/** The backup file: `header` with `secretKey` sealed under `key`, stretched from scryptParams(header). */
export function sealBackup(header: BackupHeader, key: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const x = xchachaSubkey(key, fromBase64(header.cipher.nonce))
  const sealed = primitives().aeadSeal(x.subkey, x.nonce, associatedData(header), secretKey)
  return new TextEncoder().encode(`${JSON.stringify({ ...header, ciphertext: toBase64(sealed) }, null, 2)}\n`)
}

/** Reads and checks a backup file, before any key is stretched for it. */
export function readBackup(file: Uint8Array): Result<Backup, BackupProblem> {
  if (file.length > MAX_BACKUP_BYTES) return err({ code: 'oversize' })
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file))
  } catch {
    return err({ code: 'not-a-backup' })
  }
  const format = raw as { format?: unknown; version?: unknown } | null
  if (format?.format !== BACKUP_FORMAT) return err({ code: 'not-a-backup' })
  if (typeof format.version === 'number' && format.version > BACKUP_VERSION) return err({ code: 'newer-version' })
  const parsed = backupSchema.safeParse(raw)
  if (!parsed.success)
    return err({
      code: 'damaged',
      detail: `${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}`,
    })
  return ok(parsed.data)
}

/** The identity secret key in `b`, opened with `key` stretched from scryptParams(b). */
export function openBackup(b: Backup, key: Uint8Array): Result<Uint8Array, BackupProblem> {
  const x = xchachaSubkey(key, fromBase64(b.cipher.nonce))
  const secret = primitives().aeadOpen(x.subkey, x.nonce, associatedData(b), fromBase64(b.ciphertext))
  if (secret === undefined) return err({ code: 'cannot-open' })
  if (keyToText('identity', keyPairFromSecret(secret).publicKey) !== b.publicKey) return err({ code: 'key-mismatch' })
  return ok(secret)
}
