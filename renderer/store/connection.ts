import { create } from 'zustand'
import type { ConnectionState } from '../ipc/index.js'

/** Browser mode's socket state, for the banner; Electron's IPC is always 'open'. */
export const useConnection = create<{ state: ConnectionState }>(() => ({ state: 'connecting' }))
