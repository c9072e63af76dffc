/** Friends: people known by their identity key, named by us. */
import { bytesToHex } from '../../protocol/bytes.js'
import { fingerprint, parseKeyText } from '../../protocol/keys.js'
import { isPeerAddress } from '../../protocol/invite.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import { MAX_FRIEND_ADDRESSES, nameKey, type Friend, type Profile, type ProfileStore } from '../../profile/index.js'
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

export async function removeFriend(store: ProfileStore, ref: string): Promise<DeepReadonly<Friend>> {
  const friend = findFriend(await store.read(), ref)
  await store.update((draft) => {
    draft.friends = draft.friends.filter((f) => f.publicKey !== friend.publicKey)
  })
  return friend
}

/** A friend by name (any case), key text, hex key, or fingerprint. */
export function findFriend(profile: Pick<Profile, 'friends'>, ref: string): DeepReadonly<Friend> {
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

/**
 * Replaces a friend's static addresses ("host:port"; none clears them): a running node dials them
 * for every group the friend is in, and again with backoff while a transfer lacks them (issue 14).
 */
export async function setFriendAddresses(
  store: ProfileStore,
  ref: string,
  addresses: readonly string[],
): Promise<Friend> {
  const unique = [...new Map(addresses.map((a) => [a.trim().toLowerCase(), a.trim()])).values()]
  const bad = unique.find((a) => !isPeerAddress(a))
  if (bad !== undefined) throw new ServiceError('bad-peer', `"${bad}"`)
  if (unique.length > MAX_FRIEND_ADDRESSES)
    throw new ServiceError('bad-peer', `A friend can have at most ${MAX_FRIEND_ADDRESSES} addresses.`)
  const friend = findFriend(await store.read(), ref)
  const { result } = await store.update((draft) => {
    const f = draft.friends.find((x) => x.publicKey === friend.publicKey)
    if (f === undefined) throw new ServiceError('unknown-friend', `"${ref}"`)
    if (unique.length === 0) delete f.addresses
    else f.addresses = unique
    return { ...f, ...(f.addresses !== undefined && { addresses: [...f.addresses] }) }
  })
  return result
}

/** The static addresses of the friends among a group's members: what the node dials for its torrents. */
export function friendAddressesFor(profile: Pick<Profile, 'friends'>, members: readonly string[]): string[] {
  const inGroup = new Set(members)
  return profile.friends.filter((f) => inGroup.has(f.publicKey)).flatMap((f) => f.addresses ?? [])
}
