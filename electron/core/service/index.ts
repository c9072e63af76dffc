/**
 * The service's public surface: the one door for the CLI (cli/), the browser-mode server
 * (ui-server/) and the desktop shell (electron/main). Behind it, in import order:
 * operations/ (what a user does to a profile), runtime/ (the running node, its control socket,
 * rendezvous and resume records) and contract/ (the IPC contract's handlers and its one
 * dispatcher). The doors import only this file, so each sees the same operations and views.
 *
 * What loads the engine (webtorrent, the hasher) is reached through async starters here, so a
 * CLI command that only edits the profile never loads it.
 */
import type * as ShareOperation from './operations/share.js'
import type { CoterieNode, NodeOptions } from './runtime/node.js'
import type { AppBackend, BackendOptions } from './contract/backend.js'
import type { ProfileStore } from '../profile/index.js'

// The profile a door opens and hands to the service.
export { defaultProfileDir, isProfileError, ProfileStore, type SecretSealer } from '../profile/index.js'
export type { LockHolder, LockState } from '../profile/index.js'
/** Opens a profile and removes what a crash left in it: every start that may write goes through this. */
export { openProfile } from './operations/open-profile.js'

// What a user does.
export { addFriend, removeFriend, setFriendAddresses } from './operations/friends.js'
export {
  addMember,
  checkIce,
  createGroup,
  findGroup,
  removeMember,
  setAutoJoin,
  setIce,
  setTrackers,
} from './operations/groups.js'
export { removeGroup } from './operations/remove-group.js'
export { unshare, type Unshared } from './operations/unshare.js'
export { joinHeldShares } from './operations/group-index.js'
export {
  join as joinInvite,
  inviteFor,
  joinFolder,
  readInvite,
  refusedNames,
  writeInvite,
} from './operations/invites.js'
export { groupLimits, setGroupLimits } from './operations/limits.js'
export { exportTorrent } from './operations/export-torrent.js'
export { defaultDownloadDir } from './operations/downloads.js'
export { uploadFolderName } from './operations/placement.js'
/** Shares a file or folder in a group; the hasher loads at the first share. */
export const share: typeof ShareOperation.share = async (...args) =>
  (await import('./operations/share.js')).share(...args)
/** Whether a "host:port" names a peer an invite or `--peer` may carry. */
export { isPeerAddress } from '../protocol/invite.js'
export { displayIceUrl } from '../protocol/ice.js'
/** The largest invite file worth reading (larger is refused before it is read). */
export { MAX_INVITE_BYTES } from '../protocol/constants.js'
export { readBounded, readStreamBounded, type BoundedRead } from '../platform/bounded-read.js'

// The running node.
export { callControl, isNodeRunning } from './runtime/control.js'
export { DEFAULT_DHT_BOOTSTRAP } from './runtime/bootstrap.js'
export { describeReachability, type Reachability } from '../engine/port-mapping.js'
export type { CoterieNode, IndexProblem, NodeOptions, TorrentStatus } from './runtime/node.js'
export async function startNode(store: ProfileStore, o: NodeOptions): Promise<CoterieNode> {
  const { CoterieNode } = await import('./runtime/node.js')
  return CoterieNode.start(store, o)
}

// The contract: its views, and the backend answering every channel.
export { fingerprintOf, groupKeyText, identityView, keyText } from './contract/views.js'
export { groupDetailsOf, groupsDelivery, type GroupDetails, type MemberDetails } from './contract/group-details.js'
export type { AppBackend, BackendOptions } from './contract/backend.js'
export type { Logger } from './contract/context.js'
export type { Dispatch } from './contract/dispatch.js'
export async function startBackend(store: ProfileStore, o: BackendOptions): Promise<AppBackend> {
  const { AppBackend } = await import('./contract/backend.js')
  return AppBackend.start(store, o)
}

// What the content provider (electron/core/provider/) issues and checks with: its swarm is one of
// the profile's owned groups, so it reuses the group machinery instead of a second one.
export { certify, ownedGroup, ownerKeys, renewalDue, revokeKeys } from './operations/groups.js'
export { identityKeys, installCertificate, subscriberInvite } from './operations/subscription.js'
export { PROVIDER_CERTIFICATE_LIFETIME_S, REFRESH_LIFETIME_MS } from './operations/provider-lifetimes.js'
// A subscriber's side of a provider: the CLI's `subscribe`, the app's providers.subscribe and every
// running node's renewals go through these.
export { ProviderClient, type Refusal as ProviderRefusal } from './operations/provider-client.js'
export {
  listSubscriptions,
  providerUrl,
  renewDue,
  startRenewals,
  subscribe,
  type RenewalOutcome,
  type Subscribed,
} from './operations/subscribe.js'
export { verifyCertificate } from '../protocol/certificate.js'
export { isValidPublicKey, type KeyPair } from '../protocol/keys.js'
export { LOGIN_CHALLENGE_BYTES, signLoginChallenge, verifyLoginAnswer } from '../protocol/provider-login.js'
export { layoutOfInfo, plainTorrent } from '../protocol/torrent-info.js'
export {
  feedTextFits,
  MAX_FEED_ITEMS,
  MAX_FEED_LINK_CHARS,
  MAX_FEED_TITLE_CHARS,
  readFeed,
  renderFeed,
  signFeed,
  verifyFeed,
  type Feed,
  type FeedItem,
} from '../protocol/feed.js'
/**
 * Native Ed25519 (node:crypto) where it agrees with @noble: a running node installs it (engine.ts),
 * and so does `provider serve`, whose every certificate is one verify and one sign (about 10x
 * faster than pure JS; docs/PROVIDER.md).
 */
export { installNativePrimitives } from '../platform/native-primitives.js'
