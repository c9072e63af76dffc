/**
 * The persisted profile, validated on every read: a profile file is a trust boundary (it may be
 * hand-edited, damaged, or copied from another machine), so nothing in it is used unchecked.
 *
 * Bytes are lower-case hex; times are ISO 8601 strings, so the files stay readable and editable.
 * Objects are strict: a misspelt field is reported, not silently dropped on the next write.
 */
import path from 'node:path'
import { z } from 'zod'
import { hexToBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../protocol/bytes.js'
import { MAX_CERTIFICATE_BYTES, MAX_ICE_SERVERS, MAX_INVITE_TRACKERS, MAX_NAME_CHARS } from '../protocol/constants.js'
import { isIceUrl } from '../protocol/ice.js'
import { isPeerAddress, isTrackerUrl } from '../protocol/invite.js'
import { isValidPublicKey, keyPairFromSecret, type KeyPair } from '../protocol/keys.js'

/**
 * profile.json's format: 2 added `settings`, and groups' optional `trackers` and group-index fields
 * (revoked, memberCertificates, indexVersion, autoJoin, inviteIat, downloadDir, certificateLifetimeS, rendezvous).
 */
export const FORMAT_VERSION = 2
/** identity.json's format, versioned on its own: it is written once and rarely changes shape. */
export const IDENTITY_FORMAT_VERSION = 2
export const MAX_PEERS_PER_GROUP = 1024
/** Static addresses one friend may have (`coterie friend set-address`): a home, a seedbox, a phone's. */
export const MAX_FRIEND_ADDRESSES = 8
export const MAX_TORRENT_NAME_CHARS = 1024

const HEX32 = /^[0-9a-f]{64}$/
const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes * 2} lower-case hex characters (${bytes} bytes)`)
// zod runs a refinement even after the regex before it failed: only decode what is hex.
const publicKey = hex(32).refine(
  (h) => !HEX32.test(h) || isValidPublicKey(hexToBytes(h)),
  'not a valid Ed25519 public key',
)
const secretKey = hex(32)
const timestamp = z.iso.datetime({
  offset: true,
  message: 'expected an ISO 8601 date and time, e.g. 2026-01-01T00:00:00.000Z',
})

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const label = (min: number, max: number) =>
  z
    .string()
    .min(min, min === 1 ? 'must not be empty' : undefined)
    .max(max, `must have at most ${max} characters`)
    .refine(
      (s) => s === s.trim() && !CONTROL.test(s),
      'must not start or end with spaces or contain control characters',
    )

export { derives }

/** Names compare case-insensitively and after Unicode normalisation: "Bob" and "bob" are one friend. */
export const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase()

const derives = (secretHex: string, publicHex: string): boolean => {
  if (!HEX32.test(secretHex) || !HEX32.test(publicHex)) return true // already reported by the field's own check
  try {
    return bytesToHex(keyPairFromSecret(hexToBytes(secretHex)).publicKey) === publicHex
  } catch {
    return false
  }
}

export const friendSchema = z
  .strictObject({
    name: label(1, MAX_NAME_CHARS),
    publicKey,
    addedAt: timestamp,
    /**
     * "host:port" where this friend's node can be reached (a forwarded port, a seedbox), dialled for
     * every group the friend is in, like Syncthing's static addresses (issue 14). Optional, so
     * format 2 stays; absent means none.
     */
    addresses: z.array(z.string().refine(isPeerAddress, 'expected host:port')).max(MAX_FRIEND_ADDRESSES).optional(),
  })
  .superRefine((f, ctx) => reportDuplicates(ctx, f.addresses ?? [], (a) => a.toLowerCase(), ['addresses'], 'address'))
export type Friend = z.infer<typeof friendSchema>

export const groupSchema = z
  .strictObject({
    /** Stable local id (e.g. the first hex digits of the swarm key); what torrents refer to. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected 1 to 64 characters a-z, 0-9 or "-"'),
    name: label(1, MAX_NAME_CHARS),
    /** True when this profile holds the swarm key, i.e. created the group and may invite. */
    owner: z.boolean(),
    swarmPublicKey: publicKey,
    swarmSecretKey: secretKey.optional(),
    /** The secret the private discovery topic is derived from (shared with members by invite). */
    groupSecret: hex(32),
    /** Identity keys of the members this profile has certified or knows of. */
    members: z.array(publicKey),
    /** Our own access certificate for this swarm, raw bytes as hex. */
    certificate: z
      .string()
      .regex(/^(?:[0-9a-f]{2})+$/, 'expected an even number of lower-case hex characters')
      .max(MAX_CERTIFICATE_BYTES * 2, `expected at most ${MAX_CERTIFICATE_BYTES} bytes`)
      .optional(),
    /** Whether to announce on public trackers/DHT too (the private topic is always used). */
    announcePublic: z.boolean(),
    /** "host:port" of peers to try first. */
    peers: z.array(z.string().refine(isPeerAddress, 'expected host:port')).max(MAX_PEERS_PER_GROUP),
    /** Tracker URLs (format 2; absent means none): announced under the private topic unless public. */
    // A URL outside today's tracker grammar (docs/PROTOCOL.md §7.1; say a port above 65535, which the
    // grammar once let through) is dropped on load, never a reason to refuse the whole profile.
    trackers: z
      .array(z.string())
      .max(MAX_INVITE_TRACKERS)
      .transform((list) => list.filter(isTrackerUrl))
      .optional(),
    /** The group's ICE servers (stun:, turn:, turns: URLs; absent means none), as trackers are kept. */
    ice: z
      .array(z.string())
      .max(MAX_ICE_SERVERS)
      .transform((list) => list.filter(isIceUrl))
      .optional(),
    createdAt: timestamp,
    /** Owner: members it removed (their keys go on the group index's revocation list). */
    revoked: z.array(publicKey).optional(),
    /** Owner: the certificate it issued each member, renewed before expiry (hex, any order). */
    memberCertificates: z
      .array(
        z
          .string()
          .regex(/^(?:[0-9a-f]{2})+$/, 'expected an even number of lower-case hex characters')
          .max(MAX_CERTIFICATE_BYTES * 2, `expected at most ${MAX_CERTIFICATE_BYTES} bytes`),
      )
      .optional(),
    /** The version of the group index held (the signed index is the file indexes/<swarm>.index). */
    indexVersion: z.number().int().positive().optional(),
    /** Member: join what the owner adds to the group by itself (default true). */
    autoJoin: z.boolean().optional(),
    /**
     * Member: when the owner signed the invite it joined (or last re-joined) with, in unix seconds
     * of the owner's clock. An index signed later lists every share the owner still holds, so a
     * share of the invite it leaves out was taken out (service/operations/group-index.ts).
     */
    inviteIat: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    /**
     * Bytes per second for the group's torrents on this machine, on top of the global settings (a
     * local choice, never sent to members); absent is no limit. Optional, so format 2 stays.
     */
    uploadLimit: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    downloadLimit: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    /** Owner: how long the certificates it issues last, in seconds (default 30 days). */
    certificateLifetimeS: z
      .number()
      .int()
      .min(60)
      .max(400 * 86_400)
      .optional(),
    /** Member: where torrents joined from the index are downloaded. */
    downloadDir: z
      .string()
      .refine((d) => path.isAbsolute(d), 'must be an absolute path')
      .optional(),
    /**
     * The id of the group's rendezvous torrent (PROTOCOL.md §12.5), from which its info dictionary
     * is rebuilt: drawn by the owner, learnt by members from the invite or the index. Absent in
     * groups made before it (the owner's node draws one) and until a member hears of it.
     */
    rendezvous: hex(32).optional(),
  })
  .superRefine((g, ctx) => {
    if (g.owner !== (g.swarmSecretKey !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['swarmSecretKey'], message: 'must be present exactly when owner is true' })
    } else if (g.swarmSecretKey !== undefined && !derives(g.swarmSecretKey, g.swarmPublicKey)) {
      ctx.addIssue({ code: 'custom', path: ['swarmSecretKey'], message: 'does not belong to swarmPublicKey' })
    }
    reportDuplicates(ctx, g.members, (m) => m, ['members'], 'member')
    reportDuplicates(ctx, g.peers, (p) => p.toLowerCase(), ['peers'], 'peer')
    reportDuplicates(ctx, g.trackers ?? [], (t) => t, ['trackers'], 'tracker')
    reportDuplicates(ctx, g.ice ?? [], (u) => u, ['ice'], 'ICE server')
  })
export type Group = z.infer<typeof groupSchema>

export const torrentSchema = z.strictObject({
  infoHash: hex(20),
  groupId: z.string(),
  name: label(1, MAX_TORRENT_NAME_CHARS),
  downloadDir: z.string().refine((d) => path.isAbsolute(d), 'must be an absolute path'),
  addedAt: timestamp,
  paused: z.boolean(),
})
export type TorrentEntry = z.infer<typeof torrentSchema>

/** Bytes per second; null is unlimited. */
const rate = z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable()

/** How the node behaves on this machine: the desktop app's settings, honoured by `coterie run` too. */
export const settingsSchema = z.strictObject({
  /** Where accepted invites download to; absent means the platform's Downloads/Coterie. */
  downloadDir: z
    .string()
    .refine((d) => path.isAbsolute(d), 'must be an absolute path')
    .optional(),
  /** Listening port; 0 picks a free one at start. */
  port: z.number().int().min(0).max(65535),
  uploadLimit: rate,
  downloadLimit: rate,
  /** "Don't seed on this network": upload nothing to anyone until switched back. */
  seedingPaused: z.boolean(),
  startAtLogin: z.boolean(),
})
export type Settings = z.infer<typeof settingsSchema>

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  port: 0,
  uploadLimit: null,
  downloadLimit: null,
  seedingPaused: false,
  startAtLogin: false,
})

const dataShape = {
  /** The name friends see for us (empty until the user picks one). */
  displayName: label(0, MAX_NAME_CHARS),
  friends: z.array(friendSchema),
  groups: z.array(groupSchema),
  torrents: z.array(torrentSchema),
  settings: settingsSchema,
}

/** What a caller may change through ProfileStore.update(). */
export interface ProfileData {
  displayName: string
  friends: Friend[]
  groups: Group[]
  torrents: TorrentEntry[]
  settings: Settings
}

function reportDuplicates<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  key: (t: T) => string,
  at: (string | number)[],
  what: string,
): void {
  const seen = new Map<string, number>()
  items.forEach((item, i) => {
    const k = key(item)
    const first = seen.get(k)
    if (first === undefined) seen.set(k, i)
    else
      ctx.addIssue({
        code: 'custom',
        path: [...at, i],
        message: `duplicate ${what} (same as ${at.join('.')}[${first}])`,
      })
  })
}

function checkData(d: ProfileData, ctx: z.RefinementCtx): void {
  reportDuplicates(ctx, d.friends, (f) => nameKey(f.name), ['friends'], 'friend name')
  reportDuplicates(ctx, d.friends, (f) => f.publicKey, ['friends'], 'friend key')
  reportDuplicates(ctx, d.groups, (g) => g.id, ['groups'], 'group id')
  reportDuplicates(ctx, d.groups, (g) => g.swarmPublicKey, ['groups'], 'group swarm key')
  reportDuplicates(ctx, d.torrents, (t) => t.infoHash, ['torrents'], 'torrent')
  const groupIds = new Set(d.groups.map((g) => g.id))
  d.torrents.forEach((t, i) => {
    if (!groupIds.has(t.groupId))
      ctx.addIssue({ code: 'custom', path: ['torrents', i, 'groupId'], message: `no group has id "${t.groupId}"` })
  })
}

export const profileDataSchema = z.strictObject(dataShape).superRefine(checkData)

/** profile.json: the data, its format version and a revision counter bumped by every write. */
export const stateFileSchema = z
  .strictObject({
    version: z.literal(FORMAT_VERSION),
    revision: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    ...dataShape,
  })
  .superRefine(checkData)
export type StateFile = z.infer<typeof stateFileSchema>

/**
 * identity.json: written when the profile is created; rewritten only to seal the key (desktop
 * app) or to restore one from a backup. Format 2 added `sealed`: the secret key encrypted by a
 * SecretSealer (secrets.ts), in place of `secretKey`.
 */
export const identityFileSchema = z
  .strictObject({
    version: z.literal(IDENTITY_FORMAT_VERSION),
    publicKey,
    secretKey: secretKey.optional(),
    sealed: z
      .strictObject({
        scheme: z.string().min(1).max(64),
        data: z
          .string()
          .max(8192)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'),
      })
      .optional(),
    createdAt: timestamp,
  })
  .superRefine((id, ctx) => {
    if ((id.secretKey === undefined) === (id.sealed === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretKey'],
        message: 'exactly one of secretKey and sealed must be present',
      })
    } else if (id.secretKey !== undefined && !derives(id.secretKey, id.publicKey)) {
      ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'does not belong to secretKey' })
    }
  })
export type IdentityFile = z.infer<typeof identityFileSchema>

export interface Identity {
  readonly publicKey: string
  readonly secretKey: string
  readonly createdAt: string
}

export const identityKeyPair = (id: Identity): KeyPair => ({
  publicKey: hexToBytes(id.publicKey),
  secretKey: hexToBytes(id.secretKey),
})

/** The group's swarm key pair, when this profile owns the group. */
export const swarmKeyPair = (g: Pick<Group, 'swarmPublicKey' | 'swarmSecretKey'>): KeyPair | undefined =>
  g.swarmSecretKey === undefined
    ? undefined
    : { publicKey: hexToBytes(g.swarmPublicKey), secretKey: hexToBytes(g.swarmSecretKey) }

/** "groups[1].swarmPublicKey: not a valid Ed25519 public key; ..." — never quotes values, which may be secret. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((issue) => {
    const where = issue.path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${String(p)}`),
      '',
    )
    return where === '' ? issue.message : `${where}: ${issue.message}`
  })
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : ''
  return lines.join('; ') + more
}
