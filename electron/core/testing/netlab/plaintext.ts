/**
 * Does a packet capture hold any of a file's bytes? (issue 14: a relay must see only ciphertext.)
 * Every WINDOW-byte slice of the file at a multiple of WINDOW goes into a table by a rolling hash;
 * the capture is then hashed at every offset, and each hit compared byte for byte. Any run of the
 * file's bytes of 2 × WINDOW or more, at any offset, in any packet, contains one of those slices,
 * so it is found; searching each slice with indexOf instead would cost size/WINDOW passes over the
 * capture.
 */

/** Bytes per slice: a random file's 32-byte slice turns up in tens of MB of unrelated bytes with chance ~2^-230. */
export const WINDOW = 32
const BASE = 257
const MOD = 2_147_483_647 // 2^31 - 1: products stay exact in a double

function power(): number {
  let p = 1
  for (let i = 0; i < WINDOW - 1; i++) p = (p * BASE) % MOD
  return p
}

function hashAt(b: Uint8Array, at: number): number {
  let h = 0
  for (let i = 0; i < WINDOW; i++) h = (h * BASE + b[at + i]!) % MOD
  return h
}

/** Where in `capture` the file's slices were found (offsets into the capture; empty when none). */
export function fileBytesIn(capture: Uint8Array, file: Uint8Array, limit = 16): number[] {
  const table = new Map<number, number[]>()
  for (let at = 0; at + WINDOW <= file.length; at += WINDOW) {
    const h = hashAt(file, at)
    const list = table.get(h)
    if (list === undefined) table.set(h, [at])
    else list.push(at)
  }
  const found: number[] = []
  if (capture.length < WINDOW) return found
  const top = power()
  let h = hashAt(capture, 0)
  for (let i = 0; ; i++) {
    const candidates = table.get(h)
    if (candidates !== undefined && candidates.some((at) => same(capture, i, file, at))) {
      found.push(i)
      if (found.length >= limit) return found
      i += WINDOW - 1 // report each run once per slice, not at every offset inside it
      if (i + WINDOW >= capture.length) return found
      h = hashAt(capture, i + 1)
      continue
    }
    if (i + WINDOW >= capture.length) return found
    h = (((h - ((capture[i]! * top) % MOD) + MOD) % MOD) * BASE + capture[i + WINDOW]!) % MOD
  }
}

function same(a: Uint8Array, ai: number, b: Uint8Array, bi: number): boolean {
  for (let k = 0; k < WINDOW; k++) if (a[ai + k] !== b[bi + k]) return false
  return true
}
