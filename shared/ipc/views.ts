/**
 * What crosses the IPC boundary: plain JSON views of the profile and the engine, one schema each.
 * The main side builds them; the renderer only reads them. Keys cross as their text form
 * (`coterie1…`), never as secrets; byte counts are numbers of bytes, speeds bytes per second.
 */
import { z } from 'zod'
import { REJECT_CODES } from '../protocol-codes.js'

export const infoHash = z.string().regex(/^[0-9a-f]{40}$/, 'expected 40 lower-case hex characters')
/** A key's Bech32m text (`coterie1…`); the main side checks it fully. */
export const keyText = z.string().trim().min(1).max(200)
export const displayName = z.string().trim().min(1).max(200)
/** A speed limit, in bytes per second. */
export const bytesPerSecond = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
/** A group's local id (profile/schema.ts). */
export const groupId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
/** Bytes as base64: invites and identity backups are small files (bounded by MAX_FILE_B64). */
export const MAX_FILE_B64 = 1_500_000 // ~1 MiB of bytes: invites carry full torrent metadata
export const base64 = z
  .string()
  .max(MAX_FILE_B64)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')

export const identityView = z.object({
  key: z.string(),
  fingerprint: z.string(),
  displayName: z.string(),
})
export type IdentityView = z.infer<typeof identityView>

export const friendView = z.object({
  key: z.string(),
  name: z.string(),
  fingerprint: z.string(),
  addedAt: z.string(),
  /** Static addresses ("host:port") dialled for every group the friend is in (issue 14). */
  addresses: z.array(z.string()),
})
export type FriendView = z.infer<typeof friendView>

export const memberView = z.object({
  key: z.string(),
  fingerprint: z.string(),
  /** Our name for them when they are a friend; "You" is left to the UI. */
  name: z.string().optional(),
  self: z.boolean(),
  /**
   * Others only: their node is connected to ours now and proved this member key (we authorized
   * it) on a torrent of the group, its rendezvous included. Derived from the engine's peers.
   */
  connected: z.boolean().optional(),
  /**
   * Others only, when not connected: the last time they were (ISO 8601), if this node has seen
   * them since it started. Absent says only that: not seen since then.
   */
  lastSeen: z.string().optional(),
  /**
   * Delivery (issue 17): of the group's items this node holds (`of`), how many this member holds
   * whole (`has`) and the share of their bytes it holds (`progress`, 0..1), by what its node last
   * announced on our connections (kept across restarts; docs/ENGINE.md §7). Ours is our own progress.
   */
  has: z.number().int().min(0).optional(),
  of: z.number().int().min(0).optional(),
  progress: z.number().min(0).max(1).optional(),
})
export type MemberView = z.infer<typeof memberView>

export const groupView = z.object({
  id: groupId,
  name: z.string(),
  /** We hold the group's key: we may share into it and invite. */
  owner: z.boolean(),
  /** Torrents are also announced under their plain infohash (content-provider groups). */
  public: z.boolean(),
  members: z.array(memberView),
  torrents: z.array(infoHash),
  /** When our own certificate for this group expires (ISO 8601), if we hold one. */
  certificateExpires: z.string().optional(),
  /** This machine's limits for the group's torrents, on top of the global ones; null is none. */
  uploadLimit: bytesPerSecond.nullable(),
  downloadLimit: bytesPerSecond.nullable(),
  /** Member: this node joins what the owner shares later by itself (default on; owner: always on). */
  autoJoin: z.boolean(),
  /**
   * Member: shares the group's index lists that this computer is not downloading (auto-join was
   * off when they came, or they were removed here); `groups.download` fetches one.
   */
  available: z.array(z.object({ infoHash, name: z.string(), length: z.number() })),
  /**
   * A subscription (providers.subscribe, `coterie subscribe`): the provider's address. Its owner is
   * the provider; this node renews the membership with the provider by itself.
   */
  provider: z.string().optional(),
})
export type GroupView = z.infer<typeof groupView>

export const peerView = z.object({
  address: z.string(),
  /** tcp, utp, or webrtc (a data channel found through a WebSocket tracker). */
  transport: z.enum(['tcp', 'utp', 'webrtc']),
  /** How the peer is reached (docs/NAT.md): straight, through a router's port mapping, a punched hole, a TURN relay. */
  path: z.enum(['direct', 'mapped', 'holepunch', 'relay']),
  client: z.string(),
  /** Do we upload to this peer, and if not, why (reason is one of REJECT_CODES). */
  state: z.enum(['pending', 'authorized', 'refused', 'no-extension']),
  reason: z.enum(REJECT_CODES).optional(),
  /** Their member key's fingerprint, once authorized. */
  member: z.string().optional(),
  /** Authorized peers: the share of this item's pieces it announced holding, 0..1 (docs/ENGINE.md §7). */
  holds: z.number().min(0).max(1).optional(),
  uploaded: z.number(),
  downloaded: z.number(),
  uploadSpeed: z.number(),
  downloadSpeed: z.number(),
})
export type PeerView = z.infer<typeof peerView>

export const torrentView = z.object({
  infoHash,
  name: z.string(),
  groupId: z.string(),
  /** Honest states: "checking" (verifying what is on disk) is not "downloading". */
  state: z.enum(['checking', 'metadata', 'downloading', 'seeding', 'paused', 'stalled', 'error']),
  error: z.string().optional(),
  progress: z.number().min(0).max(1),
  length: z.number(),
  downloaded: z.number(),
  uploaded: z.number(),
  downloadSpeed: z.number(),
  uploadSpeed: z.number(),
  /** Seconds to completion at the current speed; null when unknown or done. */
  eta: z.number().nullable(),
  downloadDir: z.string(),
  peers: z.array(peerView),
})
export type TorrentView = z.infer<typeof torrentView>

export const settingsView = z.object({
  downloadDir: z.string(),
  /** Listening port; 0 picks a free one at start. */
  port: z.number().int().min(0).max(65535),
  /** Bytes per second; null is unlimited. */
  uploadLimit: z.number().int().positive().nullable(),
  downloadLimit: z.number().int().positive().nullable(),
  /** "Don't seed on this network": upload nothing to anyone until switched back. */
  seedingPaused: z.boolean(),
  startAtLogin: z.boolean(),
})
export type SettingsView = z.infer<typeof settingsView>

export const invitePreview = z.object({
  group: z.string(),
  from: z.string(),
  fromFingerprint: z.string(),
  /** Our name for the sender, when they are already a friend. */
  fromFriend: z.string().optional(),
  /** The name the sender claims in the invite (signed by their key, not verified as who they are). */
  fromName: z.string().optional(),
  /**
   * `length`: its size in bytes (all its files), from the info dictionary the invite carries.
   * `refused`: why this computer will not write it (a file name PROTOCOL.md §4.6 refuses).
   */
  torrents: z.array(
    z.object({ infoHash, name: z.string(), length: z.number().int().min(0), refused: z.string().optional() }),
  ),
  /** When the certificate it grants expires (ISO 8601). */
  expires: z.string(),
  /** Whether we are already in this group (accepting renews it). */
  alreadyMember: z.boolean(),
  /** Where its files will go unless the person picks another folder: a folder of the group's own. */
  folder: z.string().optional(),
})
export type InvitePreview = z.infer<typeof invitePreview>

export const appInfo = z.object({
  mode: z.enum(['electron', 'browser']),
  version: z.string(),
  profileDir: z.string(),
  /**
   * How secrets are kept at rest: 'os' (keyring via safeStorage), 'basic_text' (Electron's fixed
   * fallback password on Linux without a keyring: the UI warns), 'file' (owner-only file, CLI and
   * browser mode).
   */
  secretStorage: z.enum(['os', 'basic_text', 'file']),
  /** The node's listening port, once it runs. */
  port: z.number().int(),
})
export type AppInfo = z.infer<typeof appInfo>

export const notice = z.object({
  kind: z.enum(['download-finished', 'new-share', 'share-retracted', 'error']),
  title: z.string(),
  body: z.string(),
  infoHash: infoHash.optional(),
})
export type Notice = z.infer<typeof notice>
