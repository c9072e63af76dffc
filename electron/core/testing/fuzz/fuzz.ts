/**
 * Property-based fuzzing of the targets in targets.ts with fast-check (shrinking included): inputs
 * are the seeds as they are, the seeds mutated (bits flipped, bytes set, inserted, deleted,
 * truncated, spliced from another seed), random bytes, and random bencode built from the keys
 * Coterie and BEP 10 use, so the mutations reach past the first checks. Each run must not throw,
 * must answer within `boundMs` (a hang, not a speed target: the bound is seconds), must give an
 * outcome of the target's typed list, and must keep at most what the target may keep.
 * Why not coverage-guided (jazzer.js): it is not installable offline here, and fast-check was
 * already a dev dependency; the seeds from the vectors reach every check the negative vectors name.
 */
import fc from 'fast-check'
import { encode, type Bencodable } from '../../protocol/canonical.js'
import type { FuzzTarget } from './targets.js'

const KEYS = [
  't',
  'v',
  'n',
  'e',
  'm',
  'p',
  'box',
  'cert',
  'sig',
  'code',
  'version',
  'offset',
  'total',
  'data',
  'ip4',
  'ip6',
  'coterie',
  'coterie-invite',
  'coterie-swarm',
  'exp',
  'iat',
  'member',
  'scope',
  'swarm',
  'from',
  'to',
  'group',
  'name',
  'secret',
  'public',
  'trackers',
  'peers',
  'torrents',
  'owner',
  'certs',
  'members',
  'revoked',
  'key',
  'pieces',
  'piece length',
  'length',
  'files',
  'path',
  'private',
  'ut_metadata',
  'metadata_size',
  'reqq',
]
const TYPES = ['proof', 'noproof', 'accept', 'refuse', 'sealed', 'pex', 'index', 'index-get', 'index-part']

const bytesOfText = (s: string) => new TextEncoder().encode(s)

/** Random bencode values over Coterie's own keys and types, encoded. */
const bencodeValue: fc.Arbitrary<Uint8Array> = fc
  .letrec<{ value: Bencodable }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: -3, max: 2 ** 33 }),
      fc.constantFrom(0, 1, 2, -1, Number.MAX_SAFE_INTEGER, 16384, 65535, 65536),
      fc.uint8Array({ maxLength: 80 }),
      fc.constantFrom(...TYPES.map(bytesOfText)),
      fc.constantFrom(32, 64, 20, 31, 33).map((n) => new Uint8Array(n).fill(n)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 6 }),
    ),
  }))
  .value.map((v) => encode(v))

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; at: number; other: number; from: number; length: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.constantFrom(0, 0x2d, 0x30, 0x31, 0x39, 0x3a, 0x64, 0x65, 0x69, 0x6c, 0x7f, 0xff),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('splice' as const),
    at: fc.nat(),
    other: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
)

function mutate(seed: Uint8Array, ms: readonly Mutation[], seeds: readonly Uint8Array[]): Uint8Array {
  let b = seed
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.op === 'insert' || m.op === 'splice' ? 1 : 0))
    switch (m.op) {
      case 'flip':
        if (b.length > 0) (b = b.slice())[at % b.length]! ^= 1 << m.bit
        break
      case 'set':
        if (b.length > 0) (b = b.slice())[at % b.length] = m.byte
        break
      case 'insert':
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at))
        break
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(at + m.length))
        break
      case 'truncate':
        b = b.subarray(0, at)
        break
      case 'splice': {
        const o = seeds[m.other % seeds.length]!
        const from = o.length === 0 ? 0 : m.from % o.length
        b = concat(b.subarray(0, at), o.subarray(from, from + m.length), b.subarray(at))
        break
      }
    }
  }
  return b
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.length) - p.length)
  return out
}

/** One input for a target: a seed (maybe mutated), random bytes, or random bencode. */
export function inputs(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const fresh = [
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 2, arbitrary: bencodeValue },
  ]
  if (seeds.length === 0) return fc.oneof(...fresh)
  const seeded = fc
    .tuple(fc.nat(seeds.length - 1), fc.array(mutation, { maxLength: 6 }))
    .map(([i, ms]) => mutate(seeds[i]!, ms, seeds))
  return fc.oneof({ weight: 6, arbitrary: seeded }, ...fresh)
}

export interface FuzzReport {
  readonly target: string
  /** Inputs run: the seeds, then the generated ones (fewer than asked when the time limit cut in). */
  readonly runs: number
  /** The time limit stopped the generated inputs before `numRuns`. */
  readonly interrupted: boolean
  /** How often each outcome came up: which of the target's checks the inputs reached. */
  readonly outcomes: Record<string, number>
  readonly maxMs: number
}

export interface FuzzOptions {
  readonly numRuns: number
  /** fast-check's seed, to replay a run; random when absent. */
  readonly seed?: number
  /** A run slower than this is a hang (seconds, not a speed target). */
  readonly boundMs: number
  /**
   * Stop generating inputs after this long (the seeds always run): what makes the long run of the
   * costliest targets (a signature and an X25519 per input) finish on a loaded machine. No limit when absent.
   */
  readonly timeLimitMs?: number
}

/** Replays every seed alone, then `numRuns` generated inputs; throws (shrunk) on the first violation. */
export async function fuzz(target: FuzzTarget, o: FuzzOptions): Promise<FuzzReport> {
  const outcomes: Record<string, number> = {}
  let maxMs = 0
  let runs = 0
  const check = async (input: readonly Uint8Array[]): Promise<void> => {
    runs++
    const t0 = performance.now()
    let out
    try {
      out = await target.run(input)
    } catch (e) {
      throw new Error(`${target.name} threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    }
    const ms = performance.now() - t0
    maxMs = Math.max(maxMs, ms)
    outcomes[out.outcome] = (outcomes[out.outcome] ?? 0) + 1
    if (ms > o.boundMs) throw new Error(`${target.name} took ${ms.toFixed(0)} ms (bound ${o.boundMs} ms)`)
    if (!target.outcomes.has(out.outcome)) throw new Error(`${target.name} gave an untyped outcome: ${out.outcome}`)
    if (target.maxRetained !== undefined && (out.retained ?? 0) > target.maxRetained)
      throw new Error(`${target.name} kept ${out.retained} bytes (bound ${target.maxRetained})`)
  }
  for (const s of target.seeds) await check([s])
  const seeded = runs
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(inputs(target.seeds), { minLength: 1, maxLength: target.sequence }), check),
      {
        numRuns: o.numRuns,
        ...(o.seed === undefined ? {} : { seed: o.seed }),
        ...(o.timeLimitMs === undefined
          ? {}
          : { interruptAfterTimeLimit: o.timeLimitMs, markInterruptAsFailure: false }),
      },
    )
  } catch (e) {
    // fast-check names the shrunk counterexample and the seed to replay it; the violation is its cause.
    const cause = e instanceof Error && e.cause instanceof Error ? `\n${e.cause.message}` : ''
    throw new Error(`${e instanceof Error ? e.message : String(e)}${cause}`)
  }
  // Shrinking never happened (no failure), so every check after the seeds was a generated input.
  return { target: target.name, runs, interrupted: runs - seeded < o.numRuns, outcomes, maxMs }
}
