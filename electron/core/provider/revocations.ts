/**
 * Disabled accounts' keys, carried from the database to the group's revocation list. `user
 * disable` revokes in the profile it runs on, but only the node that publishes the group index
 * (node A's `serve`, the seeder) tells peers: a disable run on another issuance node's copy of the
 * profile refused the account on every issuance node at once, and reached no peer. Node A's
 * `serve` therefore revokes, every REVOCATION_SYNC_MS, each disabled account's key its profile has
 * not revoked yet (docs/PROVIDER.md).
 */
import { findGroup, revokeKeys, type ProfileStore } from '../service/index.js'
import { disabledKeys } from './accounts.js'
import type { Provider } from './provider.js'

/**
 * How often node A looks for accounts disabled elsewhere: a disable on A itself is revoked at once
 * (the command pokes the node); one on another node waits at most this long. One query of the
 * disabled accounts' keys each time.
 */
export const REVOCATION_SYNC_MS = 10_000

/** Revokes in the provider's group the disabled accounts' keys it has not revoked yet; answers those keys. */
export async function syncRevocations(store: ProfileStore, provider: Provider): Promise<string[]> {
  const keys = await disabledKeys(provider.db)
  // Read afresh: `user disable` on this profile, in another process, may have revoked them already.
  const revoked = new Set(findGroup(await store.read(), provider.groupId).revoked ?? [])
  const missing = keys.filter((k) => !revoked.has(k))
  await revokeKeys(store, provider.groupId, missing)
  return missing
}
