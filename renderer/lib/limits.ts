/** Speed limits as the forms show them: KiB/s, empty for no limit (the contract's null). */

export const toKiB = (n: number | null): string => (n === null ? '' : String(Math.round(n / 1024)))

/** What was typed, in bytes per second: null when empty, 'bad' when not a whole number of KiB/s. */
export function fromKiB(s: string): number | null | 'bad' {
  if (s.trim() === '') return null
  const n = Number(s)
  return Number.isInteger(n) && n > 0 && n < 10_000_000 ? n * 1024 : 'bad'
}
