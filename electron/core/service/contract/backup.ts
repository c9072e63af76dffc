/**
 * Identity backups for the service: the file format is electron/core/protocol/backup.ts (docs/BACKUP.md),
 * scrypt is electron/core/platform/scrypt.ts; this adapter adds fresh randomness, runs scrypt, and
 * turns a backup that does not open into a 'bad-backup' ServiceError saying why.
 */
import { randomBytes } from 'node:crypto'
import {
  BACKUP_KEY_BYTES,
  BACKUP_NONCE_BYTES,
  BACKUP_SALT_BYTES,
  DEFAULT_SCRYPT,
  backupHeader,
  openBackup,
  readBackup,
  scryptParams,
  sealBackup,
  type BackupProblem,
  type ScryptCost,
} from '../../protocol/backup.js'
import { scrypt } from '../../platform/scrypt.js'
import { ServiceError } from '../../../../shared/service-errors.js'

const PROBLEM_TEXT: Record<BackupProblem['code'], string> = {
  oversize: 'This file is far larger than an identity backup.',
  'not-a-backup': 'This is not a Coterie identity backup.',
  'newer-version': 'It was made by a newer Coterie; update Coterie to restore it.',
  damaged: 'The file is damaged',
  'cannot-open': 'Wrong passphrase, or the file was altered.',
  'key-mismatch': 'The key inside does not match the key the file names.',
}
const refuse = (p: BackupProblem): ServiceError =>
  new ServiceError('bad-backup', p.code === 'damaged' ? `${PROBLEM_TEXT.damaged} (${p.detail}).` : PROBLEM_TEXT[p.code])

export async function sealIdentity(
  secretKey: Uint8Array,
  passphrase: string,
  cost: ScryptCost = DEFAULT_SCRYPT,
): Promise<Uint8Array> {
  const header = backupHeader(secretKey, cost, randomBytes(BACKUP_SALT_BYTES), randomBytes(BACKUP_NONCE_BYTES))
  return sealBackup(header, await scrypt(passphrase, scryptParams(header), BACKUP_KEY_BYTES), secretKey)
}

/** The identity secret key in a backup; 'bad-backup' saying why when it does not open. */
export async function openIdentity(file: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const b = readBackup(file)
  if (!b.ok) throw refuse(b.error)
  const secret = openBackup(b.value, await scrypt(passphrase, scryptParams(b.value), BACKUP_KEY_BYTES))
  if (!secret.ok) throw refuse(secret.error)
  return secret.value
}
