/**
 * The desktop app's save dialog (platform.saveFile, service/contract/context.ts): opens in the
 * Downloads folder with the suggested name, writes the bytes where the person chose, and returns
 * that path so the app can say where the file went (an invite, "Invite…"); undefined when cancelled.
 */
import { app, dialog, type BrowserWindow, type SaveDialogOptions } from 'electron'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'

export async function saveWithDialog(
  win: BrowserWindow | undefined,
  fileName: string,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const ext = path.extname(fileName).slice(1)
  const options: SaveDialogOptions = {
    defaultPath: path.join(app.getPath('downloads'), fileName),
    ...(ext === 'coterie' && { filters: [{ name: 'Coterie invite', extensions: [ext] }] }),
  }
  const r =
    win === undefined || win.isDestroyed()
      ? await dialog.showSaveDialog(options)
      : await dialog.showSaveDialog(win, options)
  if (r.canceled || r.filePath === undefined || r.filePath === '') return undefined
  await writeFile(r.filePath, bytes)
  return r.filePath
}
