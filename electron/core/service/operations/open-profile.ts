/**
 * Opening a profile at a start: a CLI command that changes it, `coterie run`, the desktop app. What
 * a crash left (temporary copies that may hold destroyed keys, files of torrents and groups no
 * longer in the profile, the lock's own folders) is removed under the lock before anything else
 * runs (profile/debris.ts), so no crash's debris outlives the next start.
 */
import { ProfileStore, type OpenOptions } from '../../profile/index.js'

export async function openProfile(dir: string, options: OpenOptions = {}): Promise<ProfileStore> {
  const store = await ProfileStore.open(dir, options)
  await store.tidy()
  return store
}
