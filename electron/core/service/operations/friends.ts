/** Friends: people known by their identity key, named by us. */
import { bytesToHex } from '../../protocol/bytes.js'
import { fingerprint, parseKeyText } from '../../protocol/keys.js'
import { nameKey, type Friend, type Profile, type ProfileStore } from '../../profile/index.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { KEY_TEXT_REASONS } from '../../../../shared/ui/reason-text.js'

export async function addFriend(store: ProfileStore, keyText: string, name: string): Promise<Friend> {
  const parsed = parseKeyText('identity', keyText)
  if (!parsed.ok) throw new ServiceError('bad-key', KEY_TEXT_REASONS[parsed.error.code])
  const publicKey = bytesToHex(parsed.value)
  const { result } = await store.update((draft, ctx) => {
    if (publicKey === ctx.identity.publicKey) throw new ServiceError('own-key')
    const sameKey = draft.friends.find((f) => f.publicKey === publicKey)
    if (sameKey !== undefined)
      throw new ServiceError('duplicate-friend', `It is "${sameKey.name}" (${fingerprint(parsed.value)}).`)
    if (draft.friends.some((f) => nameKey(f.name) === nameKey(name)))
      throw new ServiceError('duplicate-name', `"${name}" is taken.`)
    const friend: Friend = { name: name.trim(), publicKey, addedAt: new Date().toISOString() }
    draft.friends.push(friend)
    return friend
  })
  return result
}

export async function removeFriend(store: ProfileStore, ref: string): Promise<Friend> {
  const friend = findFriend(await store.read(), ref)
  await store.update((draft) => {
    draft.friends = draft.friends.filter((f) => f.publicKey !== friend.publicKey)
  })
  return friend
}

/** A friend by name (any case), key text, hex key, or fingerprint. */
export function findFriend(profile: Pick<Profile, 'friends'>, ref: string): Friend {
  const byName = profile.friends.filter((f) => nameKey(f.name) === nameKey(ref))
  if (byName.length === 1) return byName[0]!
  const parsed = parseKeyText('identity', ref)
  const hex = parsed.ok ? bytesToHex(parsed.value) : ref.trim().toLowerCase()
  const fp = ref.trim().toUpperCase()
  const byKey = profile.friends.filter(
    (f) => f.publicKey === hex || fingerprint(Buffer.from(f.publicKey, 'hex')) === fp,
  )
  if (byKey.length === 1) return byKey[0]!
  if (byName.length + byKey.length > 1) throw new ServiceError('ambiguous-friend', `"${ref}"`)
  throw new ServiceError('unknown-friend', `"${ref}"`)
}
