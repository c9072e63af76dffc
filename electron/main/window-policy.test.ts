// The desktop shell's security settings, asserted without an Electron binary: the policy values
// themselves (window-policy.ts), and that the code which builds windows, sessions and the preload
// applies them and nothing else (read from the source: these files import 'electron', which plain
// Node cannot run). electron.test.ts checks the same in real Electron where the binary exists.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  APP_URL,
  mayNavigate,
  onWindowOpen,
  permissionAllowed,
  requestAllowed,
  WEB_PREFERENCES,
  WINDOW_SIZE,
} from './window-policy.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const source = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => ({ file: f, text: readFileSync(path.join(dir, f), 'utf8') }))

describe('main: the security settings of the desktop shell', () => {
  it('webPreferences: isolated, sandboxed, no Node anywhere in the page, web security on', () => {
    assert.deepEqual(
      { ...WEB_PREFERENCES },
      {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        navigateOnDragDrop: false,
        webviewTag: false,
        spellcheck: false,
        safeDialogs: true,
      },
    )
    assert.ok(Object.isFrozen(WEB_PREFERENCES))
  })

  it('every BrowserWindow takes those webPreferences, overriding none of them', () => {
    const windows = source(HERE).filter((s) => /new BrowserWindow\(/.test(s.text))
    assert.ok(windows.length >= 1, 'a window is made somewhere')
    for (const { file, text } of windows) {
      const made = text.split('new BrowserWindow(').length - 1
      const prefs = [...text.matchAll(/webPreferences:\s*\{\s*\.\.\.WEB_PREFERENCES,([^}]*)\}/g)]
      assert.equal(prefs.length, made, `${file}: each window spreads WEB_PREFERENCES first`)
      for (const p of prefs)
        for (const key of Object.keys(WEB_PREFERENCES))
          assert.ok(!new RegExp(`\\b${key}\\b`).test(p[1]!), `${file}: ${key} is overridden after the spread`)
    }
  })

  it('navigation, window.open, webviews and redirects are guarded on every window', () => {
    assert.equal(mayNavigate(APP_URL), true)
    for (const url of ['https://example.com/', 'app://coterie/other.html', 'file:///etc/passwd', 'app://coterie.evil/'])
      assert.equal(mayNavigate(url), false, url)
    assert.deepEqual(onWindowOpen('https://example.org/help'), { action: 'deny', external: true })
    for (const url of ['http://example.org/', 'file:///C:/x', 'javascript:alert(1)', 'smb://host/x', 'https:///x'])
      assert.deepEqual(onWindowOpen(url), { action: 'deny', external: false }, url)
    const { text } = source(HERE).find((s) => s.file === 'window.ts')!
    for (const hook of [
      "on('will-navigate'",
      "on('will-redirect'",
      "on('will-attach-webview'",
      'setWindowOpenHandler(',
    ])
      assert.ok(text.includes(hook), `window.ts installs ${hook}`)
    assert.match(text, /mayNavigate\(url\)/)
    assert.match(text, /onWindowOpen\(url\)/)
  })

  it('the session allows one permission and requests to the app only, for requests and checks alike', () => {
    assert.equal(permissionAllowed('clipboard-sanitized-write'), true)
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen'])
      assert.equal(permissionAllowed(p), false, p)
    assert.equal(requestAllowed('app://coterie/assets/app.js'), true)
    for (const url of ['https://example.com/', 'app://coterie.evil/x', 'file:///etc/passwd', 'ws://127.0.0.1:1/'])
      assert.equal(requestAllowed(url), false, url)
    const { text } = source(HERE).find((s) => s.file === 'protocol.ts')!
    assert.match(text, /setPermissionRequestHandler\([^]*?permissionAllowed\(permission\)/)
    assert.match(text, /setPermissionCheckHandler\([^]*?permissionAllowed\(permission\)/)
    assert.match(text, /onBeforeRequest\([^]*?requestAllowed\(details\.url\)/)
    assert.match(text, /'Content-Security-Policy', CSP/)
  })

  it('the preload exposes one object, window.coterie, with the contract and nothing else', () => {
    const preload = source(path.join(HERE, '..', 'preload'))
    const exposed = preload.flatMap((s) => [...s.text.matchAll(/exposeInMainWorld\(\s*'([^']+)'/g)].map((m) => m[1]))
    assert.deepEqual(exposed, ['coterie'])
    assert.ok(!preload.some((s) => /exposeInIsolatedWorld|webFrame|process\.|require\(/.test(s.text)))
    // Its object's keys are asserted in preload/api.test.ts (main may not import the preload layer).
  })
})

describe('window size', () => {
  it('a window at its minimum size gets the one-column layout (the stylesheet collapses below its width)', () => {
    const css = readFileSync(path.join(HERE, '..', '..', 'renderer', 'styles.css'), 'utf8')
    const collapse = Number(/@media \(max-width: (\d+)px\)/.exec(css)?.[1])
    assert.ok(collapse > 0, 'the stylesheet has a one-column layout below some width')
    assert.ok(WINDOW_SIZE.minWidth < collapse, `minimum width ${WINDOW_SIZE.minWidth} < ${collapse}`)
    assert.ok(WINDOW_SIZE.width > collapse, 'a new window opens in the two-column layout')
    assert.ok(WINDOW_SIZE.minHeight >= 480 && WINDOW_SIZE.minHeight <= WINDOW_SIZE.height)
    const windowTs = readFileSync(path.join(HERE, 'window.ts'), 'utf8')
    assert.match(windowTs, /\.\.\.WINDOW_SIZE/, 'window.ts applies it')
    assert.doesNotMatch(windowTs, /min(Width|Height):/, 'and sets no other minimum')
  })
})
