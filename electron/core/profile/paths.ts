/**
 * Where a profile lives, and what is inside it.
 *
 * The default is Electron's `userData` for an app named "Coterie", so the CLI and the desktop app
 * open the same profile without being told. `COTERIE_PROFILE` overrides it (tests, a seedbox, a
 * second identity on one machine).
 */
import { homedir } from 'node:os'
import path from 'node:path'

export const APP_DIR_NAME = 'Coterie'

export function defaultProfileDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.COTERIE_PROFILE
  if (override !== undefined && override !== '') return path.resolve(override)
  // Each branch mirrors what Chromium/Electron computes for app.getPath('appData').
  if (platform === 'win32') {
    const appData =
      env.APPDATA !== undefined && env.APPDATA !== '' ? env.APPDATA : path.win32.join(home, 'AppData', 'Roaming')
    return path.win32.join(appData, APP_DIR_NAME)
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME)
  const config =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : path.posix.join(home, '.config')
  return path.posix.join(config, APP_DIR_NAME)
}

/**
 * File names inside a profile. They are specific enough to share the directory with Electron's
 * own files (Cache/, Local Storage/, Preferences...), which also live in userData.
 */
export const PROFILE_FILES = {
  /** The identity key pair: written once, when the profile is created. Secret. */
  identity: 'identity.json',
  /** Everything that changes (name, friends, groups, torrents), in one file so one rename commits it. Secret. */
  state: 'profile.json',
  /** Raw info dictionaries, `<infohash>.info`, content-addressed; beside each, `<infohash>.resume` (resume.ts). */
  torrents: 'torrents',
  /** Signed group indexes, `<swarm key hex>.index`: self-verifying, written atomically. */
  indexes: 'indexes',
  /** Each group's rendezvous torrent, `<infohash>/` (service/runtime/rendezvous.ts). */
  rendezvous: 'rendezvous',
  /** What each group's members last announced holding, and when each was last seen (delivery.ts). */
  delivery: 'delivery.json',
  /** The lock: a directory holding its owner's record (lock.ts). */
  lock: 'coterie.lock',
} as const

export interface ProfileLayout {
  readonly dir: string
  readonly identity: string
  readonly state: string
  readonly torrents: string
  readonly indexes: string
  readonly rendezvous: string
  readonly delivery: string
  readonly lock: string
  readonly torrentInfo: (infoHash: string) => string
  /** What this node last knew it held of a torrent, to start without re-hashing it (resume.ts). */
  readonly resumeRecord: (infoHash: string) => string
  readonly groupIndex: (swarmHex: string) => string
}

export function profileLayout(dir: string): ProfileLayout {
  const root = path.resolve(dir)
  const torrents = path.join(root, PROFILE_FILES.torrents)
  return {
    dir: root,
    identity: path.join(root, PROFILE_FILES.identity),
    state: path.join(root, PROFILE_FILES.state),
    torrents,
    indexes: path.join(root, PROFILE_FILES.indexes),
    rendezvous: path.join(root, PROFILE_FILES.rendezvous),
    delivery: path.join(root, PROFILE_FILES.delivery),
    lock: path.join(root, PROFILE_FILES.lock),
    torrentInfo: (infoHash) => path.join(torrents, `${infoHash}.info`),
    resumeRecord: (infoHash) => path.join(torrents, `${infoHash}.resume`),
    groupIndex: (swarmHex) => path.join(root, PROFILE_FILES.indexes, `${swarmHex}.index`),
  }
}

/** Owner-only modes. Windows has no such bits; there the per-user profile folder's ACL does the job. */
export const SECRET_FILE_MODE = 0o600
export const PRIVATE_DIR_MODE = 0o700
