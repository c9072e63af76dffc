/**
 * Sealing the identity key at rest. The profile's files are owner-only (0600) everywhere; the
 * desktop app also encrypts the identity secret with the OS keyring (Electron's safeStorage),
 * injected here as a SecretSealer, so electron/core never imports Electron and the CLI keeps the
 * plain owner-only file. A sealed identity names its scheme: a process without that sealer, or
 * whose keyring no longer opens it, gets a 'sealed' error saying so, and the file is left as it is.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../protocol/bytes.js'
import { ProfileError } from './errors.js'
import { derives, IDENTITY_FORMAT_VERSION, type IdentityFile, type Identity } from './schema.js'

export interface SecretSealer {
  /** Recorded in identity.json, so a reader knows which sealer opens it (e.g. 'electron-safe-storage'). */
  readonly scheme: string
  seal(secret: Uint8Array): Uint8Array
  /** Throws when it cannot: another keyring, a locked one, altered bytes. */
  unseal(sealed: Uint8Array): Uint8Array
}

export function sealIdentity(id: Identity, sealer: SecretSealer | undefined): IdentityFile {
  const base: Omit<IdentityFile, 'secretKey' | 'sealed'> = {
    version: IDENTITY_FORMAT_VERSION,
    publicKey: id.publicKey,
    createdAt: id.createdAt,
  }
  if (sealer === undefined) return { ...base, secretKey: id.secretKey }
  return {
    ...base,
    sealed: { scheme: sealer.scheme, data: Buffer.from(sealer.seal(hexToBytes(id.secretKey))).toString('base64') },
  }
}

export function unsealIdentity(file: IdentityFile, path: string, sealer: SecretSealer | undefined): Identity {
  const { publicKey, createdAt } = file
  if (file.secretKey !== undefined) return Object.freeze({ publicKey, secretKey: file.secretKey, createdAt })
  const sealed = file.sealed!
  if (sealer === undefined || sealer.scheme !== sealed.scheme) {
    throw new ProfileError(
      'sealed',
      `The identity key in ${path} is sealed by the desktop app with the system keyring ("${sealed.scheme}"); this program cannot unseal it. Use the desktop app, or give the command line its own profile (--profile).`,
      path,
    )
  }
  let secret: string
  try {
    secret = bytesToHex(sealer.unseal(Buffer.from(sealed.data, 'base64')))
  } catch (e) {
    throw new ProfileError(
      'sealed',
      `The system keyring could not unseal the identity key in ${path}: it changed or is locked. Nothing was deleted. Unlock the keyring and try again, or restore the identity from a backup.`,
      path,
      { cause: e },
    )
  }
  if (!/^[0-9a-f]{64}$/.test(secret) || !derives(secret, publicKey)) {
    throw new ProfileError(
      'sealed',
      `The identity key unsealed from ${path} does not match its public key. Nothing was changed; restore the identity from a backup.`,
      path,
    )
  }
  return Object.freeze({ publicKey, secretKey: secret, createdAt })
}
