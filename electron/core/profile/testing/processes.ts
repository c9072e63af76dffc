/** Temp profiles and child processes for the profile tests. Tests only. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'coterie-profile-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return path.join(dir, 'profile')
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.ts')

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams
  /** Every line the child printed so far. */
  readonly lines: string[]
  /** Resolves with the first line (old or new) matching; rejects if the child exits first. */
  waitFor(match: (line: string) => boolean): Promise<string>
  /** Resolves once the child has exited and its output has been read to the end. */
  readonly closed: Promise<void>
}

export const startChild = (...args: string[]): Child => startChildWith({}, ...args)

/** A child with more environment variables (COTERIE_TEST_CRASH_AT: profile/crash-points.ts). */
export function startChildWith(env: Readonly<Record<string, string>>, ...args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    lines.push(...parts)
    waiters.forEach((w) => w())
  })
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let done = false
  const closed = new Promise<void>((resolve) =>
    proc.on('close', () => {
      done = true
      waiters.forEach((w) => w())
      resolve()
    }),
  )
  const waitFor = (match: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(match)
        if (hit !== undefined) {
          waiters.delete(check)
          resolve(hit)
        } else if (done) {
          waiters.delete(check)
          reject(
            new Error(`child ${args[0]} exited (code ${proc.exitCode}, signal ${proc.signalCode}) first:\n${stderr}`),
          )
        }
      }
      waiters.add(check)
      check()
    })
  return { proc, lines, waitFor, closed }
}
