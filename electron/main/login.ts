/**
 * Start at login. macOS and Windows through app.setLoginItemSettings; Linux has no such API in
 * Electron, so an XDG autostart entry (~/.config/autostart/coterie.desktop) is written or removed.
 */
import { app } from 'electron'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'

const autostartFile = () =>
  path.join(process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'autostart', 'coterie.desktop')

export function setStartAtLogin(on: boolean): void {
  if (process.platform !== 'linux') {
    // Started at login, it waits in the tray (--hidden) instead of opening its window.
    app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] })
    return
  }
  // An AppImage runs from a temporary mount: start the image itself.
  const exec = process.env.APPIMAGE ?? process.execPath
  const entry = `[Desktop Entry]\nType=Application\nName=Coterie\nExec="${exec.replace(/"/g, '\\"')}" --hidden\nX-GNOME-Autostart-enabled=true\n`
  const file = autostartFile()
  const done = on
    ? mkdir(path.dirname(file), { recursive: true }).then(() => writeFile(file, entry, { mode: 0o644 }))
    : rm(file, { force: true })
  done.catch((e: unknown) => console.error('coterie: could not change start at login', e))
}
