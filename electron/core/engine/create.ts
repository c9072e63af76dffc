/**
 * Makes a closed torrent: hashes a file or folder on disk into an info dictionary that carries
 * the swarm key (so the infohash commits to it) and, unless the group is public, the private flag
 * (no DHT, no PEX for the plain infohash). Runs without a client, so the CLI can share while no node is running.
 */
import createTorrent from 'create-torrent'
import { basename } from 'node:path'
import { decodeCanonical, encode } from '../protocol/canonical.js'
import { INFO_SWARM_KEY } from '../protocol/constants.js'
import { infoHashOf } from '../protocol/torrent-info.js'
import { bytesToHex } from '../protocol/bytes.js'

export interface ClosedTorrent {
  readonly infoHash: string
  /** The raw info dictionary, byte for byte what the infohash is the SHA-1 of. */
  readonly info: Uint8Array
  readonly name: string
}

// Torrent files are small next to what they describe; this bounds what we parse back.
const MAX_TORRENT_FILE_BYTES = 64 * 1024 * 1024

export interface CreateOptions {
  readonly onProgress?: (hashed: number, total: number) => void
  /**
   * Leave the private flag off, so the plain infohash is announced on the DHT and peers are
   * exchanged (PEX): non-enforcing clients holding the content can then find and help members
   * (the content-provider case). Members' addresses become visible to anyone with the infohash.
   */
  readonly announcePublic?: boolean
}

export function createClosedTorrent(path: string, swarm: Uint8Array, o: CreateOptions = {}): Promise<ClosedTorrent> {
  return new Promise((resolve, reject) => {
    const opts = {
      name: basename(path), // the name must match the file on disk, or the seeder cannot read it
      ...(o.announcePublic !== true && { private: true }),
      announceList: [],
      info: { [INFO_SWARM_KEY]: swarm },
      createdBy: 'Coterie',
      onProgress: o.onProgress,
    }
    createTorrent(path, opts, (err, torrentFile) => {
      if (err !== null) return reject(err)
      const decoded = decodeCanonical(torrentFile, MAX_TORRENT_FILE_BYTES) as { info?: Parameters<typeof encode>[0] } | undefined
      if (decoded?.info === undefined) return reject(new Error('create-torrent produced no canonical info dictionary'))
      const info = encode(decoded.info)
      resolve({ infoHash: bytesToHex(infoHashOf(info)), info, name: opts.name })
    })
  })
}
