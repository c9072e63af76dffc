/**
 * What interrupted writes leave in a profile, and its removal (under the lock: see ProfileStore.tidy,
 * which every start runs). Debris is not harmless clutter: a temporary copy of profile.json is a
 * whole profile, swarm keys included, so a key destroyed by `group remove` would live on in it.
 *
 * Every write into the profile happens under the lock, so under the lock anything below matches
 * only what a crash left, never a write in flight:
 *  - temporary copies (files.ts's `<file>.<pid>-<n>.tmp`, and write-file-atomic's `<file>.<number>`
 *    of Coterie before issue 20) of identity.json, profile.json, delivery.json, and of anything in torrents/ and indexes/;
 *  - the lock's own folders (made to be renamed into place, or moved aside to be deleted);
 *  - info and resume files of torrents the profile no longer names, indexes of groups it no longer
 *    has, rendezvous folders of no group's rendezvous (what a crash between a removal's commit and
 *    its clean-up leaves).
 * In the profile folder itself only Coterie's own names are touched: it is Electron's userData too.
 */
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../protocol/bytes.js'
import { rendezvousTorrent } from '../protocol/rendezvous.js'
import { fsError } from './errors.js'
import { TEMP_NAME } from './files.js'
import { lockDebrisPrefix } from './lock.js'
import { PROFILE_FILES, type ProfileLayout } from './paths.js'
import type { StateFile } from './schema.js'

/** A temporary copy, by files.ts or (older profiles) write-file-atomic. */
const OLD_TEMP_NAME = /\.\d+$/
const isTemp = (name: string) => TEMP_NAME.test(name) || OLD_TEMP_NAME.test(name)
const ROOT_FILES: readonly string[] = [PROFILE_FILES.identity, PROFILE_FILES.state, PROFILE_FILES.delivery]
const isRootTemp = (name: string) => isTemp(name) && ROOT_FILES.some((f) => name.startsWith(`${f}.`))
const TORRENT_FILE = /^([0-9a-f]{40})\.(?:info|resume)$/
const INDEX_FILE = /^([0-9a-f]{64})\.index$/

/** Removes everything listed above; returns what it removed. */
export async function removeDebris(layout: ProfileLayout, state: StateFile): Promise<string[]> {
  const torrents = new Set(state.torrents.map((t) => t.infoHash))
  const swarms = new Set(state.groups.map((g) => g.swarmPublicKey))
  const meetings = new Set(
    state.groups.flatMap((g) =>
      g.rendezvous === undefined
        ? []
        : [bytesToHex(rendezvousTorrent(hexToBytes(g.swarmPublicKey), hexToBytes(g.rendezvous)).infoHash)],
    ),
  )
  const removed: string[] = []
  const sweep = async (dir: string, isDebris: (name: string) => boolean) => {
    const names = await readdir(dir).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw fsError(e, dir, 'list the profile')
    })
    for (const name of names.filter(isDebris)) {
      await rm(path.join(dir, name), { recursive: true, force: true }).catch((e: unknown) => {
        throw fsError(e, path.join(dir, name), 'remove what a crash left in the profile')
      })
      removed.push(path.join(dir, name))
    }
  }
  const lockDebris = lockDebrisPrefix(layout.lock)
  await sweep(layout.dir, (n) => isRootTemp(n) || n.startsWith(lockDebris))
  await sweep(layout.torrents, (n) => isTemp(n) || (TORRENT_FILE.test(n) && !torrents.has(TORRENT_FILE.exec(n)![1]!)))
  await sweep(layout.indexes, (n) => isTemp(n) || (INDEX_FILE.test(n) && !swarms.has(INDEX_FILE.exec(n)![1]!)))
  await sweep(layout.rendezvous, (n) => /^[0-9a-f]{40}$/.test(n) && !meetings.has(n))
  return removed
}
