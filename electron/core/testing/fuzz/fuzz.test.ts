// The short fuzz run of `npm test` (the long one is `npm run fuzz`): every target of targets.ts,
// a few hundred inputs each, in a child process with a deadline, so a parser that hangs fails this
// test (naming the target) instead of freezing the suite. And the fuzzer itself must be able to
// fail: a target that throws, answers with an untyped outcome or keeps too much is caught, shrunk.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fuzz } from './fuzz.js'
import { targets, type FuzzTarget } from './targets.js'

const RUNS = 200
// Generous: a loaded 2-core machine runs the whole short fuzz in well under a minute.
const DEADLINE_MS = 300_000

describe('fuzzing every parser that reads outside bytes (short run)', () => {
  it('no target throws, hangs, keeps too much or gives an untyped reason', () => {
    const run = fileURLToPath(new URL('./run.ts', import.meta.url))
    const r = spawnSync(process.execPath, ['--import', 'tsx', run, '--runs', String(RUNS), '--bound-ms', '20000'], {
      timeout: DEADLINE_MS,
      encoding: 'utf8',
      cwd: process.cwd(),
    })
    const last = r.stderr.trim().split('\n').at(-1)
    assert.equal(r.signal, null, `the fuzz run did not finish in time; last: ${last}`)
    assert.equal(r.status, 0, r.stderr)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { target: string; runs: number; outcomes: Record<string, number> })
    assert.deepEqual(
      lines.map((l) => l.target),
      targets.map((t) => t.name),
    )
    for (const l of lines) assert.ok(l.runs >= RUNS, `${l.target} ran ${l.runs}`)
  })

  it('every target has seeds from the vectors or the corpus (the BEP 10 wire reaches the extension)', () => {
    for (const t of targets) assert.ok(t.seeds.length > 0, `${t.name} has no seeds`)
  })

  it('a time limit cuts the generated inputs short, says so, and still catches a throw', async () => {
    let calls = 0
    const slow: FuzzTarget = {
      name: 'slow',
      what: 'a parser that takes a few milliseconds per input',
      seeds: [new Uint8Array([1])],
      outcomes: new Set(['ok']),
      sequence: 1,
      run: async () => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 5))
        return { outcome: 'ok' }
      },
    }
    const r = await fuzz(slow, { numRuns: 1_000_000, boundMs: 10_000, seed: 1, timeLimitMs: 200 })
    assert.equal(r.interrupted, true)
    assert.equal(r.runs, calls, 'the report counts the inputs that ran, not the ones asked for')
    assert.ok(r.runs > 1 && r.runs < 1_000_000, `${r.runs} runs`)
    await assert.rejects(
      fuzz(
        {
          ...slow,
          run: ([b]) => {
            if (b!.length >= 4) throw new RangeError('too long for me')
            return { outcome: 'ok' }
          },
        },
        { numRuns: 1_000_000, boundMs: 10_000, seed: 1, timeLimitMs: 5_000 },
      ),
      /threw: RangeError: too long for me/,
    )
  })

  it('catches and shrinks a target that throws, one with an untyped outcome, and one that keeps too much', async () => {
    const broken = (over: Partial<FuzzTarget>): FuzzTarget => ({
      name: 'broken',
      what: 'a deliberately broken parser',
      seeds: [new Uint8Array([1])],
      outcomes: new Set(['ok']),
      sequence: 1,
      run: () => ({ outcome: 'ok' }),
      ...over,
    })
    await assert.rejects(
      fuzz(
        broken({
          run: ([b]) => {
            if (b!.length >= 4) throw new RangeError('too long for me')
            return { outcome: 'ok' }
          },
        }),
        { numRuns: 500, boundMs: 10_000, seed: 1 },
      ),
      // Shrunk to the smallest failing input: one of exactly 4 bytes.
      (e: Error) =>
        /threw: RangeError: too long for me/.test(e.message) &&
        /Counterexample: \[\[Uint8Array\.from\(\[\d+,\d+,\d+,\d+\]\)\]\]/.test(e.message),
    )
    await assert.rejects(
      fuzz(broken({ run: ([b]) => ({ outcome: b!.length > 2 ? 'whatever' : 'ok' }) }), {
        numRuns: 500,
        boundMs: 10_000,
        seed: 1,
      }),
      /untyped outcome: whatever/,
    )
    await assert.rejects(
      fuzz(broken({ maxRetained: 10, run: ([b]) => ({ outcome: 'ok', retained: b!.length }) }), {
        numRuns: 500,
        boundMs: 10_000,
        seed: 1,
      }),
      /broken kept \d+ bytes \(bound 10\)/,
    )
  })
})
