/**
 * The one window: sandboxed, context-isolated, no Node in the page, the preload as the only
 * bridge. It never navigates away from the app, opens no other window, attaches no webview;
 * a file dropped on it is handled by the renderer (never loaded as a page).
 */
import { BrowserWindow, shell } from 'electron'
import { APP_URL, mayNavigate, onWindowOpen, WEB_PREFERENCES, WINDOW_SIZE } from './window-policy.js'

export function createWindow(preload: string, icon: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    ...WINDOW_SIZE, // with its minimum, below the one-column layout's width (window-policy.ts)
    title: 'Coterie',
    show: false,
    ...(icon !== undefined && { icon }),
    // window-policy.ts: asserted by its test without Electron.
    webPreferences: { ...WEB_PREFERENCES, preload, devTools: process.env.COTERIE_DEVTOOLS === '1' },
  })
  win.once('ready-to-show', () => win.show())
  const contents = win.webContents
  contents.on('will-navigate', (event, url) => {
    if (!mayNavigate(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // A link to the project's pages may open in the person's browser; nothing opens in the app.
    const verdict = onWindowOpen(url)
    if (verdict.external) void shell.openExternal(url)
    return { action: verdict.action }
  })
  void win.loadURL(APP_URL)
  return win
}
