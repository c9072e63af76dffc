/**
 * providers.*: subscribing to a content provider from the app, through the same operation as
 * `coterie subscribe` (operations/subscribe.ts), so the app and the CLI log in, check the invite
 * and join alike. The password is passed on to that operation and goes no further than the
 * provider: it is not logged (the dispatcher logs only unexpected errors, never a request) and not
 * kept.
 */
import { subscribe } from '../operations/subscribe.js'
import type { AppContext, Handlers } from './context.js'

export function providerHandlers(ctx: AppContext): Pick<Handlers, 'providers.subscribe'> {
  const { store } = ctx
  return {
    'providers.subscribe': async ({ url, user, password, downloadDir }) => {
      const to = downloadDir ?? { base: store.current.settings.downloadDir ?? ctx.defaultDownloadDir }
      const s = await subscribe(store, url, user, password, to)
      // What the join brought is this app's own choice: its notices say "downloading", not "new".
      for (const t of s.torrents) ctx.acceptedHere.add(t)
      await ctx.changed()
      return { group: s.groupId, provider: s.provider, torrents: [...s.torrents] }
    },
  }
}
