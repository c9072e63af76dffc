/**
 * The Electron variant's launcher (loaded only when the binary exists): two instances of the
 * desktop app on temporary profiles, Bob pointed at Alice's listening port, then the shared spec.
 */
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { _electron, type ElectronApplication } from 'playwright-core'
import { ROOT, removeDir, tempDir, cli, watchConsole } from './harness.js'
import { shareScenario } from './scenario.js'

const LAUNCH_MS = 45_000

export async function runElectronScenario(t: TestContext, executablePath: string): Promise<void> {
  const apps: ElectronApplication[] = []
  const homes = [tempDir('el-alice'), tempDir('el-bob'), tempDir('el-files')]
  const errors: string[] = []
  const byName = new Map<string, ElectronApplication>()
  const launch = async (name: string, home: string, extra: string[]) => {
    const app = await _electron.launch({
      executablePath,
      args: [ROOT, '--profile', join(home, 'profile'), '--no-dht', '--no-lsd', '--no-tracker', ...extra],
      env: { ...process.env, HOME: home },
      timeout: LAUNCH_MS,
    })
    apps.push(app)
    byName.set(name, app)
    const page = await app.firstWindow({ timeout: LAUNCH_MS })
    watchConsole(page, name, errors)
    return page
  }
  try {
    const alice = await launch('Alice', homes[0]!, [])
    // Alice's listening port, from her Settings screen ("now listening on N").
    await alice
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Settings/ })
      .click()
    const hint = await alice.getByText(/now listening on \d+/).textContent({ timeout: LAUNCH_MS })
    const port = /listening on (\d+)/.exec(hint ?? '')?.[1]
    if (!port) throw new Error('Alice did not report her listening port')
    await alice.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^You/ }).click()
    const bob = await launch('Bob', homes[1]!, ['--peer', `127.0.0.1:${port}`])
    const carolKey = (await cli(homes[2]!, join(homes[2]!, 'carol'), ['id'])).split('\n')[0]!.trim()
    await shareScenario(t, {
      alice: { page: alice, name: 'Alice' },
      bob: { page: bob, name: 'Bob' },
      carolKey,
      tmp: homes[2]!,
      prefix: 'electron',
      errors,
      // "Invite…" saves through the main process's save dialog (electron/main/save-file.ts): answer it.
      answerSaveDialog: async (side, to) => {
        await byName.get(side.name)!.evaluate(({ dialog }, filePath) => {
          dialog.showSaveDialog = (() =>
            Promise.resolve({ canceled: false, filePath })) as unknown as typeof dialog.showSaveDialog
        }, to)
      },
    })
  } finally {
    for (const a of apps) await a.close().catch(() => {})
    homes.forEach(removeDir)
  }
}
