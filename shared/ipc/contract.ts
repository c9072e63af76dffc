/**
 * The IPC contract, declared once: every request the renderer may make (with its request and
 * response schema) and every event the main side may push. The main side validates each request
 * against `req` before anything else (the renderer is untrusted input); the preload and the
 * browser-mode bridge expose exactly these channels; the renderer calls them through typed
 * functions derived from this table.
 *
 * Every request answers with an IpcResult: errors are values with a code a UI can act on
 * (ServiceErrorCode, or one of IPC_ERRORS), never a thrown exception across the boundary.
 */
import { z } from 'zod'
import type { Result, Problem } from '../result.js'
import type { ServiceErrorCode } from '../service-errors.js'
import {
  appInfo,
  base64,
  bytesPerSecond,
  displayName,
  friendView,
  groupId,
  groupView,
  identityView,
  infoHash,
  invitePreview,
  keyText,
  notice,
  settingsView,
  torrentView,
} from './views.js'

const none = z.object({}).strict()
const req = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict()

/** Bytes of a file the user picked or received, with the name it had. */
const fileBytes = req({ fileName: z.string().max(255), data: base64 })

export const invokeChannels = {
  'app.info': { req: none, res: appInfo },

  'identity.get': { req: none, res: identityView },
  'identity.setName': { req: req({ name: z.string().trim().max(200) }), res: identityView },
  /** A passphrase-encrypted backup of the identity key: losing it loses every membership. */
  'identity.backup': { req: req({ passphrase: z.string().min(8).max(1024) }), res: fileBytes },
  'identity.restore': { req: req({ data: base64, passphrase: z.string().min(1).max(1024) }), res: identityView },

  /** Checks a pasted key as the user types: the reason when it is wrong, the fingerprint when right. */
  'keys.check': {
    req: req({ text: z.string().max(1000) }),
    res: z.union([
      z.object({ valid: z.literal(true), fingerprint: z.string(), friend: z.string().optional(), self: z.boolean() }),
      z.object({ valid: z.literal(false), code: z.string(), message: z.string() }),
    ]),
  },

  'friends.list': { req: none, res: z.array(friendView) },
  'friends.add': { req: req({ key: keyText, name: displayName }), res: friendView },
  'friends.remove': { req: req({ key: keyText }), res: none },
  /** Replaces a friend's static addresses ("host:port"; an empty list clears them). */
  'friends.setAddresses': {
    req: req({ key: keyText, addresses: z.array(z.string().max(300)).max(8) }),
    res: friendView,
  },

  'groups.list': { req: none, res: z.array(groupView) },
  'groups.create': {
    req: req({ name: displayName, members: z.array(keyText).max(1000), public: z.boolean().optional() }),
    res: groupView,
  },
  'groups.addMember': { req: req({ group: groupId, friend: keyText }), res: groupView },
  /**
   * Removes a member from a group we own: up-to-date peers refuse it from now on and it gets
   * nothing new; what it already downloaded stays its own (not DRM).
   */
  'groups.removeMember': { req: req({ group: groupId, friend: keyText }), res: groupView },
  /**
   * This machine's speed limits for a group's torrents (owner or member), on top of the global
   * ones: a number sets one, null lifts it, absent leaves it. The running node follows at once.
   */
  'groups.setLimits': {
    req: req({
      group: groupId,
      uploadLimit: bytesPerSecond.nullable().optional(),
      downloadLimit: bytesPerSecond.nullable().optional(),
    }),
    res: groupView,
  },
  /**
   * Member: whether this node joins what the owner shares later by itself. Turning it on also
   * fetches what the index lists and this computer is not downloading (the view's `available`).
   */
  'groups.setAutoJoin': { req: req({ group: groupId, on: z.boolean() }), res: groupView },
  /**
   * Leaves a group (a member: its certificate and the group secret go) or deletes it (the owner:
   * its key is destroyed, so no one renews or gets anything new; members keep what they have).
   * The group's torrents stop; the downloaded and shared files stay on disk.
   */
  'groups.remove': { req: req({ group: groupId }), res: none },
  /** Member: fetches one share of the group's index that this computer is not downloading yet. */
  'groups.download': { req: req({ group: groupId, infoHash }), res: groupView },
  /** Shares files or folders (paths on the machine running the engine) into a group we own. */
  'groups.share': {
    req: req({ group: groupId, paths: z.array(z.string().min(1).max(4096)).min(1).max(100) }),
    res: z.object({ infoHashes: z.array(infoHash) }),
  },
  /**
   * Owner: takes one item (by infohash) out of a group. The next group index leaves it out, this
   * node stops seeding it, and members' nodes stop listing and seeding it by themselves; the files
   * stay on every disk, so what members already downloaded stays theirs. Errors: 'not-owner',
   * 'unknown-share', 'unknown-group'.
   */
  'groups.unshare': { req: req({ group: groupId, infoHash }), res: groupView },
  /** An invite for one member, as the bytes of a `.coterie` file for the user to save and send. */
  'invites.create': { req: req({ group: groupId, friend: keyText }), res: fileBytes },
  /**
   * Desktop app: makes the member's invite and asks where to save it (a save dialog opening in the
   * Downloads folder, the file named for group and member); `path` is where it went, for the app
   * to say, or null when the person cancelled. Browser mode answers 'unavailable': the browser
   * saves invites.create's bytes itself.
   */
  'invites.save': { req: req({ group: groupId, friend: keyText }), res: z.object({ path: z.string().nullable() }) },

  /** Opens an invite without accepting it: what it grants and who sent it. */
  'invites.preview': { req: fileBytes, res: invitePreview },
  'invites.accept': {
    req: req({ data: base64, downloadDir: z.string().max(4096).optional() }),
    res: z.object({ group: groupId, torrents: z.array(infoHash) }),
  },

  /**
   * Subscribes to a content provider (docs/PROVIDER.md): logs in with the account's password,
   * proves the identity key, and joins the provider's group like an invite (a subscription is a
   * group whose owner is the provider); a running node then renews it with a refresh token. The
   * password goes to the provider once and is kept nowhere. Errors: 'wrong-password',
   * 'account-disabled', 'rate-limited', 'provider-unreachable', 'not-a-provider',
   * 'already-subscribed', 'bad-provider-url', 'provider-refused'.
   */
  'providers.subscribe': {
    req: req({
      url: z.string().min(1).max(2048),
      user: z.string().min(1).max(256),
      // The provider's bound (electron/core/provider/password.ts MAX_PASSWORD_BYTES: 1024 bytes).
      password: z.string().min(1).max(1024),
      downloadDir: z.string().max(4096).optional(),
    }),
    res: z.object({ group: groupId, provider: z.string(), torrents: z.array(infoHash) }),
  },

  'torrents.list': { req: none, res: z.array(torrentView) },
  'torrents.pause': { req: req({ infoHash }), res: none },
  'torrents.resume': { req: req({ infoHash }), res: none },
  /**
   * "Retry now" on a stalled download: its members' known addresses are dialled at once and it is
   * announced again on every source; answers how many addresses were dialled.
   */
  'torrents.retry': { req: req({ infoHash }), res: z.object({ dialled: z.number().int().min(0) }) },
  /** Removes the torrent from the profile; the files on disk stay. */
  'torrents.remove': { req: req({ infoHash }), res: none },
  /** Shows the torrent's files in the OS file manager (Electron); answers the path either way. */
  'torrents.reveal': { req: req({ infoHash }), res: z.object({ path: z.string() }) },

  'settings.get': { req: none, res: settingsView },
  'settings.set': { req: settingsView.partial().strict(), res: settingsView },
} as const

export const eventChannels = {
  /** Friends, groups or identity changed (by this app, the CLI, or an accepted invite): refetch. */
  'profile.changed': z.object({ revision: z.number().int() }),
  /**
   * Groups whose members' connection state changed (a member's node connected or went away), at
   * most a few per second; every other change of a group comes as 'profile.changed'.
   */
  'groups.changed': z.object({ changed: z.array(groupView) }),
  /**
   * Torrents whose view changed since the last event, at most a few per second; `removed` lists
   * infohashes gone from the profile.
   */
  'torrents.changed': z.object({ changed: z.array(torrentView), removed: z.array(infoHash) }),
  /**
   * Hashing a file or folder being shared (groups.share), at most a few per second: until it is
   * hashed it is not a torrent yet, so it has no infohash and no torrent view.
   */
  'share.progress': z.object({ group: groupId, name: z.string(), hashed: z.number(), total: z.number() }),
  /** An invite was opened from outside (file association, argv, `coterie:` link, second instance). */
  'invite.opened': z.object({ file: fileBytes, preview: invitePreview }),
  notice: notice,
} as const

export type InvokeChannel = keyof typeof invokeChannels
export type EventChannel = keyof typeof eventChannels
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['req']>
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['res']>
export type EventOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>

/** Failures of the transport itself, next to the services' own codes. */
export const IPC_ERRORS = {
  'bad-request': 'The request did not match its schema.',
  'unknown-channel': 'No such request.',
  internal: 'Something went wrong inside Coterie; the details are in its log.',
  unavailable: 'This is not available in this mode.',
} as const
export type IpcErrorCode = keyof typeof IPC_ERRORS | ServiceErrorCode

export type IpcResult<C extends InvokeChannel> = Result<ResponseOf<C>, Problem<IpcErrorCode>>

/** What the preload exposes as `window.coterie`, and the browser bridge implements the same way. */
export interface CoterieApi {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<C>>
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void
  /**
   * The local path of a dropped or picked File: Electron only (webUtils.getPathForFile). In browser
   * mode it is absent and the bridge uploads the file instead (see `upload`).
   */
  pathForFile?(file: File): string
  /** Browser mode: uploads a dropped file to the engine's machine and answers its path there. */
  upload?(file: File, onProgress?: (sent: number) => void): Promise<Result<{ path: string }, Problem<IpcErrorCode>>>
}

export const isInvokeChannel = (s: string): s is InvokeChannel => Object.hasOwn(invokeChannels, s)
export const isEventChannel = (s: string): s is EventChannel => Object.hasOwn(eventChannels, s)
