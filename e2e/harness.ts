/**
 * What the end-to-end tests run on: real `coterie run --ui` processes (each its own profile, engine
 * and browser-mode server) and Debian's Chromium driven by playwright-core. Every wait is bounded;
 * every process started here is stopped here.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const COTERIE = join(ROOT, 'electron', 'core', 'cli', 'coterie.mjs')
export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]
/** Start-up: tsx compiles the CLI, the engine binds its ports. Generous for a loaded 2-core machine. */
const START_MS = 45_000
const STOP_MS = 10_000

export interface Instance {
  readonly name: string
  /** Temporary HOME: the profile, the default download folder, everything the instance writes. */
  readonly home: string
  readonly profile: string
  /** The browser-mode address, with its token. */
  readonly url: string
  /** The engine's listening port (peers connect here). */
  readonly port: number
  stop(): Promise<void>
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `coterie-e2e-${prefix}-`))

/** Runs the CLI once (e.g. `id`, to make a profile that never runs). */
export async function cli(home: string, profile: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [COTERIE, '--profile', profile, ...args], {
    env: { ...process.env, HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let errOut = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (errOut += d))
  const code = await exited(child, START_MS)
  if (code !== 0) throw new Error(`coterie ${args.join(' ')} failed (${code}): ${errOut}`)
  return out
}

/** Starts `coterie run --ui` on a fresh profile and waits for its `ui:` and port lines. */
export async function startInstance(name: string, o: { peers?: string[] } = {}): Promise<Instance> {
  const home = tempDir(name.toLowerCase())
  const profile = join(home, 'profile')
  mkdirSync(ARTIFACTS, { recursive: true })
  const log = createWriteStream(join(ARTIFACTS, `${name.toLowerCase()}.log`))
  const args = [
    COTERIE,
    '--profile',
    profile,
    'run',
    '--ui',
    '--port',
    '0',
    '--no-dht',
    '--no-lsd',
    '--no-tracker',
    '--no-port-mapping',
    ...(o.peers ?? []).flatMap((p) => ['--peer', p]),
  ]
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stderr.pipe(log)
  let stdout = ''
  const found = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let url: string | undefined
    let port: number | undefined
    const timer = setTimeout(
      () => fail(new Error(`${name}: no "ui:" and port lines within ${START_MS / 1000} s; output so far:\n${stdout}`)),
      START_MS,
    )
    const fail = (e: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(e)
    }
    child.stdout.on('data', (d: Buffer) => {
      log.write(d)
      stdout += d
      url ??= /^ui: (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)\s*$/m.exec(stdout)?.[1]
      const p = /listening on port (\d+)/.exec(stdout)?.[1]
      if (p) port ??= Number(p)
      if (url && port) {
        clearTimeout(timer)
        resolve({ url, port })
      }
    })
    child.once('exit', (code) =>
      fail(new Error(`${name}: coterie exited (${code}) before it was ready; output:\n${stdout}`)),
    )
  })
  child.stdout.on('data', (d: Buffer) => log.write(d))
  return {
    name,
    home,
    profile,
    ...found,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        if ((await exited(child, STOP_MS)) === 'timeout') {
          child.kill('SIGKILL')
          await exited(child, STOP_MS)
        }
      }
      log.end()
    },
  }
}

function exited(child: ChildProcess, ms: number): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? signal ?? 'killed')
    })
  })
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: START_MS })

/**
 * Every console error and uncaught page error, to fail the test on: a screen that renders but
 * logs an error is broken. (Expected failures in these flows are values, never console errors.)
 */
export function watchConsole(page: Page, who: string, into: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(`${who} console: ${m.text()}`)
  })
  page.on('pageerror', (e) => into.push(`${who} page error: ${e.message}`))
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/** A file of pseudo-random bytes (incompressible, so the transfer is real), and its SHA-256. */
export function randomFile(path: string, bytes: number): string {
  const buf = Buffer.alloc(bytes)
  let x = 0x9e3779b9
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    buf.writeUInt32LE(x >>> 0, i)
  }
  writeFileSync(path, buf)
  return createHash('sha256').update(buf).digest('hex')
}

export function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject)
  })
}

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true, maxRetries: 3 })

/**
 * Drops files on an element the way a drag from the file manager does (dragenter, dragover, drop
 * with a DataTransfer of Files). Runs in the page, hence a string: this file has no DOM types.
 */
export async function dropFiles(page: Page, selector: string, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const payload = JSON.stringify(files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') })))
  await page.evaluate(`(() => {
    const dt = new DataTransfer()
    for (const f of ${payload}) {
      const s = atob(f.b64)
      const bytes = new Uint8Array(s.length)
      for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)
      dt.items.add(new File([bytes], f.name))
    }
    const target = document.querySelector(${JSON.stringify(selector)})
    if (!target) throw new Error('no drop target ' + ${JSON.stringify(selector)})
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }))
  })()`)
}
