/**
 * bench/results/latest.json (git-ignored), as the benches that also run alone write it: `npm run
 * bench` writes the whole file; `npm run bench:ui` and `bench:provider` merge their own fields into
 * it, with when they ran and the load average before, so one file holds the latest of each.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const DIR = new URL('./results/', import.meta.url)

/** Merges `fields`, and `${label}_date` and `${label}_loadavg_before`, into latest.json. */
export function mergeIntoLatest(fields: Record<string, unknown>, label: string, loadBefore: readonly number[]): void {
  mkdirSync(DIR, { recursive: true })
  const file = new URL('latest.json', DIR)
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {}
  const stamped = { [`${label}_date`]: new Date().toISOString(), [`${label}_loadavg_before`]: loadBefore }
  writeFileSync(file, JSON.stringify({ ...previous, ...fields, ...stamped }, null, 2) + '\n')
  console.log('merged into bench/results/latest.json')
}
