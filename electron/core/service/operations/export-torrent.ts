/**
 * Exporting a torrent of the profile as a plain .torrent file: what a leak would hand an
 * outsider (its swarm key is in the info dictionary, so the file alone admits no one).
 */
import { resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { plainTorrent } from '../../protocol/torrent-info.js'
import type { ProfileStore } from '../../profile/index.js'
import { ServiceError } from '../../../../shared/service-errors.js'

/** Writes the torrent's plain .torrent to `out`; returns the absolute path written. */
export async function exportTorrent(store: ProfileStore, infoHash: string, out: string): Promise<string> {
  const hash = infoHash.toLowerCase()
  if (!store.current.torrents.some((t) => t.infoHash === hash)) throw new ServiceError('unknown-torrent', infoHash)
  const info = await store.readTorrentInfo(hash)
  const path = resolve(out)
  await writeFileAtomic(path, Buffer.from(plainTorrent(info)))
  return path
}
