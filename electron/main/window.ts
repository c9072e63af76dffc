/**
 * The one window: sandboxed, context-isolated, no Node in the page, the preload as the only
 * bridge. It never navigates away from the app, opens no other window, attaches no webview;
 * a file dropped on it is handled by the renderer (never loaded as a page).
 */
import { BrowserWindow, shell } from 'electron'
import { APP_URL } from './protocol.js'

export function createWindow(preload: string, icon: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Coterie',
    show: false,
    ...(icon !== undefined && { icon }),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: process.env.COTERIE_DEVTOOLS === '1',
    },
  })
  win.once('ready-to-show', () => win.show())
  const contents = win.webContents
  contents.on('will-navigate', (event, url) => {
    if (url !== APP_URL) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // A link to the project's pages may open in the person's browser; nothing opens in the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  void win.loadURL(APP_URL)
  return win
}
