/**
 * The desktop app's main process: the composition root. One instance per user (a second launch
 * hands its invite to the first); the profile opened with the OS keyring sealing the identity key;
 * the backend (engine + profile, electron/core/service) answering the window over IPC; invites opened
 * from outside; tray, menu, notifications, start at login.
 *
 * The engine runs in this process: bench/ui-lag.ts measures the event-loop lag of the process
 * answering the UI while a 2 GiB share is hashed and peers are served (README, "Limits").
 */
import { app, dialog, shell, type BrowserWindow, type Tray } from 'electron'
import path from 'node:path'
import {
  DEFAULT_DHT_BOOTSTRAP,
  defaultProfileDir,
  isProfileError,
  ProfileStore,
  openProfile as openAndTidyProfile,
  startBackend,
  type AppBackend,
  type SecretSealer,
} from '../core/service/index.js'
import type { EventOf } from '../../shared/ipc/contract.js'
import { parseArgs, SCHEME } from './args.js'
import { InviteOpener } from './invites.js'
import { handleIpc, sendEvent } from './ipc.js'
import { setStartAtLogin } from './login.js'
import { installMenu } from './menu.js'
import { OsNotifications } from './notifications.js'
import { registerAppScheme, serveRenderer } from './protocol.js'
import { saveWithDialog } from './save-file.js'
import { keyring } from './secrets.js'
import { createTray } from './tray.js'
import { createWindow } from './window.js'

const args = parseArgs(process.argv.slice(1))
// Without this, Electron names the user-data folder after package.json's "name" ("coterie"),
// while the CLI looks in "Coterie": one profile, found by both.
app.setName('Coterie')
const profileDir = path.resolve(args.profile ?? defaultProfileDir())
if (args.profile === undefined) app.setPath('userData', profileDir)
registerAppScheme()

let win: BrowserWindow | undefined
let tray: Tray | undefined
let backend: AppBackend | undefined
let opener: InviteOpener | undefined
let quitting = false
const early: string[] = [...args.opened] // invites that arrive before the backend is up

const openInvite = (arg: string) => (opener === undefined ? early.push(arg) : void opener.open(arg))
const show = () => {
  if (win === undefined || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
const quit = () => {
  quitting = true
  app.quit()
}

if (!app.requestSingleInstanceLock()) {
  app.quit() // the running instance got our argv in 'second-instance'
} else {
  // In development (electron .), the link must start Electron with the app's path.
  if (process.defaultApp && process.argv[1] !== undefined)
    app.setAsDefaultProtocolClient(SCHEME, process.execPath, [path.resolve(process.argv[1])])
  else app.setAsDefaultProtocolClient(SCHEME)
  app.on('second-instance', (_event, argv) => {
    show()
    for (const a of parseArgs(argv.slice(1)).opened) openInvite(a)
  })
  app.on('open-file', (event, file) => {
    event.preventDefault()
    openInvite(file)
  })
  app.on('open-url', (event, url) => {
    event.preventDefault()
    openInvite(url)
  })
  app.on('window-all-closed', () => {
    if (tray === undefined) quit()
  })
  app.on('activate', show)
  let stopped = false
  app.on('will-quit', (event) => {
    if (stopped || backend === undefined) return
    event.preventDefault()
    void backend.stop().finally(() => {
      stopped = true
      app.quit()
    })
  })
  app.whenReady().then(start, (e: unknown) => fatal('Coterie could not start', e))
}

async function start(): Promise<void> {
  const appPath = app.getAppPath()
  serveRenderer(path.join(appPath, 'renderer', 'dist'))
  const ring = keyring()
  const store = await openProfile(profileDir, ring.sealer)
  if (store === undefined) return quit()
  try {
    backend = await startBackend(store, {
      mode: 'electron',
      version: app.getVersion(),
      secretStorage: ring.storage,
      platform: {
        reveal: (p) => shell.showItemInFolder(p),
        setStartAtLogin,
        // "Invite…": a save dialog, so the app knows (and says) where the file went.
        saveFile: (fileName, bytes) => saveWithDialog(win, fileName, bytes),
      },
      dht: args.dht ? { bootstrap: DEFAULT_DHT_BOOTSTRAP } : false,
      peers: args.peers,
      // Friends sit behind home routers: map the port there (NAT-PMP, then UPnP), as `coterie run` does.
      portMapping: true,
      ...(args.port !== undefined && { port: args.port }),
    })
  } catch (e) {
    return fatal(
      'Coterie could not start sharing',
      e,
      'If `coterie run` is running on this profile, stop it first: one node per profile.',
    )
  }
  const b = backend
  handleIpc(b.dispatch, () => win)
  opener = new InviteOpener(b.dispatch, (event, payload) => sendEvent(win, event, payload))
  // Coalesced like the window's toasts: one notification per group counting finished downloads.
  const notifications = new OsNotifications((infoHash) => {
    const p = b.store.current
    const groupId = p.torrents.find((t) => t.infoHash === infoHash)?.groupId
    const group = p.groups.find((g) => g.id === groupId)
    return group === undefined ? undefined : { id: group.id, name: group.name }
  }, show)
  b.on((event, payload) => {
    sendEvent(win, event, payload)
    if (event === 'notice') notifications.notice(payload as EventOf<'notice'>)
  })

  const resources = path.join(appPath, 'out', 'electron')
  win = createWindow(path.join(resources, 'preload.cjs'), path.join(resources, 'icon.png'))
  if (args.hidden) win.once('ready-to-show', () => win?.hide())
  // The page subscribes as its script starts; queued invites go once it has.
  win.webContents.on('did-finish-load', () => setTimeout(() => opener?.ready(), 300))
  win.on('close', (event) => {
    if (quitting || tray === undefined) return
    event.preventDefault() // keeps sharing from the tray; Quit is in its menu
    win?.hide()
  })
  installMenu(() => win, openInvite, quit)
  try {
    tray = createTray(path.join(resources, 'icon.png'), b.dispatch, show, quit)
  } catch {
    tray = undefined // no tray on this desktop: closing the window quits
  }
  for (const a of early.splice(0)) void opener.open(a)
}

/**
 * Opens the profile. When the keyring cannot unseal the identity key, says so and offers to try
 * again or to set the key aside (kept in the profile folder) and restore from a backup: never
 * loses it silently, never locks the person out of their other data.
 */
async function openProfile(dir: string, sealer: SecretSealer | undefined): Promise<ProfileStore | undefined> {
  for (;;) {
    try {
      return await openAndTidyProfile(dir, { create: true, sealer }) // tidies what a crash left
    } catch (e) {
      if (!isProfileError(e, 'sealed')) {
        fatal('Coterie could not open its profile', e)
        return undefined
      }
      const choice = dialog.showMessageBoxSync({
        type: 'warning',
        title: 'Coterie cannot unlock your identity',
        message: 'Coterie cannot unlock your identity key.',
        detail: `${e.message}\n\nYour groups and friends are still there. "Try again" after unlocking the system keyring; or set this key aside (it stays in the profile folder) and restore your identity from its backup file on the "You" screen.`,
        buttons: ['Try again', 'Set aside and restore from a backup', 'Quit'],
        defaultId: 0,
        cancelId: 2,
      })
      if (choice === 2) return undefined
      if (choice === 1) {
        const aside = await ProfileStore.setAsideIdentity(dir)
        dialog.showMessageBoxSync({
          type: 'info',
          message: 'Restore your identity from its backup',
          detail: `Your previous identity file was kept as ${aside}. Coterie starts with a new key now: open the "You" screen and choose "Restore from a backup" to get your identity back.`,
        })
      }
    }
  }
}

function fatal(title: string, e: unknown, hint = ''): void {
  const message = isProfileError(e) || e instanceof Error ? e.message : String(e)
  console.error(`coterie: ${title}`, e)
  dialog.showErrorBox(title, hint === '' ? message : `${message}\n\n${hint}`)
  quit()
}
