/**
 * scrypt in node:crypto (native, on libuv's thread pool), for the backup format's key
 * (electron/core/protocol/backup.ts): the pure-JS one would hold the event loop that answers the
 * UI for seconds. The passphrase is NFC-normalised, so the same words typed on another system
 * give the same key.
 */
import { scrypt as scryptCb } from 'node:crypto'
import type { ScryptParams } from '../protocol/backup.js'

export function scrypt(passphrase: string, p: ScryptParams, keyBytes: number): Promise<Uint8Array> {
  const maxmem = 128 * p.N * p.r * p.p + 32 * 1024 * 1024
  return new Promise((resolve, reject) => {
    scryptCb(passphrase.normalize('NFC'), p.salt, keyBytes, { N: p.N, r: p.r, p: p.p, maxmem }, (e, key) =>
      e ? reject(e) : resolve(new Uint8Array(key)),
    )
  })
}
