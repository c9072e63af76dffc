/** Profile → the plain JSON views of shared/ipc/views.ts. Keys cross as text, never as secrets. */
import { hexToBytes } from '@noble/hashes/utils.js'
import { decodeCertificate } from '../../protocol/certificate.js'
import { fromUtf8 } from '../../protocol/bytes.js'
import type { Decoded } from '../../protocol/canonical.js'
import type { GroupIndex } from '../../protocol/group-index.js'
import { decodeInfo } from '../../protocol/torrent-info.js'
import { indexShares } from '../operations/group-index.js'
import type { Presence } from './presence.js'
import { fingerprint, keyToText } from '../../protocol/keys.js'
import type { Friend, Group, Profile } from '../../profile/index.js'
import type { DeepReadonly } from '../../profile/snapshot.js'
import type { FriendView, GroupView, IdentityView, SettingsView } from '../../../../shared/ipc/views.js'

export const keyText = (hex: string): string => keyToText('identity', hexToBytes(hex))
export const fingerprintOf = (hex: string): string => fingerprint(hexToBytes(hex))
/** A group's swarm key as text (what `coterie group create` prints). */
export const groupKeyText = (hex: string): string => keyToText('swarm', hexToBytes(hex))

export const identityView = (p: Profile): IdentityView => ({
  key: keyText(p.identity.publicKey),
  fingerprint: fingerprintOf(p.identity.publicKey),
  displayName: p.displayName,
})

export const friendView = (f: DeepReadonly<Friend>): FriendView => ({
  key: keyText(f.publicKey),
  name: f.name,
  fingerprint: fingerprintOf(f.publicKey),
  addedAt: f.addedAt,
  addresses: [...(f.addresses ?? [])],
})

/** What a group's view takes from the running node, beside the profile. */
export interface GroupLive {
  readonly presence: Presence
  /** The newest group index the node holds, by swarm key (hex). */
  held(swarmHex: string): GroupIndex | undefined
  /** A subscription's provider address, by swarm key (hex): the profile's subscription files. */
  provider?(swarmHex: string): string | undefined
}

export function groupView(p: Profile, g: DeepReadonly<Group>, live?: GroupLive): GroupView {
  const self = p.identity.publicKey
  const cert = g.certificate === undefined ? undefined : decodeCertificate(hexToBytes(g.certificate))
  // We are a member too, listed first. A member that joined by invite knows the owner at first, and every member once it holds the
  // group index (operations/group-index.ts); it lists itself first too.
  const keys = [...new Set([self, ...g.members])]
  const torrents = p.torrents.filter((t) => t.groupId === g.id)
  const index = g.owner ? undefined : live?.held(g.swarmPublicKey)
  const available = (index === undefined ? [] : indexShares(g, index))
    .filter((s) => !torrents.some((t) => t.infoHash === s.infoHash))
    .map((s) => ({ infoHash: s.infoHash, ...shareOf(s.info) }))
  const provider = g.owner ? undefined : live?.provider?.(g.swarmPublicKey)
  return {
    id: g.id,
    name: g.name,
    owner: g.owner,
    public: g.announcePublic,
    members: keys.map((k) => {
      const friend = p.friends.find((f) => f.publicKey === k)
      const d = live?.presence.of(g.id, k)
      return {
        key: keyText(k),
        fingerprint: fingerprintOf(k),
        ...(friend !== undefined && { name: friend.name }),
        self: k === self,
        ...(d !== undefined && k !== self && { connected: d.connected }),
        ...(d?.lastSeen !== undefined && !d.connected && k !== self && { lastSeen: d.lastSeen }),
        ...(d !== undefined && { has: d.has, of: d.of, progress: d.progress }),
      }
    }),
    torrents: torrents.map((t) => t.infoHash),
    ...(cert?.ok === true && { certificateExpires: new Date(cert.value.exp * 1000).toISOString() }),
    uploadLimit: g.uploadLimit ?? null,
    downloadLimit: g.downloadLimit ?? null,
    autoJoin: g.owner || g.autoJoin !== false,
    available,
    ...(provider !== undefined && { provider }),
  }
}

/** A share's name and size, from its info dictionary (verified with the index that carries it). */
function shareOf(info: Uint8Array): { name: string; length: number } {
  const d = decodeInfo(info, info.length)
  const name = d?.['name']
  const files = d?.['files']
  const size = (x: Decoded | undefined) => (typeof x === 'number' ? x : 0)
  const length = Array.isArray(files)
    ? files.reduce<number>(
        (n, f) =>
          n + (typeof f === 'object' && !(f instanceof Uint8Array) && !Array.isArray(f) ? size(f['length']) : 0),
        0,
      )
    : size(d?.['length'])
  return { name: (name instanceof Uint8Array ? fromUtf8(name) : undefined) ?? 'unnamed', length }
}

export const settingsView = (p: Profile, defaultDownloadDir: string): SettingsView => ({
  downloadDir: p.settings.downloadDir ?? defaultDownloadDir,
  port: p.settings.port,
  uploadLimit: p.settings.uploadLimit,
  downloadLimit: p.settings.downloadLimit,
  seedingPaused: p.settings.seedingPaused,
  startAtLogin: p.settings.startAtLogin,
})
