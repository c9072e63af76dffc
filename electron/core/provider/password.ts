/**
 * Passwords, hashed with Argon2id (RFC 9106) at OWASP's recommended minimum (19 MiB, 2 passes,
 * 1 lane), by @node-rs/argon2: a native hasher shipped prebuilt inside per-platform npm packages
 * (no download at install), that runs on libuv's thread pool so a login never stalls the event
 * loop. The pure-JS argon2id of @noble/hashes, already a dependency, took 2.1 s per hash on this
 * machine under load (docs/PROVIDER.md, "Measured"): too slow for a login service. The stored
 * string is the PHC format, so the parameters travel with each hash and can be raised later.
 */
import { hash, verify } from '@node-rs/argon2'

/** Memory per hash, KiB (OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1). */
export const ARGON2_MEMORY_KIB = 19_456
export const ARGON2_PASSES = 2
export const ARGON2_LANES = 1
/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2

/** Bounds on a password, bytes of UTF-8: below is guessable, above is a hashing-cost attack. */
export const MIN_PASSWORD_BYTES = 8
export const MAX_PASSWORD_BYTES = 1024

export const passwordFits = (password: string): boolean => {
  const n = Buffer.byteLength(password, 'utf8')
  return n >= MIN_PASSWORD_BYTES && n <= MAX_PASSWORD_BYTES
}

export const hashPassword = (password: string): Promise<string> =>
  hash(password, {
    algorithm: ARGON2ID,
    memoryCost: ARGON2_MEMORY_KIB,
    timeCost: ARGON2_PASSES,
    parallelism: ARGON2_LANES,
  })

/** Whether `password` matches the PHC string `stored`; false (never a throw) for a malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}
