/**
 * The same spec against the real desktop app, through Playwright's Electron support. Where the
 * Electron binary is absent (these machines: ELECTRON_SKIP_BINARY_DOWNLOAD), it is skipped with
 * the reason, never passed silently.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ROOT } from './harness.js'

/** Where the electron package keeps its downloaded binary (node_modules/electron/path.txt). */
function electronBinary(): string | null {
  const pkg = join(ROOT, 'node_modules', 'electron')
  const pathTxt = join(pkg, 'path.txt')
  if (!existsSync(pathTxt)) return null
  const bin = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim())
  return existsSync(bin) ? bin : null
}

const binary = electronBinary()

test('Electron: Alice shares a file with Bob through an invite', { timeout: 180_000 }, async (t) => {
  if (binary === null) {
    t.skip(
      'Electron binary absent (ELECTRON_SKIP_BINARY_DOWNLOAD): this variant needs it; e2e/app.e2e.ts runs the same spec in browser mode',
    )
    return
  }
  // With the binary present: launch two instances through playwright-core's _electron on two
  // temporary profiles and run shareScenario against their first windows.
  const { runElectronScenario } = await import('./electron-run.js')
  await runElectronScenario(t, binary)
})
