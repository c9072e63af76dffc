/** Small byte helpers shared by the protocol modules. */
import { bytesToHex, concatBytes, equalBytes } from '@noble/curves/utils.js'

export { bytesToHex, concatBytes, equalBytes }

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
/** Decodes UTF-8, or returns undefined for invalid sequences (peer input is never trusted to be text). */
export function fromUtf8(b: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(b)
  } catch {
    return undefined
  }
}

export const isAllZero = (b: Uint8Array): boolean => b.every((x) => x === 0)

/** Lexicographic byte order, used to keep lists canonical. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}
