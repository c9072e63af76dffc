/**
 * settings.*: kept in the profile (so `coterie run` on the same profile honours them) and applied
 * to the running engine by the node at once: limits and "don't seed on this network". The port
 * is the one the next start listens on; start at login needs the desktop shell.
 */
import { isAbsolute } from 'node:path'
import { ServiceError } from '../../../../shared/service-errors.js'
import type { AppContext, Handlers } from './context.js'
import { UnavailableError } from './dispatch.js'
import { settingsView } from './views.js'
import { checkDownloadFolder } from '../operations/placement.js'

export function settingsHandlers(ctx: AppContext): Pick<Handlers, 'settings.get' | 'settings.set'> {
  const { store } = ctx
  return {
    'settings.get': async () => settingsView(store.current, ctx.defaultDownloadDir),
    'settings.set': async (change) => {
      if (change.downloadDir !== undefined && !isAbsolute(change.downloadDir))
        throw new ServiceError('bad-setting', 'The download folder must be a full path.')
      // Groups' folders go inside it: never in the profile folder, with the identity (issue 15).
      if (change.downloadDir !== undefined) await checkDownloadFolder(change.downloadDir, store.dir)
      const login = change.startAtLogin
      if (
        login !== undefined &&
        login !== store.current.settings.startAtLogin &&
        ctx.platform.setStartAtLogin === undefined
      ) {
        throw new UnavailableError('Start at login needs the desktop app.')
      }
      const { profile } = await store.update((d) => {
        const { downloadDir, ...rest } = change
        Object.assign(d.settings, rest)
        if (downloadDir !== undefined) {
          if (downloadDir === ctx.defaultDownloadDir) delete d.settings.downloadDir
          else d.settings.downloadDir = downloadDir
        }
      })
      if (login !== undefined) ctx.platform.setStartAtLogin?.(login)
      await ctx.changed()
      return settingsView(profile, ctx.defaultDownloadDir)
    },
  }
}
