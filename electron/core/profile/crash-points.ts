/**
 * Named points in the profile's write path where a crash test kills the process, so that every
 * step of a write is tested rather than whatever moment a random kill happens to hit
 * (crash.test.ts, cli/crash.test.ts). Inert unless COTERIE_TEST_CRASH_AT is set, which only the
 * tests do: production code reaches each point as one comparison with `undefined`.
 *
 * COTERIE_TEST_CRASH_AT=<point>[@<file name>][#<n>] kills the process (SIGKILL, the signal nothing
 * can catch, like a power cut for the process) the n-th time (default: the first) it reaches
 * <point>, counting only writes of a file whose name contains <file name> when one is given.
 * The point `any` counts every point: `any#n` kills at the n-th point reached, whichever it is.
 */

/** Every point, in the order a write reaches them; tests iterate over this list. */
export const CRASH_POINTS = [
  /** The lock's next owner record is made (in a folder beside the lock), not yet moved into place. */
  'lock:pending',
  /** The lock is taken (owner record in place); nothing is written yet. */
  'lock:taken',
  /** A temporary copy of a file is created, empty. */
  'write:temp-created',
  /** The temporary copy holds all the new bytes, flushed, and is not yet renamed over the file. */
  'write:temp-full',
  /** The file is replaced; its directory is not yet flushed. */
  'write:renamed',
  /** An update wrote the info files it staged; the state naming them is not yet written. */
  'update:infos-written',
  /** An update committed; the files of torrents it dropped are not yet removed. */
  'update:committed',
  /** A group is out of the profile; its index and rendezvous folder are not yet removed. */
  'remove-group:committed',
  /** The lock is moved aside to be deleted (release or take-over), not yet deleted. */
  'lock:aside',
] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]

export const CRASH_ENV = 'COTERIE_TEST_CRASH_AT'

const target = parse(process.env[CRASH_ENV])
let reached = 0

/** Kills this process here if a crash test asked for `point` (and `file` matches its filter). */
export function crashPoint(point: CrashPoint, file = ''): void {
  if (target === undefined || (target.point !== point && target.point !== 'any') || !file.includes(target.file)) return
  if (++reached === target.nth) process.kill(process.pid, 'SIGKILL')
}

function parse(spec: string | undefined): { point: string; file: string; nth: number } | undefined {
  if (spec === undefined || spec === '') return undefined
  const m = /^([a-z:-]+)(?:@([^#]+))?(?:#(\d+))?$/.exec(spec)
  if (m === null || (m[1] !== 'any' && !(CRASH_POINTS as readonly string[]).includes(m[1]!)))
    throw new Error(`${CRASH_ENV}: bad ${spec}`)
  return { point: m[1]!, file: m[2] ?? '', nth: Number(m[3] ?? 1) }
}
