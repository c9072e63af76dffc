/** What interrupted writes leave in a profile, and its removal (under the lock: see ProfileStore.tidy). */
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { fsError } from './errors.js'
import { lockDebrisPrefix } from './lock.js'
import { PROFILE_FILES, type ProfileLayout } from './paths.js'

// write-file-atomic names its temporary files `<file>.<decimal>`.
const STATE_TEMP = new RegExp(
  `^(?:${[PROFILE_FILES.identity, PROFILE_FILES.state].map((f) => f.replace('.', '\\.')).join('|')})\\.\\d+$`,
)
const INFO_TEMP = /^[0-9a-f]{40}\.(?:info|resume)\.\d+$/
const INFO = /^([0-9a-f]{40})\.(?:info|resume)$/

/** Removes temporary files, locks moved aside, and info and resume files of torrents not in `named`. */
export async function removeDebris(layout: ProfileLayout, named: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = []
  const sweep = async (dir: string, isDebris: (name: string) => boolean) => {
    const names = await readdir(dir).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw fsError(e, dir, 'list the profile')
    })
    for (const name of names.filter(isDebris)) {
      await rm(path.join(dir, name), { recursive: true, force: true })
      removed.push(path.join(dir, name))
    }
  }
  await sweep(layout.dir, (n) => STATE_TEMP.test(n) || n.startsWith(lockDebrisPrefix(layout.lock)))
  await sweep(layout.torrents, (n) => INFO_TEMP.test(n) || (INFO.test(n) && !named.has(INFO.exec(n)![1]!)))
  return removed
}
