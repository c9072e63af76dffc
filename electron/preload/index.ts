/**
 * The preload: exposes `window.coterie` (shared/ipc/contract.ts's CoterieApi) through
 * contextBridge and nothing else: no ipcRenderer, no Node. It runs sandboxed, where `require`
 * knows only 'electron' and a few built-ins, so it is bundled into one CommonJS file
 * (scripts/build-electron.mjs).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { createApi } from './api.js'

contextBridge.exposeInMainWorld(
  'coterie',
  createApi(ipcRenderer, (file) => webUtils.getPathForFile(file)),
)
