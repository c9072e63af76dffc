/** Sharing: a file or folder becomes a closed torrent of a group the profile owns. */
import { stat } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { createClosedTorrent } from '../../engine/create.js'
import type { ProfileStore, TorrentEntry } from '../../profile/index.js'
import { fullBitfield, saveResume, stampTree } from '../../profile/resume.js'
import { layoutOfInfo } from '../../protocol/torrent-info.js'
import { findGroup, ownedGroup } from './groups.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'
import { checkNameComponent, pathKey, safeLayoutOfInfo } from '../../protocol/file-names.js'
import { checkDownloadFolder, isWithin } from './placement.js'

export async function share(
  store: ProfileStore,
  path: string,
  groupRef: string,
  onProgress?: (hashed: number, total: number) => void,
): Promise<TorrentEntry> {
  const full = resolve(path)
  const info = await stat(full).catch(() => undefined)
  if (info === undefined) throw new ServiceError('missing-file', full)
  // Check ownership before hashing: hashing gigabytes to then refuse would waste minutes.
  const profile = await store.read()
  const group = findGroup(profile, groupRef)
  if (!group.owner) throw new ServiceError('not-owner', `"${group.name}" was shared with you.`)
  // The profile folder holds the identity and the groups' keys: nothing in it is ever shared.
  await checkDownloadFolder(full, store.dir)
  if (isWithin(store.dir, full)) throw new ServiceError('in-profile-folder', `${full} holds the profile folder.`)
  // Every member writes the share at <its folder for the group>/<name>: a name that breaks the
  // file-name rule (PROTOCOL.md §4.6) would be refused by each of them, and a second share of the
  // same name would land on the first (issue 20). Checked before hashing where the name alone tells.
  const named = checkNameComponent(basename(full))
  if (!named.ok) throw new ServiceError('unsafe-name', `${full}: ${NAME_REASONS[named.error.code]}`)
  const sameName = profile.torrents.filter(
    (t) => t.groupId === group.id && pathKey([t.name]) === pathKey([basename(full)]),
  )
  let torrent
  const before = await stampTree(dirname(full), full) // to tell, after the hash, what changed under it
  try {
    torrent = await createClosedTorrent(full, Buffer.from(group.swarmPublicKey, 'hex'), {
      onProgress,
      announcePublic: group.announcePublic,
    })
  } catch (e) {
    throw new ServiceError('empty-share', `${full}: ${e instanceof Error ? e.message : String(e)}`)
  }
  const safe = safeLayoutOfInfo(torrent.info)
  if (!safe.ok) throw new ServiceError('unsafe-name', `${full}: ${NAME_REASONS[safe.error.code]}`)
  if (sameName.some((t) => t.infoHash !== torrent.infoHash))
    throw new ServiceError('name-taken', `"${group.name}" already has "${sameName[0]!.name}".`)
  // What was just hashed need not be hashed again when the node adds it (profile/resume.ts). Before
  // the entry, like the info file: a crash in between leaves an orphan that tidy() removes.
  // The same bytes shared before from another folder stay that torrent's: its record is kept.
  const layout = layoutOfInfo(torrent.info)
  const held = (await store.read()).torrents.find((t) => t.infoHash === torrent.infoHash)
  if (layout !== undefined && (held === undefined || held.downloadDir === dirname(full))) {
    await saveResume(store.layout, torrent.infoHash, dirname(full), layout, fullBitfield(layout.pieces), {
      flush: false,
      before,
    }).catch(() => false)
  }
  const { result } = await store.update((draft, ctx) => {
    const g = ownedGroup(draft, groupRef)
    const existing = draft.torrents.find((t) => t.infoHash === torrent.infoHash)
    if (existing !== undefined) return existing // sharing the same bytes twice is the same torrent
    ctx.putTorrentInfo(torrent.info)
    const entry: TorrentEntry = {
      infoHash: torrent.infoHash,
      groupId: g.id,
      name: torrent.name,
      downloadDir: dirname(full),
      addedAt: new Date().toISOString(),
      paused: false,
    }
    draft.torrents.push(entry)
    return entry
  })
  return result
}
