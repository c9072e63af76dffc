/**
 * The identity key at rest, through Electron's safeStorage (the OS keyring: Keychain, DPAPI,
 * libsecret/kwallet). On Linux without a keyring, safeStorage silently falls back to a fixed
 * password ('basic_text'): sealing with it would protect nothing and add a way to lose the key,
 * so the key stays in the owner-only file and the UI is told ('basic_text') to warn.
 */
import { safeStorage } from 'electron'
import type { SecretSealer } from '../core/service/index.js'
import type { AppInfo } from '../../shared/ipc/views.js'

export const SAFE_STORAGE_SCHEME = 'electron-safe-storage'

export interface Keyring {
  readonly storage: AppInfo['secretStorage']
  readonly sealer?: SecretSealer
}

/** Call after app 'ready' (safeStorage is not available before). */
export function keyring(): Keyring {
  if (!safeStorage.isEncryptionAvailable()) return { storage: 'file' }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return { storage: 'basic_text' }
  return {
    storage: 'os',
    sealer: {
      scheme: SAFE_STORAGE_SCHEME,
      seal: (secret) => new Uint8Array(safeStorage.encryptString(Buffer.from(secret).toString('base64'))),
      unseal: (sealed) => new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(sealed)), 'base64')),
    },
  }
}
