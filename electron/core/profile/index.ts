/** The profile directory: identity, friends, groups, certificates and torrents, shared by the CLI and the app. */
export { defaultProfileDir, profileLayout, PROFILE_FILES, type ProfileLayout } from './paths.js'
export { ProfileError, isProfileError, type ProfileErrorCode, type LockProblem } from './errors.js'
export type { LockHolder, LockState, UnlockResult } from './lock.js'
export type { PermissionFix } from './permissions.js'
export {
  FORMAT_VERSION,
  MAX_FRIEND_ADDRESSES,
  DEFAULT_SETTINGS,
  nameKey,
  identityKeyPair,
  swarmKeyPair,
  type Friend,
  type Settings,
  type Group,
  type TorrentEntry,
  type ProfileData,
  type Identity,
} from './schema.js'
export {
  ProfileStore,
  MAX_TORRENT_INFO_BYTES,
  type Profile,
  type OpenOptions,
  type Mutator,
  type UpdateContext,
  type Updated,
  type WatchOptions,
} from './store.js'
export type { SecretSealer } from './secrets.js'
export {
  loadDelivery,
  saveDelivery,
  MAX_DELIVERY_ENTRIES,
  type DeliveryGroup,
  type DeliveryGroups,
  type DeliveryMember,
} from './delivery.js'
