/** Speed limits as people type them: bytes per second, with binary units if they like. */
import { ServiceError } from '../../../shared/service-errors.js'

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }

/**
 * "262144", "256KiB", "256 KiB/s", "1MiB" -> bytes per second; 0 (in any unit) or "none" -> null (no limit).
 * Decimal prefixes (k, M) are refused rather than guessed at (1000 or 1024? bits or bytes?).
 */
export function parseRate(text: string): number | null {
  const s = text.trim().toLowerCase()
  if (s === 'none') return null
  const m = /^(\d+)\s*([a-z]*?)(?:\/s)?$/.exec(s)
  const unit = m === null ? undefined : UNITS[m[2]!]
  const n = m === null || unit === undefined ? Number.NaN : Number(m[1]) * unit
  if (n === 0) return null
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ServiceError(
      'bad-limit',
      `"${text}" is not one: give e.g. 262144, 256KiB or 2MiB, or 0 or none for no limit.`,
    )
  return n
}

/** "256 KiB/s", "1.5 MiB/s", "no limit": the units parseRate reads. */
export function formatRate(n: number | null): string {
  if (n === null) return 'no limit'
  if (n < 1024) return `${n} B/s`
  const [value, unit] =
    n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB']
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}/s`
}
