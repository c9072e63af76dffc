/**
 * The `coterie` command as the CLI tests drive it: each command a fresh process on a real
 * profile, as a user or a script runs it, and `coterie run` in the background until stopped.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { until } from './swarm.js'

const BIN = new URL('../cli/coterie.mjs', import.meta.url).pathname

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs one command to its end (at most a minute). */
export function coterie(profile: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Runs one command that must succeed; its output lines. */
export function ok(profile: string, ...args: string[]): string[] {
  const r = coterie(profile, ...args)
  assert.equal(r.code, 0, `coterie ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout.trim().split('\n')
}

export interface RunningNode {
  readonly proc: ChildProcess
  readonly port: number
  output(): string
}

/**
 * `coterie run` processes that `killAll` ends (call it in `after`). They never multicast (LSD off)
 * nor leave loopback (no DHT, no trackers, no port mapping).
 */
/** How long a `coterie run` may take to listen: generous, since tests share a loaded machine. */
const RUN_START_MS = 90_000

export function runners(): { run(profile: string, ...args: string[]): Promise<RunningNode>; killAll(): void } {
  const running: ChildProcess[] = []
  return {
    async run(profile, ...args) {
      const proc = spawn(
        process.execPath,
        [BIN, '--profile', profile, 'run', '--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping', ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      running.push(proc)
      let output = ''
      proc.stdout!.on('data', (d) => (output += d))
      proc.stderr!.on('data', (d) => (output += d))
      // The output read when it fails, not when the wait began (it was empty then). A start
      // (tsx compiling the CLI, the profile, the engine) took over 30 s at a load average of 26.
      await until(() => /listening on port (\d+)/.test(output), RUN_START_MS, 'coterie run to listen').catch(
        (e: Error) => {
          throw new Error(`${e.message}; its output: ${output || '(none)'}; exit code ${proc.exitCode}`)
        },
      )
      return { proc, port: Number(/listening on port (\d+)/.exec(output)![1]), output: () => output }
    },
    killAll() {
      for (const p of running) p.kill('SIGKILL')
    },
  }
}

/** Stops a `coterie run` as a user would (SIGTERM); its exit code. */
export const stop = (proc: ChildProcess): Promise<number | null> =>
  new Promise((r) => (proc.once('exit', (code) => r(code)), proc.kill('SIGTERM')))

/** The variable that makes a `coterie` process kill itself at a named point (profile/crash-points.ts). */
export { CRASH_ENV } from '../profile/crash-points.js'
