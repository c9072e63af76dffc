/** Protocol constants. docs/PROTOCOL.md §2 is the normative copy; the tests check the two agree. */

export const PROTOCOL_VERSION = 1

/** First element of every signing input and KDF label: keeps Coterie signatures out of other protocols. */
export const DOMAIN = 'coterie'

/** Who signs. Each signature names its signer's role, so one kind of signature never passes as another. */
export const ROLE = {
  /** The swarm key, issuing a certificate. */
  swarm: 'swarm',
  /** The swarm key again, vouching for an invite: only the group's owner may invite. */
  owner: 'owner',
  initiator: 'initiator',
  responder: 'responder',
  inviter: 'inviter',
  /** The swarm key, publishing a version of the group index. */
  index: 'index',
  /** A member key answering a content provider's login challenge (docs/PROVIDER.md). */
  providerLogin: 'provider-login',
  /** The swarm key, signing a content provider's RSS feed (PROTOCOL.md §16). */
  feed: 'feed',
} as const
export type Role = (typeof ROLE)[keyof typeof ROLE]

/** BEP 10 extension name, and the key of our hello in the extended handshake dictionary. */
export const EXTENSION_NAME = 'coterie'

/** Key of the swarm public key in a torrent's info dictionary (so the infohash commits to it). */
export const INFO_SWARM_KEY = 'coterie-swarm'
/** Key of the rendezvous id in the info dictionary of a group's rendezvous torrent (PROTOCOL.md §12.5). */
export const INFO_RENDEZVOUS = 'coterie-rendezvous'

/** Bech32m prefixes of the pasteable key texts. */
export const HRP = { identity: 'coterie', swarm: 'coteriegroup' } as const

export const NONCE_BYTES = 32
export const KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
export const INFOHASH_BYTES = 20

/** Clock skew tolerated between two peers when checking a certificate's validity window. */
export const CLOCK_SKEW_S = 300

/** A certificate listing more torrents than this should use the whole-swarm scope instead. */
export const MAX_SCOPE_ENTRIES = 256

/** Every wire message is bounded before it is parsed (a full-scope-list proof is about 6 KiB). */
export const MAX_HELLO_BYTES = 256
export const MAX_MESSAGE_BYTES = 8 * 1024 // 8 KiB
export const MAX_CERTIFICATE_BYTES = 6 * 1024 // 6 KiB

/** How long a peer has, from the BitTorrent handshake, to finish its side of ours. */
export const HANDSHAKE_TIMEOUT_MS = 10_000

/** Invites carry full torrent metadata; this bounds a file we read from disk or a drag-and-drop. */
export const MAX_INVITE_BYTES = 16 * 1024 * 1024 // 16 MiB
export const MAX_INVITE_TORRENTS = 256
export const MAX_INVITE_PEERS = 64
export const MAX_INVITE_TRACKERS = 16
export const MAX_TRACKER_URL_CHARS = 300
export const MAX_NAME_CHARS = 128
/**
 * A group's ICE servers (STUN, TURN; §7.1): most URLs in an invite or an index, and most characters
 * in one. Each server is asked during every WebRTC connection's gathering, so a handful is plenty.
 */
export const MAX_ICE_SERVERS = 8
export const MAX_ICE_URL_CHARS = 300

/** Peer exchange among members (§12.2): most addresses in one pex, and the least time between two on a connection. */
export const MAX_PEX_PEERS = 50
export const PEX_INTERVAL_MS = 60_000
/** The group index (docs/PROTOCOL.md §13): members and revoked keys it may list, and its size. */
export const MAX_INDEX_MEMBERS = 1024
export const MAX_INDEX_BYTES = 16 * 1024 * 1024 // 16 MiB, like an invite: it carries full metadata
/** How long a connection serving a renewal to a member whose certificate expired lasts, at most (§13.3). */
export const RENEWAL_TIMEOUT_MS = 60_000
