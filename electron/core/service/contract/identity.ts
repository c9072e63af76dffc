/** app.info and identity.*: who we are, our name, and backing up or restoring the identity key. */
import { hexToBytes } from '@noble/hashes/utils.js'
import type { AppContext, Handlers } from './context.js'
import { openIdentity, sealIdentity } from './backup.js'
import { fingerprintOf, identityView } from './views.js'

type Channels = 'app.info' | 'identity.get' | 'identity.setName' | 'identity.backup' | 'identity.restore'

export function identityHandlers(ctx: AppContext): Pick<Handlers, Channels> {
  const { store } = ctx
  return {
    'app.info': async () => ({ ...ctx.info, port: ctx.node.port }),
    'identity.get': async () => identityView(store.current),
    'identity.setName': async ({ name }) => {
      const { profile } = await store.update((d) => void (d.displayName = name))
      await ctx.changed()
      return identityView(profile)
    },
    'identity.backup': async ({ passphrase }) => {
      const id = store.current.identity
      const file = await sealIdentity(hexToBytes(id.secretKey), passphrase)
      return {
        fileName: `coterie-identity-${fingerprintOf(id.publicKey)}.coterie-backup`,
        data: Buffer.from(file).toString('base64'),
      }
    },
    // The UI asks the person to confirm first: the current key is replaced, and with it every
    // membership it held, unless it is the same key.
    'identity.restore': async ({ data, passphrase }) => {
      const secret = await openIdentity(new Uint8Array(Buffer.from(data, 'base64')), passphrase)
      const profile = await store.replaceIdentity(secret)
      ctx.log(`identity restored from a backup: ${fingerprintOf(profile.identity.publicKey)}`)
      await ctx.changed()
      return identityView(profile)
    },
  }
}
