// The built desktop app in real Electron: one window on app://coterie, sandboxed and isolated,
// with window.coterie and nothing of Node. Skipped, with the reason, where the binary is absent.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const { electronBinary } = (await import(new URL('../../scripts/electron-binary.mjs', import.meta.url).href)) as {
  electronBinary(): string | null
}

describe('main: the real Electron app', () => {
  it(
    'opens one sandboxed, context-isolated window on app://coterie that sees only window.coterie',
    { timeout: 120_000 },
    async (t) => {
      const binary = electronBinary()
      if (binary === null)
        return t.skip(
          'the Electron binary is absent here (ELECTRON_SKIP_BINARY_DOWNLOAD); electron/main is typechecked and its pure parts tested in Node',
        )
      const { buildElectron } = (await import(new URL('../../scripts/build-electron.mjs', import.meta.url).href)) as {
        buildElectron(o: { quiet: boolean }): Promise<string>
      }
      await buildElectron({ quiet: true })
      const { _electron } = await import('playwright-core')
      const home = await mkdtemp(path.join(tmpdir(), 'coterie-electron-'))
      const app = await _electron.launch({
        executablePath: binary,
        args: [ROOT, '--profile', path.join(home, 'profile'), '--no-dht'],
        env: { ...process.env, HOME: home },
        timeout: 60_000,
      })
      try {
        const page = await app.firstWindow({ timeout: 60_000 })
        assert.match(page.url(), /^app:\/\/coterie\//)
        // getLastWebPreferences exists at run time; electron.d.ts does not declare it.
        type Prefs = { sandbox?: boolean; contextIsolation?: boolean; nodeIntegration?: boolean }
        const prefs = await app.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows().map((w) =>
            (w.webContents as unknown as { getLastWebPreferences(): Prefs }).getLastWebPreferences(),
          ),
        )
        assert.equal(prefs.length, 1)
        assert.equal(prefs[0]!.sandbox, true)
        assert.equal(prefs[0]!.contextIsolation, true)
        assert.equal(prefs[0]!.nodeIntegration, false)
        const seen = await page.evaluate(() => ({
          api: typeof (globalThis as { coterie?: { invoke?: unknown } }).coterie?.invoke,
          require: typeof (globalThis as { require?: unknown }).require,
        }))
        assert.deepEqual(seen, { api: 'function', require: 'undefined' })
      } finally {
        await app.close()
        await rm(home, { recursive: true, force: true })
      }
    },
  )
})
