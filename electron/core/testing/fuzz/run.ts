/**
 * Runs the fuzz targets (targets.ts) and prints one JSON line per target: runs, how often each
 * outcome came up, the slowest run, the seconds it took, and (with --expose-gc) how much the heap
 * grew between the first and the last round. With --budget-s, each target stops generating inputs
 * after that many seconds (shared evenly by its rounds), and its line says it was cut short: the
 * costliest targets (a signature and an X25519 per input) then finish on a loaded machine. `npm run fuzz` is the long run; fuzz.test.ts runs it short, in a child
 * process with a deadline, so a parser that hangs fails the test instead of freezing it.
 *
 *   node --expose-gc --import tsx electron/core/testing/fuzz/run.ts [--runs N] [--rounds R]
 *        [--target NAME] [--seed S] [--bound-ms MS] [--max-growth-mib M] [--budget-s S]
 */
import { parseArgs } from 'node:util'
import { fuzz, type FuzzReport } from './fuzz.js'
import { targets } from './targets.js'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
    target: { type: 'string', multiple: true },
    seed: { type: 'string' },
    'bound-ms': { type: 'string', default: '5000' },
    'max-growth-mib': { type: 'string', default: '64' },
    'budget-s': { type: 'string' },
  },
})
const runs = Number(values.runs)
const rounds = Math.max(1, Number(values.rounds))
const boundMs = Number(values['bound-ms'])
const maxGrowth = Number(values['max-growth-mib'])
const roundLimitMs = values['budget-s'] === undefined ? undefined : (Number(values['budget-s']) * 1000) / rounds
const gc = (globalThis as { gc?: () => void }).gc
const heapMiB = () => {
  gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const chosen = values.target === undefined ? targets : targets.filter((t) => values.target!.includes(t.name))
if (chosen.length === 0) {
  console.error(`no such target; there are: ${targets.map((t) => t.name).join(', ')}`)
  process.exit(2)
}
let failed = false
for (const t of chosen) {
  // The target's name first, on stderr: if it hangs, whoever killed us knows where.
  console.error(`fuzzing ${t.name}: ${t.what}`)
  try {
    const reports: FuzzReport[] = []
    const t0 = performance.now()
    let first = 0
    for (let r = 0; r < rounds; r++) {
      reports.push(
        await fuzz(t, {
          numRuns: runs,
          boundMs,
          ...(roundLimitMs === undefined ? {} : { timeLimitMs: roundLimitMs }),
          ...(values.seed === undefined ? {} : { seed: Number(values.seed) + r }),
        }),
      )
      if (r === 0) first = heapMiB()
    }
    const growth = rounds > 1 && gc !== undefined ? heapMiB() - first : undefined
    const outcomes: Record<string, number> = {}
    for (const rep of reports) for (const [k, v] of Object.entries(rep.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v
    const line = {
      target: t.name,
      runs: reports.reduce((n, rep) => n + rep.runs, 0),
      outcomes,
      maxMs: Math.round(Math.max(...reports.map((rep) => rep.maxMs))),
      seconds: Math.round((performance.now() - t0) / 1000),
      ...(reports.some((rep) => rep.interrupted) ? { cutShortBy: `${values['budget-s']} s` } : {}),
      ...(growth === undefined ? {} : { heapGrowthMiB: Math.round(growth * 10) / 10 }),
    }
    console.log(JSON.stringify(line))
    if (growth !== undefined && growth > maxGrowth) {
      console.error(`${t.name}: the heap grew ${growth.toFixed(1)} MiB over ${rounds} rounds (bound ${maxGrowth})`)
      failed = true
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e))
    failed = true
  }
}
process.exit(failed ? 1 : 0)
