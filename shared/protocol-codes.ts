/**
 * Every reason code the closed-swarm protocol gives for refusing something, in one place. The codes
 * are part of the protocol: some are sent on the wire (docs/PROTOCOL.md §6), so add codes, never
 * rename them. Codes only: the English sentence for each, for whoever shows a reason to a person,
 * is shared/ui/reason-text.ts. The list lives in shared/ (the bottom layer) rather than in
 * electron/core/protocol/ because the IPC contract (shared/ipc/views.ts) validates reject codes and
 * shared/ may import nothing above it; the protocol imports the codes from here.
 */

/** Why a pasted key text was not accepted. */
export const KEY_TEXT_CODES = [
  'empty',
  'wrong-kind',
  'not-a-key',
  'bad-character',
  'mixed-case',
  'truncated',
  'too-long',
  'bad-checksum',
  'invalid-key',
] as const
export type KeyTextErrorCode = (typeof KEY_TEXT_CODES)[number]

/** Why a peer's proof (or a certificate on its own) was refused. Sent on the wire in `refuse`. */
export const REJECT_CODES = [
  'malformed',
  'oversize',
  'unsupported-version',
  'reflected',
  'bad-key-exchange',
  'decrypt-failed',
  'bad-certificate-signature',
  'wrong-swarm',
  'out-of-scope',
  'expired',
  'not-yet-valid',
  'bad-proof-signature',
  'no-certificate',
  'revoked',
  'unexpected-message',
  'timeout',
  'unknown',
] as const
export type RejectCode = (typeof REJECT_CODES)[number]

/** Why an invite file could not be opened. */
export const INVITE_CODES = [
  'not-an-invite',
  'damaged',
  'oversize',
  'unsupported-version',
  'cannot-open',
  'malformed',
  'bad-signature',
  'not-from-owner',
  'wrong-recipient',
  'certificate-invalid',
  'torrent-invalid',
] as const
export type InviteErrorCode = (typeof INVITE_CODES)[number]

/** Why a group index (a signed version of a group's collection, members and revocations) was ignored. */
export const INDEX_CODES = [
  'oversize',
  'malformed',
  'unsupported-version',
  'wrong-group',
  'bad-signature',
  'torrent-invalid',
  'certificate-invalid',
  'stale',
] as const
export type IndexErrorCode = (typeof INDEX_CODES)[number]

/** Why a content provider's signed feed was refused (PROTOCOL.md §16), in the order they are checked. */
export const FEED_CODES = ['oversize', 'bad-signature', 'malformed', 'too-many-items', 'wrong-swarm'] as const
export type FeedErrorCode = (typeof FEED_CODES)[number]

/**
 * Why an ICE server URL (a group's STUN or TURN server, docs/PROTOCOL.md §7.1) was refused: by the
 * owner's node before it signs the group's list, and by `coterie run --ice`. Not sent on the wire.
 */
export const ICE_URL_CODES = [
  'too-long',
  'bad-scheme',
  'bad-host',
  'bad-port',
  'bad-credentials',
  'bad-transport',
  'malformed',
] as const
export type IceUrlErrorCode = (typeof ICE_URL_CODES)[number]

/**
 * Why a torrent's file names were refused (docs/PROTOCOL.md §4.6): by a sharer before it makes the
 * torrent, and by a member before it writes anything of it. Not sent on the wire.
 */
export const NAME_CODES = [
  'malformed',
  'not-utf8',
  'empty',
  'dot',
  'separator',
  'control',
  'bidi',
  'forbidden-character',
  'trailing-dot-or-space',
  'reserved',
  'too-long',
  'too-deep',
  'duplicate',
] as const
export type NameErrorCode = (typeof NAME_CODES)[number]

/**
 * Why a peer's connection was closed at the framing layer, before a message was read
 * (docs/PROTOCOL.md §5.7). Never sent: the wire is simply closed.
 */
export const FRAME_CODES = ['frame-too-long', 'wrong-frame-length'] as const
export type FrameErrorCode = (typeof FRAME_CODES)[number]

/**
 * Why a connection that moved into TLS (docs/PROTOCOL.md §5.6.2) was closed. Never sent: the
 * connection is simply closed.
 */
export const TLS_CODES = ['tls-failed', 'tls-binding-failed', 'tls-timeout', 'tls-unexpected', 'tls-overflow'] as const
export type TlsErrorCode = (typeof TLS_CODES)[number]

const REJECT_SET: ReadonlySet<string> = new Set(REJECT_CODES)
export const isRejectCode = (s: string): s is RejectCode => REJECT_SET.has(s)

/**
 * Why the profile lock kept a change from being made (electron/core/profile/lock.ts). Not the
 * protocol's: kept with the other reason codes so every reason a person is shown has one home.
 */
export const LOCK_CODES = ['busy', 'not-responding', 'unproven', 'lost'] as const
export type LockCode = (typeof LOCK_CODES)[number]

/**
 * Why a content provider's HTTP service refused a request (docs/PROVIDER.md). Sent as the body's
 * `error`; one code per case a subscriber or operator can act on. A wrong password and an unknown
 * account share `bad-credentials`, so the service does not tell which names exist.
 */
export const PROVIDER_CODES = [
  'bad-request',
  'too-large',
  'timeout',
  'not-found',
  'bad-credentials',
  'account-disabled',
  'rate-limited',
  'busy',
  'no-session',
  'bad-key',
  'unknown-challenge',
  'challenge-expired',
  'challenge-used',
  'bad-signature',
  // Seen by the client only: the provider could not be reached, or answered something unreadable.
  'unreachable',
  'bad-response',
] as const
export type ProviderErrorCode = (typeof PROVIDER_CODES)[number]
const PROVIDER_SET: ReadonlySet<string> = new Set(PROVIDER_CODES)
export const isProviderCode = (s: string): s is ProviderErrorCode => PROVIDER_SET.has(s)
