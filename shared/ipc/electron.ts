/**
 * The Electron IPC channel names the main process and the preload agree on (the renderer never
 * sees them: it calls `window.coterie`). One ipcMain.handle per contract channel; every event on
 * one channel, with its name as the first argument.
 */
import type { InvokeChannel } from './contract.js'

export const ipcChannel = (channel: InvokeChannel): string => `coterie:invoke:${channel}`
export const IPC_EVENT = 'coterie:event'
