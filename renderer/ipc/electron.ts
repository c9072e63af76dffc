/** Electron: the preload exposes the typed API as `window.coterie` (contextBridge); nothing else. */
import type { CoterieApi } from '../../shared/ipc/contract.js'

declare global {
  interface Window {
    coterie?: CoterieApi
  }
}

export const electronApi = (): CoterieApi | null => window.coterie ?? null
