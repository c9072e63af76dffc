/**
 * Render-time bench of the Transfers screen with 500 items, in the same Chromium as the e2e:
 * renderer/bench/transfers-bench.tsx (the real App and stores, fed by events from memory) is
 * bundled like the app (esbuild, production React) next to the app's own CSS, and timed in the page.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { ROOT } from './harness.js'

export interface BenchResult {
  items: number
  rows: number
  activeRows: number
  firstRenderMs: number
  updateMedianMs: number
  updateMaxMs: number
  filterActiveMs: number
  filterAllMs: number
  /** After pressing "Show more" until every row is on screen. */
  allRows: number
  showAllMs: number
  updateWithAllRowsMs: number
}

export async function benchTransfers(browser: Browser, dir: string): Promise<BenchResult> {
  mkdirSync(dir, { recursive: true })
  await build({
    entryPoints: { bench: join(ROOT, 'renderer', 'bench', 'transfers-bench.tsx') },
    outdir: dir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  })
  copyFileSync(join(ROOT, 'renderer', 'dist', 'app.css'), join(dir, 'app.css'))
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title><link rel="stylesheet" href="app.css"></head><body><div id="root"></div><script src="bench.js"></script></body></html>',
  )
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } })
  try {
    const page = await context.newPage()
    await page.goto(pathToFileURL(join(dir, 'index.html')).href)
    await page.waitForFunction('window.benchResult !== undefined', undefined, { timeout: 60_000 })
    return (await page.evaluate('window.benchResult')) as BenchResult
  } finally {
    await context.close()
  }
}
