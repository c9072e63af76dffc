/**
 * Where a torrent's files may go on this machine, and when a torrent must not write at all
 * (issue 15, "Downloads that cannot clobber"; issue 20, "One path, one torrent"). The owner of a
 * group decides the names inside its torrents; this node decides the folders, and refuses, with
 * a typed reason, any download that would write
 * - a name the file-name rule refuses (protocol/file-names.ts, PROTOCOL.md §4.6): `unsafe-name`;
 * - inside the profile folder, where the identity key lives: `in-profile-folder`;
 * - on a path another torrent of the profile already has (the same path, or a file where the
 *   other has a folder), the torrent added first keeping it: `path-taken`;
 * - over a file it did not create: one already there when it first starts, before it has
 *   claimed its paths (profile/resume.ts claimFiles): `file-exists`.
 * Refusing, rather than placing the torrent apart under another name, keeps every file where
 * the group's folder says it is: the only conflicts left once each group has its own folder are
 * real ones (a file of the user's, two shares named alike by one owner), and the person should
 * decide those, knowing the path. A refused torrent stays in the profile and says why.
 */
import { lstat, readdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Group, ProfileStore, TorrentEntry } from '../../profile/index.js'
import { checkNameComponent, pathKey, safeLayoutOfInfo } from '../../protocol/file-names.js'
import type { TorrentLayout } from '../../protocol/torrent-info.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'

/** How many "Name (n)" folders to try before falling back to the group's id. */
const MAX_FOLDER_SUFFIX = 100

/** A name usable as one folder component: the rule's unsafe characters become "_". */
function folderName(name: string, id: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
    .replace(/[/\\<>:"|?*]/gu, '_')
    .replace(/[. ]+$/u, '')
  return checkNameComponent(cleaned).ok ? cleaned : `group ${id}`
}

/**
 * The folder of a group's browser-mode uploads, below "Shared by me" (ui-server/upload.ts): named
 * as its download folder would be, with its id added when another group of the profile would get a
 * folder of the same name (on a case-insensitive disk too), so no two groups' uploads ever meet.
 */
export function uploadFolderName(
  group: Pick<Group, 'id' | 'name'>,
  groups: readonly Pick<Group, 'id' | 'name'>[],
): string {
  const name = folderName(group.name, group.id)
  const shared = groups.some((g) => g.id !== group.id && pathKey([folderName(g.name, g.id)]) === pathKey([name]))
  return shared ? `${name} (${group.id})` : name
}

const sameDir = (a: string, b: string): boolean => pathKey([path.resolve(a)]) === pathKey([path.resolve(b)])

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : undefined))
  return entries !== undefined && entries.length === 0
}

/**
 * The folder a group's files go to when the person names none: `<base>/<group's name>`, apart from
 * every other group's folder, and new (absent or empty), so that nothing already there, such as
 * what a group left earlier downloaded, is mistaken for this group's.
 */
export async function groupFolder(
  base: string,
  group: Pick<Group, 'id' | 'name'>,
  groups: readonly Pick<Group, 'id' | 'downloadDir'>[],
): Promise<string> {
  const name = folderName(group.name, group.id)
  const taken = (dir: string) =>
    groups.some((g) => g.id !== group.id && g.downloadDir !== undefined && sameDir(g.downloadDir, dir))
  for (let n = 1; n <= MAX_FOLDER_SUFFIX; n++) {
    const dir = path.resolve(base, n === 1 ? name : `${name} (${n})`)
    if (!taken(dir) && (await isEmptyOrAbsent(dir))) return dir
  }
  return path.resolve(base, `group ${group.id}`)
}

/** Whether `p` is `folder` or lies below it (lexically). */
export function isWithin(p: string, folder: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(p))
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** `p` with symbolic links resolved as far as it exists (a folder not made yet has none). */
async function realish(p: string): Promise<string> {
  const abs = path.resolve(p)
  const real = await realpath(abs).catch(() => undefined)
  if (real !== undefined) return real
  const parent = path.dirname(abs)
  return parent === abs ? abs : path.join(await realish(parent), path.basename(abs))
}

/** Refuses a download folder that is, or is inside, the profile folder (links followed). */
export async function checkDownloadFolder(dir: string, profileDir: string): Promise<void> {
  const [d, p] = await Promise.all([realish(dir), realish(profileDir)])
  if (isWithin(d, p) || isWithin(dir, profileDir)) throw new ServiceError('in-profile-folder', dir)
}

/** What the placement of one torrent needs to know. */
export interface Placed {
  readonly entry: Pick<TorrentEntry, 'infoHash' | 'downloadDir' | 'addedAt' | 'name'>
  readonly info: Uint8Array
  /** A share of a group this profile owns: it reads the user's files and never writes. */
  readonly share: boolean
}

interface Claim {
  readonly files: Map<string, string>
  readonly folders: Map<string, string>
}

const absoluteParts = (dir: string, rel: readonly string[]): string[] => [
  ...path
    .resolve(dir)
    .split(path.sep)
    .filter((p) => p !== ''),
  ...rel,
]

/**
 * Which of the profile's torrents must not write, and why: the pure part (names, the profile
 * folder lexically, paths two torrents share). Torrents are taken in the order they were added
 * (`placed` in the profile's order), so the one that had a path first keeps it.
 */
export function conflicts(placed: readonly Placed[], profileDir: string): Map<string, ServiceError> {
  const out = new Map<string, ServiceError>()
  const claim: Claim = { files: new Map(), folders: new Map() }
  // A stable sort: torrents added in the same millisecond (one invite) keep the profile's order.
  const order = [...placed].sort((a, b) => a.entry.addedAt.localeCompare(b.entry.addedAt))
  for (const p of order) {
    const r = safeLayoutOfInfo(p.info)
    if (!r.ok) {
      // A share reads what the user chose to share; only what would be written must pass the rule.
      if (!p.share) out.set(p.entry.infoHash, new ServiceError('unsafe-name', NAME_REASONS[r.error.code]))
      continue
    }
    const keys = r.value.files.map((f) => absoluteParts(p.entry.downloadDir, f.path))
    if (!p.share) {
      const problem = placementProblem(p, r.value, keys, claim, profileDir, placed)
      if (problem !== undefined) {
        out.set(p.entry.infoHash, problem)
        continue
      }
    }
    for (const parts of keys) {
      claim.files.set(pathKey(parts), p.entry.infoHash)
      for (let i = 1; i < parts.length; i++) claim.folders.set(pathKey(parts.slice(0, i)), p.entry.infoHash)
    }
  }
  return out
}

function placementProblem(
  p: Placed,
  layout: TorrentLayout,
  keys: readonly string[][],
  claim: Claim,
  profileDir: string,
  placed: readonly Placed[],
): ServiceError | undefined {
  for (const f of layout.files) {
    const full = path.join(p.entry.downloadDir, ...f.path)
    if (isWithin(full, profileDir)) return new ServiceError('in-profile-folder', full)
  }
  for (const parts of keys) {
    const key = pathKey(parts)
    const other = claim.files.get(key) ?? claim.folders.get(key) ?? folderClash(parts, claim)
    if (other !== undefined) {
      const name = placed.find((x) => x.entry.infoHash === other)?.entry.name ?? other
      return new ServiceError('path-taken', `${path.join(path.sep, ...parts)} (already "${name}"'s)`)
    }
  }
  return undefined
}

// One of the path's folders is a file of another torrent.
function folderClash(parts: readonly string[], claim: Claim): string | undefined {
  for (let i = 1; i < parts.length; i++) {
    const other = claim.files.get(pathKey(parts.slice(0, i)))
    if (other !== undefined) return other
  }
  return undefined
}

/**
 * The checks that need the disk, for a download about to start: its folder is not the profile's
 * (links followed), and if it has not claimed its paths yet (`claimed` false), none of its files
 * is there already. Undefined when it may start.
 */
export async function diskProblem(
  downloadDir: string,
  layout: TorrentLayout,
  profileDir: string,
  claimed: boolean,
): Promise<ServiceError | undefined> {
  try {
    await checkDownloadFolder(downloadDir, profileDir)
  } catch (e) {
    if (e instanceof ServiceError) return e
    throw e
  }
  if (claimed) return undefined
  for (const f of layout.files) {
    const full = path.join(downloadDir, ...f.path)
    if (
      await lstat(full).then(
        () => true,
        () => false,
      )
    )
      return new ServiceError('file-exists', full)
  }
  return undefined
}

/**
 * Gives every group this profile is a member of a download folder of its own, once. Profiles made
 * before had groups with none recorded, whose later shares went to the settings' folder or, when
 * that was unset too, to the profile folder (issue 15: a share named identity.json replaced the
 * identity). Such a group takes the folder its torrents already use when that is not the profile's,
 * else a new `<base>/<group name>`; nothing on disk moves. A torrent recorded inside the profile
 * folder is pointed at its group's folder: it downloads again there, and what it wrote in the
 * profile folder is left alone (it may be the identity file itself). Returns what it changed, in words.
 */
export async function ensureGroupFolders(store: ProfileStore, base: string): Promise<string[]> {
  const p = store.current
  const inProfile = (d: string) => isWithin(d, store.dir)
  const lacking = p.groups.filter((g) => !g.owner && (g.downloadDir === undefined || inProfile(g.downloadDir)))
  const owned = new Set(p.groups.filter((g) => g.owner).map((g) => g.id))
  // An owner's share reads the user's files where they are; share() refuses the profile folder.
  const misplaced = p.torrents.filter((t) => !owned.has(t.groupId) && inProfile(t.downloadDir))
  if (lacking.length === 0 && misplaced.length === 0) return []
  const chosen = new Map<string, string>()
  const groups = p.groups.map((g) => ({ id: g.id, downloadDir: g.downloadDir }))
  for (const g of lacking) {
    const used = p.torrents.find((t) => t.groupId === g.id && !inProfile(t.downloadDir))?.downloadDir
    const dir = used ?? (await groupFolder(base, g, groups))
    chosen.set(g.id, dir)
    groups.find((x) => x.id === g.id)!.downloadDir = dir
  }
  const said: string[] = []
  await store.update(async (draft) => {
    for (const g of draft.groups) {
      const dir = chosen.get(g.id)
      if (dir !== undefined && (g.downloadDir === undefined || inProfile(g.downloadDir))) {
        g.downloadDir = dir
        said.push(`group "${g.name}" downloads to ${dir}`)
      }
    }
    for (const t of draft.torrents) {
      if (owned.has(t.groupId) || !inProfile(t.downloadDir)) continue
      const g = draft.groups.find((x) => x.id === t.groupId)
      const dir =
        g?.downloadDir !== undefined && !inProfile(g.downloadDir)
          ? g.downloadDir
          : await groupFolder(base, g ?? { id: t.groupId, name: t.groupId }, draft.groups)
      said.push(`"${t.name}" was recorded inside the profile folder: it downloads again to ${dir}`)
      t.downloadDir = dir
    }
  })
  return said
}
