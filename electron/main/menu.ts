/** The application menu: "Open invite…" (Ctrl/Cmd+O), and the usual edit and window roles. */
import { Menu, dialog, type BrowserWindow, type MenuItemConstructorOptions } from 'electron'
import { INVITE_EXTENSION } from './args.js'

export function installMenu(
  window: () => BrowserWindow | undefined,
  openInvite: (path: string) => void,
  quit: () => void,
): void {
  const pick = async () => {
    const win = window()
    const options = {
      title: 'Open invite',
      properties: ['openFile' as const],
      filters: [{ name: 'Coterie invites', extensions: [INVITE_EXTENSION.slice(1)] }],
    }
    const r = win === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(win, options)
    for (const p of r.filePaths) openInvite(p)
  }
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open invite…', accelerator: 'CmdOrCtrl+O', click: () => void pick() },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { label: 'Quit', accelerator: 'Ctrl+Q', click: quit },
      ],
    },
    { role: 'editMenu' },
    { role: 'windowMenu' },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
