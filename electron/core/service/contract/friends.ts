/** friends.* and keys.check: people by their key, and checking a pasted key as it is typed. */
import { bytesToHex } from '../../protocol/bytes.js'
import { fingerprint, parseKeyText } from '../../protocol/keys.js'
import { addFriend, removeFriend, setFriendAddresses } from '../operations/friends.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { KEY_TEXT_REASONS } from '../../../../shared/ui/reason-text.js'
import type { AppContext, Handlers } from './context.js'
import { friendView } from './views.js'

type Channels = 'keys.check' | 'friends.list' | 'friends.add' | 'friends.remove' | 'friends.setAddresses'

export function friendHandlers(ctx: AppContext): Pick<Handlers, Channels> {
  const { store } = ctx
  return {
    'keys.check': async ({ text }) => {
      const parsed = parseKeyText('identity', text)
      if (!parsed.ok) return { valid: false, code: parsed.error.code, message: KEY_TEXT_REASONS[parsed.error.code] }
      const hex = bytesToHex(parsed.value)
      const friend = store.current.friends.find((f) => f.publicKey === hex)
      return {
        valid: true,
        fingerprint: fingerprint(parsed.value),
        ...(friend !== undefined && { friend: friend.name }),
        self: hex === store.current.identity.publicKey,
      }
    },
    'friends.list': async () => store.current.friends.map(friendView),
    'friends.add': async ({ key, name }) => {
      const f = await addFriend(store, key, name)
      await ctx.changed()
      return friendView(f)
    },
    'friends.remove': async ({ key }) => {
      // By key only: a name could match another friend than the one the user clicked.
      const parsed = parseKeyText('identity', key)
      if (!parsed.ok) throw new ServiceError('bad-key', KEY_TEXT_REASONS[parsed.error.code])
      await removeFriend(store, bytesToHex(parsed.value))
      await ctx.changed()
      return {}
    },
    'friends.setAddresses': async ({ key, addresses }) => {
      const parsed = parseKeyText('identity', key)
      if (!parsed.ok) throw new ServiceError('bad-key', KEY_TEXT_REASONS[parsed.error.code])
      const f = await setFriendAddresses(store, bytesToHex(parsed.value), addresses)
      await ctx.changed()
      return friendView(f)
    },
  }
}
