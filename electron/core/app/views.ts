/** Profile → the plain JSON views of shared/ipc/views.ts. Keys cross as text, never as secrets. */
import { hexToBytes } from '@noble/hashes/utils.js'
import { decodeCertificate } from '../protocol/certificate.js'
import { fingerprint, keyToText } from '../protocol/keys.js'
import type { Friend, Group, Profile } from '../profile/index.js'
import type { DeepReadonly } from '../profile/snapshot.js'
import type { FriendView, GroupView, IdentityView, SettingsView } from '../../../shared/ipc/views.js'

export const keyText = (hex: string): string => keyToText('identity', hexToBytes(hex))
export const fingerprintOf = (hex: string): string => fingerprint(hexToBytes(hex))

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
})

export function groupView(p: Profile, g: DeepReadonly<Group>): GroupView {
  const self = p.identity.publicKey
  const cert = g.certificate === undefined ? undefined : decodeCertificate(hexToBytes(g.certificate))
  // We are a member too: the owner lists itself first; a member that joined by invite knows
  // only the owner's certificate, not the other members (invites carry no member list).
  const keys = [...new Set([...(g.owner ? [self] : []), ...g.members])]
  return {
    id: g.id,
    name: g.name,
    owner: g.owner,
    public: g.announcePublic,
    members: keys.map((k) => {
      const friend = p.friends.find((f) => f.publicKey === k)
      return { key: keyText(k), fingerprint: fingerprintOf(k), ...(friend !== undefined && { name: friend.name }), self: k === self }
    }),
    torrents: p.torrents.filter((t) => t.groupId === g.id).map((t) => t.infoHash),
    ...(cert?.ok === true && { certificateExpires: new Date(cert.value.exp * 1000).toISOString() }),
    uploadLimit: g.uploadLimit ?? null,
    downloadLimit: g.downloadLimit ?? null,
  }
}

export const settingsView = (p: Profile, defaultDownloadDir: string): SettingsView => ({
  downloadDir: p.settings.downloadDir ?? defaultDownloadDir,
  port: p.settings.port,
  uploadLimit: p.settings.uploadLimit,
  downloadLimit: p.settings.downloadLimit,
  seedingPaused: p.settings.seedingPaused,
  startAtLogin: p.settings.startAtLogin,
})
