/** The node's settings and what the app says about itself (mode, secret storage, port). */
import { create } from 'zustand'
import type { AppInfo, SettingsView } from '../../shared/ipc/views.js'
import type { IpcResult } from '../../shared/ipc/contract.js'
import { call, coalesced } from './api.js'

interface Settings {
  settings: SettingsView | null
  app: AppInfo | null
  refresh(): Promise<void>
  save(patch: Partial<SettingsView>): Promise<IpcResult<'settings.set'>>
}

export const useSettings = create<Settings>((set) => ({
  settings: null,
  app: null,
  refresh: coalesced(async () => {
    const [s, a] = await Promise.all([call('settings.get', {}), call('app.info', {})])
    // Keep the same objects when nothing changed: the Settings form resets only on a real change,
    // not on every profile event while someone is typing in it.
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y)
    set((prev) => ({
      settings: s.ok && !same(s.value, prev.settings) ? s.value : prev.settings,
      app: a.ok && !same(a.value, prev.app) ? a.value : prev.app,
    }))
  }),
  async save(patch) {
    const r = await call('settings.set', patch)
    if (r.ok) set({ settings: r.value })
    return r
  },
}))
