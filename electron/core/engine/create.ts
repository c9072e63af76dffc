/**
 * Makes a closed torrent: hashes a file or folder on disk into an info dictionary that carries
 * the swarm key (so the infohash commits to it) and, unless the group is public, the private flag
 * (no DHT, no PEX for the plain infohash). Runs without a client, so the CLI can share while no node is running.
 */
import { basename, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import createTorrent from 'create-torrent'
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
  readonly onProgress?: ((hashed: number, total: number) => void) | undefined
  /**
   * Leave the private flag off, so the plain infohash is announced on the DHT and peers are
   * exchanged (PEX): non-enforcing clients holding the content can then find and help members
   * (the content-provider case). Members' addresses become visible to anyone with the infohash.
   */
  readonly announcePublic?: boolean | undefined
}

export function createClosedTorrent(path: string, swarm: Uint8Array, o: CreateOptions = {}): Promise<ClosedTorrent> {
  const name = basename(path) // the name must match the file on disk, or the seeder cannot read it
  const opts = {
    name,
    ...(o.announcePublic !== true && { private: true }),
    announceList: [],
    info: { [INFO_SWARM_KEY]: swarm },
    createdBy: 'Coterie',
  }
  return hashInWorker({ path, opts }, o.onProgress).then((torrentFile) => {
    const decoded = decodeCanonical(torrentFile, MAX_TORRENT_FILE_BYTES) as
      { info?: Parameters<typeof encode>[0] } | undefined
    if (decoded?.info === undefined) throw new Error('create-torrent produced no canonical info dictionary')
    const info = encode(decoded.info)
    return { infoHash: bytesToHex(infoHashOf(info)), info, name }
  })
}

export interface HashJob {
  readonly path: string
  readonly opts: Record<string, unknown>
}
type HashMessage =
  | { readonly type: 'progress'; readonly hashed: number; readonly total: number }
  | { readonly type: 'done'; readonly torrent: Uint8Array }
  | { readonly type: 'error'; readonly message: string }

/*
 * The worker's script, hash-worker.mjs: next to this file in development, tests and the CLI;
 * next to the bundled main in the desktop app (scripts/build-electron.mjs), where it is unpacked
 * from the asar archive (electron-builder asarUnpack) and bundled with create-torrent, so it
 * needs nothing from inside the archive.
 */
function workerScript(): URL {
  const file = fileURLToPath(new URL('./hash-worker.mjs', import.meta.url))
  return pathToFileURL(file.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`))
}

/**
 * Hashes in a worker thread. A worker that cannot start (its script missing from a package, a
 * runtime without workers) must not make sharing impossible: then the same hashing runs on this
 * thread. A failure of the hashing itself (an empty folder, an unreadable file) is the caller's.
 */
export function hashInWorker(
  job: HashJob,
  onProgress?: (hashed: number, total: number) => void,
  script: URL = workerScript(),
): Promise<Uint8Array> {
  return new Promise<Uint8Array | undefined>((resolve, reject) => {
    let worker: Worker
    try {
      worker = new Worker(script, { workerData: job })
    } catch {
      return resolve(undefined)
    }
    let settled = false
    let heard = false
    const settle = (f: () => void) => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: HashMessage) => {
      heard = true
      if (m.type === 'progress') onProgress?.(m.hashed, m.total)
      else if (m.type === 'done') settle(() => resolve(m.torrent))
      else settle(() => reject(new Error(m.message)))
    })
    // Before any message, an error is the worker failing to start: fall back. After, it is real.
    worker.on('error', (e) => settle(() => (heard ? reject(e) : resolve(undefined))))
    worker.on('exit', (code) =>
      settle(() => (heard ? reject(new Error(`the hashing worker stopped (exit code ${code})`)) : resolve(undefined))),
    )
  }).then((torrent) => torrent ?? hashHere(job, onProgress))
}

function hashHere(job: HashJob, onProgress?: (hashed: number, total: number) => void): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    createTorrent(job.path, { ...job.opts, onProgress }, (err, torrent) =>
      err !== null ? reject(err) : resolve(new Uint8Array(torrent)),
    )
  })
}
