/** Zod building blocks for decoded bencode: byte strings of fixed length, text, safe integers. */
import { z } from 'zod'
import { fromUtf8 } from './bytes.js'

export const bytesOf = (n: number) =>
  z.instanceof(Uint8Array).refine((b) => b.length === n, { message: `expected ${n} bytes` })

export const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

/** A UTF-8 text field, carried as a bencode byte string. */
export const text = (maxChars: number) =>
  z.instanceof(Uint8Array).transform((b, ctx) => {
    const s = fromUtf8(b)
    if (s === undefined || s.length > maxChars) {
      ctx.addIssue({ code: 'custom', message: 'invalid text' })
      return z.NEVER
    }
    return s
  })

/**
 * The integer under `key` of a decoded dictionary, read before the strict schema: a newer version
 * may add fields, and its peer deserves "unsupported-version", not "malformed".
 */
export function versionField(decoded: unknown, key = 'v'): number | undefined {
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded) || decoded instanceof Uint8Array)
    return undefined
  const v = (decoded as Record<string, unknown>)[key]
  return typeof v === 'number' ? v : undefined
}
