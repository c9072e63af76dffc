/**
 * What the desktop shell allows its one window, as plain data and pure functions, so that a test
 * asserts them in Node without an Electron binary (window-policy.test.ts); window.ts and protocol.ts
 * apply exactly these. Sandboxed, context-isolated, no Node in the page or its workers and frames,
 * web security on; the page never navigates away from the app, opens no window, attaches no
 * webview; it may ask for one permission (writing a key to the clipboard).
 */
import { APP_ORIGIN } from './sender.js'

export const APP_URL = `${APP_ORIGIN}/index.html`

/**
 * The window's size at first and its minimum. The minimum sits below the width where the layout
 * becomes one column with the navigation on top (renderer/styles.css, `max-width: 900px`), so a
 * window made small gets that layout, never a squeezed two-column one; the e2e opens every screen
 * at exactly this minimum and requires no sideways scrolling.
 */
export const WINDOW_SIZE = Object.freeze({ width: 1100, height: 760, minWidth: 720, minHeight: 520 })

/** Every BrowserWindow's webPreferences, the preload aside (its path is known only at run time). */
export const WEB_PREFERENCES = Object.freeze({
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
})

/** 'will-navigate': only to the app's own page (a reload); anything else is prevented. */
export const mayNavigate = (url: string): boolean => url === APP_URL

/**
 * window.open and target=_blank: never a window in the app. A link to an https:// page may open in
 * the person's browser (`external`); nothing else leaves.
 */
export const onWindowOpen = (url: string): { readonly action: 'deny'; readonly external: boolean } => ({
  action: 'deny',
  external: /^https:\/\/[^/\\]/.test(url),
})

/** The one permission the page needs: copying a key or an invite link. No camera, microphone, geolocation, notifications. */
export const permissionAllowed = (permission: string): boolean => permission === 'clipboard-sanitized-write'

/** Requests the session lets through: the app's own scheme (and devtools when they are on). */
export const requestAllowed = (url: string): boolean =>
  url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('devtools://')
