/**
 * Why a user-level operation (add a friend, share, invite, join...) was refused: one code per
 * case a person can act on, shared by the CLI and the desktop app. Protocol-level reasons
 * (a key text's typo, an invite that does not open) keep their own codes in protocol-codes.ts,
 * and arrive here inside `detail` as their sentence from ui/reason-text.ts.
 */
import { PROVIDER_REASONS } from './ui/reason-text.js'

export const SERVICE_ERRORS = {
  'bad-key': 'That is not a valid friend key.',
  'own-key': 'That is your own key.',
  'duplicate-friend': 'You already have this friend.',
  'duplicate-name': 'You already have a friend with this name.',
  'unknown-friend': 'No friend by that name or key.',
  'ambiguous-friend': 'More than one friend matches; use their full name or key.',
  'unknown-group': 'No group by that name.',
  'duplicate-group': 'You already have a group with this name.',
  'not-owner': "Only the group's owner can do this (it needs the group's key).",
  'owned-group':
    'You own this group: deleting it destroys its key, so no one can renew their membership or get anything new in it, and it cannot be undone.',
  'not-member': 'That friend is not a member of the group.',
  'missing-file': 'No such file or folder.',
  'empty-share': 'There is nothing to share in that folder.',
  'bad-invite': 'The invite could not be opened.',
  'unknown-torrent': 'No torrent with that infohash in this profile.',
  'unknown-share': 'The group shares nothing by that name or infohash.',
  'bad-peer': 'Peers are given as host:port.',
  'bad-tracker': 'Trackers are given as udp://, http(s):// or ws(s):// URLs (at most 16 per group).',
  'bad-ice': 'ICE servers are given as stun:HOST[:PORT] or turn:USER:PASSWORD@HOST[:PORT] URLs (at most 8 per group).',
  'bad-backup': 'The identity backup could not be opened.',
  'bad-setting': 'That setting cannot be used.',
  'bad-limit': 'Speed limits are whole numbers of bytes per second, above 0.',
  'no-node': 'No node is running on this profile: start one with coterie run (or open the app).',
  'unsafe-name': 'A file name in this torrent is not safe to write, so nothing of it is downloaded.',
  'in-profile-folder':
    "Coterie's profile folder (which holds your identity key) is never a download folder: nothing is written there.",
  'path-taken':
    'Another torrent of this profile already has a file at this path: nothing is written over it. Choose another folder for the group.',
  'file-exists':
    'A file this torrent did not create is already where it would write: nothing is written over it. Move or rename that file, or choose another folder for the group.',
  'name-taken':
    'The group already has a share with this name, and members would get both in one place. Rename one, or share the folder that holds both.',
  'disk-full':
    'The disk holding this download is full: nothing more of it is written until there is space. It is tried again every minute, or now with Retry.',
  'files-gone':
    "This torrent's folder or files were removed or moved while it ran. It is tried again every minute, or now with Retry: a download starts over where its files were; a share needs its files back in place.",
  'disk-error':
    'The disk refused a read or a write for this torrent. It is tried again every minute, or now with Retry.',
  'lock-owner-running':
    "The profile's lock belongs to a Coterie still running on this computer: stop it (or let it finish) instead of unlocking.",
  'unlock-unconfirmed':
    'The lock was not removed: confirm with --yes, and only if no Coterie is running where its owner is.',
  'provider-exists': 'This profile is already a content provider.',
  'no-provider': 'This profile is not a content provider: start with coterie provider init NAME.',
  'bad-database':
    '--database takes a PostgreSQL URL (postgres://USER@HOST/DATABASE); without it the provider keeps its database in the profile (SQLite).',
  'database-failed': "The provider's database could not be reached or refused the connection:",
  'bad-account-name':
    'Account names are 1 to 64 characters: lowercase letters, digits and . _ @ - (starting with a letter or digit).',
  'duplicate-account': 'There is already an account with this name.',
  'unknown-account': 'No account by that name.',
  'bad-password': 'Passwords are 8 to 1024 bytes, given on standard input.',
  'bad-title': 'An item title is 1 to 256 characters on one line.',
  'bad-certificate': 'The provider sent a certificate that is not valid for this subscription.',
  'provider-refused': 'The provider refused.',
  'bad-provider-url': "A provider's address is an http:// or https:// URL.",
  // A provider's refusals a subscriber acts on, in the provider's own sentences (ui/reason-text.ts).
  'wrong-password': PROVIDER_REASONS['bad-credentials'],
  'account-disabled': PROVIDER_REASONS['account-disabled'],
  'rate-limited': PROVIDER_REASONS['rate-limited'],
  'provider-unreachable': PROVIDER_REASONS.unreachable,
  'not-a-provider': 'That address did not answer as a Coterie provider: check the address.',
  'already-subscribed': 'This profile is already subscribed to that provider.',
  'wrong-provider': 'The provider sent an invite to another swarm than the one it names.',
  'bad-feed': "The provider's feed was refused.",
  'too-many-items':
    "The provider's collection is full (a group index carries at most this many torrents): take an item out with coterie unshare first.",
} as const
export type ServiceErrorCode = keyof typeof SERVICE_ERRORS

export class ServiceError extends Error {
  override readonly name = 'ServiceError'
  constructor(
    readonly code: ServiceErrorCode,
    /** What exactly, in words: appended to the code's sentence. */
    readonly detail?: string,
  ) {
    super(detail === undefined ? SERVICE_ERRORS[code] : `${SERVICE_ERRORS[code]} ${detail}`)
  }
}
