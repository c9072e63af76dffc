/**
 * Electron IPC: one ipcMain.handle per channel of the contract, each checking that the message
 * comes from our page's main frame, then going through the backend's dispatcher (the same
 * validation as browser mode; no second copy). Events go to the page on one channel.
 */
import { ipcMain, type BrowserWindow } from 'electron'
import { err } from '../../shared/result.js'
import { invokeChannels, type EventChannel, type EventOf, type InvokeChannel } from '../../shared/ipc/contract.js'
import { IPC_EVENT, ipcChannel } from '../../shared/ipc/electron.js'
import type { Dispatch } from '../core/service/index.js'
import { fromOurPage } from './sender.js'

export function handleIpc(dispatch: Dispatch, window: () => BrowserWindow | undefined): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[]
  for (const channel of channels) {
    ipcMain.handle(ipcChannel(channel), (event, request: unknown) => {
      if (!fromOurPage(window(), event.sender, event.senderFrame))
        return err({ code: 'bad-request', message: 'Not from the Coterie window.' })
      return dispatch(channel, request)
    })
  }
  return () => channels.forEach((c) => ipcMain.removeHandler(ipcChannel(c)))
}

export function sendEvent<E extends EventChannel>(win: BrowserWindow | undefined, event: E, payload: EventOf<E>): void {
  if (win === undefined || win.isDestroyed()) return
  win.webContents.send(IPC_EVENT, event, payload)
}
