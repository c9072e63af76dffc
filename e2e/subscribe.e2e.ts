/**
 * "Subscribe to a provider…" in browser mode (issue 18): a real `provider serve` (its own profile,
 * a SQLite file, its seeder on loopback), a real `coterie run --ui` for Dana, and Debian's Chromium
 * at the desktop window's minimum size. Dana opens the dialog from Groups, types a wrong password
 * and reads the provider's refusal, then the right one: the provider's group opens with its
 * published item (and the provider's address), which finishes downloading. Part of `npm run test:e2e`; alone:
 * `npm run build:renderer && node --import tsx --test e2e/subscribe.e2e.ts`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { axeViolations } from './a11y.js'
import {
  CHROMIUM,
  ROOT,
  launchChromium,
  randomFile,
  removeDir,
  screenshot,
  sha256,
  startInstance,
  tempDir,
  watchConsole,
  type Instance,
} from './harness.js'
import { WINDOW_SIZE } from '../electron/main/window-policy.js'

const COTERIE = join(ROOT, 'electron', 'core', 'cli', 'coterie.mjs')
const PASSWORD = 'dana correct horse'
/** Start-up and a download on loopback: generous for a loaded 2-core machine. */
const WAIT_MS = 90_000
const UI_MS = 30_000

const providerHome = tempDir('provider')
const providerProfile = join(providerHome, 'profile')
let serve: ChildProcess | undefined
let dana: Instance | undefined
let browser: Browser | undefined

/** The provider's CLI, with `input` on standard input (the password of `user add`). */
function provider(input: string | undefined, ...args: string[]): string {
  const r = spawnSync(process.execPath, [COTERIE, '--profile', providerProfile, 'provider', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HOME: providerHome },
    ...(input !== undefined && { input }),
  })
  assert.equal(r.status, 0, `coterie provider ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** Every file under `dir`. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
      )
    : []

before(() => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`)
  if (!existsSync(join(ROOT, 'renderer', 'dist', 'index.html')))
    throw new Error('renderer/dist is missing: npm run build:renderer')
})

after(async () => {
  await browser?.close().catch(() => {})
  await dana?.stop()
  serve?.kill('SIGKILL')
  if (dana) removeDir(dana.home)
  removeDir(providerHome)
})

test(
  'browser mode: Dana subscribes to a provider; a wrong password is refused in words',
  { timeout: 360_000 },
  async () => {
    const item = join(providerHome, 'pilot.bin')
    const hash = randomFile(item, 900_000)
    provider(undefined, 'init', 'Series')
    provider(`${PASSWORD}\n`, 'user', 'add', 'dana')
    provider(undefined, 'publish', item, '--title', 'Pilot')
    serve = spawn(
      process.execPath,
      [
        COTERIE,
        '--profile',
        providerProfile,
        'provider',
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--no-dht',
        '--no-lsd',
        '--no-tracker',
        '--no-port-mapping',
      ],
      { env: { ...process.env, HOME: providerHome }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let served = ''
    serve.stdout!.on('data', (d: Buffer) => (served += d))
    serve.stderr!.on('data', (d: Buffer) => (served += d))
    const [url] = await Promise.all([
      (async () => {
        const deadline = Date.now() + WAIT_MS
        while (!/listening on (http:\S+)/.test(served)) {
          if (Date.now() > deadline || serve!.exitCode !== null) throw new Error(`provider serve: ${served}`)
          await new Promise((r) => setTimeout(r, 200))
        }
        return /listening on (http:\S+)/.exec(served)![1]!
      })(),
      startInstance('Dana').then((i) => (dana = i)),
    ])
    browser = await launchChromium()
    const errors: string[] = []
    const context = await browser.newContext({
      viewport: { width: WINDOW_SIZE.minWidth, height: WINDOW_SIZE.minHeight },
    })
    const page = await context.newPage()
    watchConsole(page, 'Dana', errors)
    await page.goto(dana!.url)
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: /^Groups/ })
      .click()

    // Keyboard: the entry is a button reached with Tab, opened with Enter; focus lands in the dialog.
    const entry = page.getByRole('button', { name: 'Subscribe to a provider…' })
    await entry.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByTestId('subscribe-dialog')
    await dialog.waitFor({ timeout: UI_MS })
    assert.equal(
      await page.evaluate(
        'document.activeElement?.id === document.querySelector("[data-testid=subscribe-dialog] input[type=url]")?.id',
      ),
      true,
      'focus starts on the address',
    )
    assert.equal(
      await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
      true,
      "the dialog at the window's minimum size: no sideways scrolling",
    )
    assert.deepEqual(await axeViolations(page), [], 'the subscribe dialog: axe-core')
    assert.equal(await dialog.getByLabel('Password').getAttribute('type'), 'password')
    await screenshot(page, 'subscribe-dialog-720x520')

    await page.keyboard.type(url)
    await page.keyboard.press('Tab')
    await page.keyboard.type('dana')
    await page.keyboard.press('Tab')
    await page.keyboard.type('not the password')
    await page.keyboard.press('Enter')
    const alert = dialog.getByRole('alert')
    await alert.getByText('Wrong account name or password.').waitFor({ timeout: UI_MS })
    assert.equal(await dialog.getByLabel('Password').inputValue(), '', 'the refused password is not kept')
    await screenshot(page, 'subscribe-wrong-password')

    await dialog.getByLabel('Password').fill(PASSWORD)
    await dialog.getByRole('button', { name: 'Subscribe' }).click()
    await page.getByTestId('toasts').getByText('Subscribed to “Series”').first().waitFor({ timeout: WAIT_MS })
    await dialog.waitFor({ state: 'detached', timeout: UI_MS })
    // The new group is listed and selected, with the provider's item in it; it finishes downloading.
    const tab = page.getByRole('list', { name: 'Your groups' }).getByRole('button', { name: /^Series/ })
    assert.equal(await tab.getAttribute('aria-current'), 'true', 'the new group is selected')
    await page.getByTestId('provider').getByText(url).waitFor({ timeout: UI_MS })
    const row = page
      .getByRole('list', { name: 'Shared in this group' })
      .getByRole('listitem')
      .filter({ hasText: 'pilot.bin' })
    await row.getByText('Sharing').waitFor({ timeout: WAIT_MS })
    const got = filesUnder(dana!.home).find((f) => f.endsWith('pilot.bin'))
    assert.ok(got !== undefined, `pilot.bin under ${dana!.home}`)
    assert.equal(await sha256(got), hash, 'the same bytes on Dana’s disk')
    assert.equal(
      await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
      true,
      "the subscription's group at the window's minimum size: no sideways scrolling",
    )
    await screenshot(page, 'subscribe-done')
    assert.deepEqual(errors, [], 'no console or page errors')
  },
)
