/** Helpers for engine tests: temp dirs, random files, and plain (non-enforcing) WebTorrent peers. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import WebTorrent from 'webtorrent'

export const LOOPBACK = '127.0.0.1'

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `coterie-${label}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Temp directories for one test file, all removed by `cleanup` (pass it to `after`):
 * `const { temp, cleanup } = tempDirs(); after(cleanup)`.
 */
export function tempDirs(): { temp(label: string): string; cleanup(): void } {
  const dirs: { remove(): void }[] = []
  return {
    temp: (label) => {
      const d = tempDir(label)
      dirs.push(d)
      return d.path
    },
    cleanup: () => dirs.splice(0).forEach((d) => d.remove()),
  }
}

export function randomFile(dir: string, name: string, bytes: number): { path: string; data: Buffer } {
  mkdirSync(dir, { recursive: true })
  const data = randomBytes(bytes)
  const path = join(dir, name)
  writeFileSync(path, data)
  return { path, data }
}

/** A plain WebTorrent client with no discovery, as an outsider or a non-enforcing seeder runs it. */
export function plainClient(o: { secure?: 0 | 1 } = {}): WebTorrent {
  return new WebTorrent({ dht: false, tracker: false, lsd: false, natUpnp: false, natPmp: false, utp: false, ...o })
}

export function destroyClient(c: WebTorrent): Promise<void> {
  return new Promise((resolve) => c.destroy(() => resolve()))
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it returns true, failing after `ms` (every wait in a test is bounded). */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(50)
  }
}
