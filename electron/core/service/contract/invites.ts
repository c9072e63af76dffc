/**
 * invites.*: making an invite for a member (as bytes, or saved where the person chooses in the desktop
 * app), and opening or accepting one received as bytes.
 */
import { bytesToHex } from '../../protocol/bytes.js'
import { findFriend } from '../operations/friends.js'
import { findGroup } from '../operations/groups.js'
import { inviteFor, join, joinFolder, readInvite, torrentName } from '../operations/invites.js'
import { safeLayoutOfInfo } from '../../protocol/file-names.js'
import { layoutOfInfo } from '../../protocol/torrent-info.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { isRendezvous } from '../operations/rendezvous.js'
import type { InvitePreview } from '../../../../shared/ipc/views.js'
import type { ProfileStore } from '../../profile/index.js'
import type { AppContext, Handlers } from './context.js'
import { UnavailableError } from './dispatch.js'
import { friendRef } from './groups.js'
import { keyText } from './views.js'

type Channels = 'invites.create' | 'invites.save' | 'invites.preview' | 'invites.accept'

export const INVITE_EXTENSION = '.coterie'

const fromBase64 = (data: string): Uint8Array => new Uint8Array(Buffer.from(data, 'base64'))
const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

/** A file name that is safe on every OS: what the user sees in the save dialog and sends on. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
  return cleaned.slice(0, 200) || 'invite'
}

/** What an invite grants, for the person to read before accepting (also pushed as 'invite.opened'). */
export async function previewInvite(store: ProfileStore, bytes: Uint8Array, base?: string): Promise<InvitePreview> {
  const p = await readInvite(store, bytes)
  const swarm = bytesToHex(p.invite.group.swarm)
  return {
    // The group's own folder under the download folder (or where it already goes), to show and change.
    ...(base !== undefined && { folder: await joinFolder(store, swarm, p.group, { base }) }),
    group: p.group,
    from: keyText(p.from),
    fromFingerprint: p.fromFingerprint,
    ...(p.fromFriend !== undefined && { fromFriend: p.fromFriend }),
    ...(p.fromName !== undefined && { fromName: p.fromName }),
    // The group's rendezvous torrent is where members meet, not a share: not listed.
    torrents: p.invite.torrents.flatMap((info, i) =>
      isRendezvous(info, swarm)
        ? []
        : [
            {
              infoHash: p.invite.infoHashes[i]!,
              name: torrentName(info) ?? p.invite.infoHashes[i]!,
              length: totalLength(info),
              ...unsafe(info),
            },
          ],
    ),
    expires: p.expires,
    alreadyMember: store.current.groups.some((g) => g.swarmPublicKey === swarm),
  }
}

// What the person would download: the sum of its files (0 for a dictionary too malformed to lay out).
const totalLength = (info: Uint8Array): number => layoutOfInfo(info)?.files.reduce((n, f) => n + f.length, 0) ?? 0

// A torrent whose names the file-name rule refuses is joined but never written: say so before.
function unsafe(info: Uint8Array): { refused?: string } {
  const r = safeLayoutOfInfo(info)
  return r.ok ? {} : { refused: NAME_REASONS[r.error.code] }
}

export function inviteHandlers(ctx: AppContext): Pick<Handlers, Channels> {
  const { store } = ctx
  const create = async (group: string, friend: string) => {
    const bytes = await inviteFor(store, group, friendRef(friend))
    await ctx.changed() // the friend became a member
    const p = store.current
    const name = `${findGroup(p, group).name} for ${findFriend(p, friendRef(friend)).name}`
    return { fileName: safeFileName(name) + INVITE_EXTENSION, bytes }
  }
  return {
    'invites.create': async ({ group, friend }) => {
      const { fileName, bytes } = await create(group, friend)
      return { fileName, data: toBase64(bytes) }
    },
    // The desktop app saves through the shell's dialog, so it knows, and can say, where the file went.
    'invites.save': async ({ group, friend }) => {
      const save = ctx.platform.saveFile
      if (save === undefined) throw new UnavailableError('Your browser saves the invite file itself.')
      const { fileName, bytes } = await create(group, friend)
      return { path: (await save(fileName, bytes)) ?? null }
    },
    'invites.preview': async ({ data }) =>
      previewInvite(store, fromBase64(data), store.current.settings.downloadDir ?? ctx.defaultDownloadDir),
    'invites.accept': async ({ data, downloadDir }) => {
      const to = downloadDir ?? { base: store.current.settings.downloadDir ?? ctx.defaultDownloadDir }
      const { group, torrents } = await join(store, fromBase64(data), to)
      for (const t of torrents) ctx.acceptedHere.add(t)
      await ctx.changed()
      return { group: group.id, torrents }
    },
  }
}
