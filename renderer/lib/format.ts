/** Human numbers: sizes in binary units, speeds per second, durations rounded to what matters. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–'
  let i = 0
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024
    i++
  }
  return `${i === 0 ? n : n < 10 ? n.toFixed(1) : Math.round(n)} ${UNITS[i]}`
}

export const speed = (n: number): string => (n > 0 ? `${bytes(n)}/s` : '–')

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`
}

export const percent = (p: number): string => `${Math.floor(Math.max(0, Math.min(1, p)) * 1000) / 10}%`

export const date = (iso: string): string => {
  const d = new Date(iso)
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' })
}

/** "In all: 2 items, 4.5 MiB" of an invite's items; refused ones count for nothing (they are never written). */
export function itemsTotal(items: readonly { length: number; refused?: string | undefined }[]): string {
  const kept = items.filter((t) => t.refused === undefined)
  const size = kept.reduce((n, t) => n + t.length, 0)
  return `In all: ${kept.length} item${kept.length === 1 ? '' : 's'}, ${bytes(size)}`
}
