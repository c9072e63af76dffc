/**
 * The English sentence for each protocol reason code (shared/protocol-codes.ts), so the engine's
 * verdicts, the CLI and the UI show the same words. The protocol returns codes only; whoever shows
 * a reason to a person maps it here. Each table is typed by its code union, so a new code without
 * a sentence does not compile.
 */
import type {
  FeedErrorCode,
  FrameErrorCode,
  IceUrlErrorCode,
  IndexErrorCode,
  InviteErrorCode,
  KeyTextErrorCode,
  LockCode,
  NameErrorCode,
  ProviderErrorCode,
  RejectCode,
  TlsErrorCode,
} from '../protocol-codes.js'

/** Why a pasted key text was not accepted. */
export const KEY_TEXT_REASONS: Readonly<Record<KeyTextErrorCode, string>> = {
  empty: 'Nothing was pasted.',
  'wrong-kind': 'This is a Coterie key of another kind (for example a group key, not a friend key).',
  'not-a-key': 'This is not a Coterie key: it should start with the prefix shown in the app, e.g. "coterie1".',
  'bad-character':
    'The key contains a character that cannot appear in a key (only a-z and 0-9, without 1, b, i, o after the prefix).',
  'mixed-case': 'The key mixes upper and lower case; keys are all lower case.',
  truncated: 'The key is too short: part of it is missing from the paste.',
  'too-long': 'The key is too long: something extra was pasted with it.',
  'bad-checksum':
    "The key's checksum does not match: a character was mistyped, dropped or swapped. Ask your friend to send it again.",
  'invalid-key': 'The checksum is right but the bytes are not a valid public key.',
}

/** Why a peer's proof (or a certificate on its own) was refused. */
export const REJECT_REASONS: Readonly<Record<RejectCode, string>> = {
  malformed: 'The message was not valid canonical bencode of the expected shape.',
  oversize: 'The message was larger than the protocol allows.',
  'unsupported-version': 'The peer speaks a protocol version this node does not.',
  reflected: "The peer echoed this node's own nonce or ephemeral key back.",
  'bad-key-exchange': "The peer's ephemeral key is not a usable X25519 key.",
  'decrypt-failed':
    "The proof did not decrypt under this connection's keys: tampered, replayed from another connection, or relayed.",
  'bad-certificate-signature': "The certificate is not signed by this swarm's key (forged or altered).",
  'wrong-swarm': 'The certificate belongs to another swarm.',
  'out-of-scope': 'The certificate does not cover this torrent.',
  expired: 'The certificate has expired.',
  'not-yet-valid': 'The certificate is not valid yet (check the clock).',
  'bad-proof-signature': "The proof is not signed for this connection by the certificate's member key.",
  'no-certificate': 'The peer showed no certificate for this torrent.',
  revoked: "The group's owner removed this member: its key is on the group's revocation list.",
  'unexpected-message': 'The peer sent a message out of order.',
  timeout: 'The peer did not complete the handshake in time.',
  unknown: 'The peer refused for a reason this version of Coterie does not know (the peer is newer).',
}

/** Why an ICE server URL was refused. */
export const ICE_URL_REASONS: Readonly<Record<IceUrlErrorCode, string>> = {
  'too-long': 'An ICE server URL is at most 300 characters.',
  'bad-scheme': 'An ICE server URL starts with stun:, turn: or turns: (lower case).',
  'bad-host':
    'The server is named by a host name or an IPv4 address (IPv6 literals in brackets are not understood by the WebRTC library).',
  'bad-port': 'The port is a number from 1 to 65535.',
  'bad-credentials':
    'Credentials go only in turn: and turns: URLs, as USER:PASSWORD@ with letters, digits, - . _ ~ and %XX escapes (write : as %3A and @ as %40).',
  'bad-transport': 'The only query a TURN URL may carry is ?transport=udp or ?transport=tcp.',
  malformed: 'This is not an ICE server URL: stun:HOST[:PORT] or turn:USER:PASSWORD@HOST[:PORT][?transport=udp|tcp].',
}

/** Why an invite file could not be opened. */
export const INVITE_REASONS: Readonly<Record<InviteErrorCode, string>> = {
  'not-an-invite': 'This is not a Coterie invite.',
  damaged:
    'This invite is damaged: it was cut short or altered on the way. Ask for it again (as a file, or copy the whole link).',
  oversize: 'This invite file is larger than any invite can be.',
  'unsupported-version': 'This invite was made by a newer version of Coterie.',
  'cannot-open':
    'This invite was made for someone else, or the file is damaged. Only the friend it was made for can open it.',
  malformed: 'The invite opened, but its contents are malformed.',
  'bad-signature': "The invite's signature does not match its sender: it was altered.",
  'not-from-owner': "The invite is not signed by the group's key: whoever made it does not own the group.",
  'wrong-recipient': 'The invite is signed for another identity.',
  'certificate-invalid': 'The access certificate inside the invite is not valid for this group or for you.',
  'torrent-invalid': "A torrent inside the invite does not belong to the invite's group.",
}

/** Why a group index (a signed version of a group's collection, members and revocations) was ignored. */
export const INDEX_REASONS: Readonly<Record<IndexErrorCode, string>> = {
  oversize: 'The group index is larger than any index can be.',
  malformed: 'The group index is not in the expected form.',
  'unsupported-version': 'The group index was made by a newer version of Coterie.',
  'wrong-group': 'The group index belongs to another group.',
  'bad-signature': "The group index is not signed by the group's key.",
  'torrent-invalid': 'A torrent in the group index does not belong to the group.',
  'certificate-invalid': 'A certificate in the group index is not valid for this group, or names someone not in it.',
  stale: 'The group index is not newer than the one already held.',
}

/** Why a content provider's feed was refused (docs/PROTOCOL.md §16): none of it is shown or used. */
export const FEED_REASONS: Readonly<Record<FeedErrorCode, string>> = {
  oversize: 'The feed is larger than any provider feed can be.',
  'bad-signature': "The feed is not signed by the provider's key: it was altered, or comes from someone else.",
  malformed: 'The feed is signed but not in the form Coterie writes.',
  'too-many-items': 'The feed lists more items than a provider feed may.',
  'wrong-swarm': "The feed names another provider's swarm than the key that signed it.",
}

/** Why a torrent's file names were refused (docs/PROTOCOL.md §4.6): nothing of it is written. */
export const NAME_REASONS: Readonly<Record<NameErrorCode, string>> = {
  malformed: 'Its file list is not in the form BitTorrent defines.',
  'not-utf8': 'A file name is not valid UTF-8 text.',
  empty: 'A file name or folder name is empty.',
  dot: 'A file name is "." or "..", which would point outside its folder.',
  separator: 'A file name contains "/" or "\\": a path, possibly an absolute one, where a name should be.',
  control: 'A file name contains control characters (invisible, or able to change what a terminal shows).',
  bidi: 'A file name contains bidirectional formatting characters, which can make it read as another name.',
  'forbidden-character': 'A file name contains a character Windows does not allow (< > : " | ? *).',
  'trailing-dot-or-space':
    'A file name ends with a dot or a space, which Windows drops (it would become another name).',
  reserved: 'A file name is a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9), even with an extension.',
  'too-long': 'A file name is longer than 255 bytes.',
  'too-deep': 'A file lies more than 64 folders deep.',
  duplicate: 'Two files have the same path (ignoring case), or a file has the name of a folder.',
}

/** Why the profile lock kept a change from being made, and what to do about it. */
export const LOCK_REASONS: Readonly<Record<LockCode, string>> = {
  busy: 'It is still working on the profile: wait for it to finish, or stop it, then try again.',
  'not-responding':
    'That process still runs on this computer but stopped responding: stop it (or wait for it), then try again.',
  unproven:
    'It runs on another computer, or the profile is in a shared or synced folder, and it stopped refreshing the lock; nothing here can tell whether it still runs. If no Coterie is running there, clear the lock with "coterie unlock".',
  lost: 'Another process removed the lock while this one held it (coterie unlock). Try again.',
}

/** Why a peer's connection was closed before a message of it was read. */
export const FRAME_REASONS: Readonly<Record<FrameErrorCode, string>> = {
  'frame-too-long': 'The peer announced a message longer than any the protocol has: the connection was closed.',
  'wrong-frame-length': 'The peer sent a message whose length does not fit its kind: the connection was closed.',
}

/** Why a member's connection was closed after it moved into TLS. */
export const TLS_REASONS: Readonly<Record<TlsErrorCode, string>> = {
  'tls-failed':
    'The encrypted channel with this member failed (a TLS alert, or a record that did not decrypt): the connection was closed.',
  'tls-binding-failed':
    'The encrypted channel did not lead to the member who proved itself in the handshake (something in between terminated it): the connection was closed.',
  'tls-timeout': 'The encrypted channel with this member was not set up in time: the connection was closed.',
  'tls-unexpected': 'The member asked to switch to the encrypted channel out of turn: the connection was closed.',
  'tls-overflow':
    'Too much data waited for the encrypted channel with this member to be set up: the connection was closed.',
}

/** Why a content provider refused a login or a certificate. */
export const PROVIDER_REASONS: Readonly<Record<ProviderErrorCode, string>> = {
  'bad-request': 'The provider could not read the request.',
  'too-large': 'The request was larger than the provider accepts.',
  timeout: 'The request took too long to arrive; the provider gave up on it.',
  'not-found': 'The provider has no such service.',
  'bad-credentials': 'Wrong account name or password.',
  'account-disabled': 'This account has been disabled by the provider.',
  'rate-limited': 'Too many login attempts: wait a minute, then try again.',
  busy: 'The provider is busy checking other logins: try again in a moment.',
  'no-session': 'Not logged in, or the login has expired: log in again.',
  'bad-key': 'That is not a valid identity key.',
  'unknown-challenge': 'The provider did not send that challenge: ask for a new one.',
  'challenge-expired': 'The challenge expired before it was answered: ask for a new one.',
  'challenge-used': 'That challenge was already answered once: ask for a new one.',
  'bad-signature': 'The answer to the challenge was not signed by that identity key.',
  unreachable: 'The provider could not be reached: check the address, or try again later.',
  'bad-response': 'The provider answered something Coterie cannot read.',
}
