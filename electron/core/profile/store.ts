/**
 * ProfileStore: the one way to read and change a profile.
 *
 * Layout and why (see paths.ts): identity.json is written once at creation and never again;
 * everything that changes lives in profile.json, so every update commits with a single atomic
 * rename and a crash leaves the old state or the new one, whole. Both files are secret (0600):
 * identity.json holds the identity key, profile.json the swarm keys and group secrets — keeping
 * secrets in a file of their own would split one change across two renames. Info dictionaries are
 * content-addressed files, written before the state that names them and deleted after the state
 * that dropped them, so the state never refers to a missing one.
 *
 * Reads take no lock (each file is replaced whole). Updates take the profile lock, re-read from
 * disk, apply the caller's change, validate, and write: two processes never lose each other's
 * changes. A running node learns of other processes' changes through `watch` or `revision`.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { bytesToHex } from '../protocol/bytes.js'
import { decodeInfo, infoHashOf, swarmKeyOfInfo } from '../protocol/torrent-info.js'
import { generateKeyPair, keyPairFromSecret } from '../protocol/keys.js'
import { fsError, ProfileError } from './errors.js'
import { removeDebris } from './debris.js'
import { exists, readBytes, readJsonFile, syncDir, toJson, writeAtomic } from './files.js'
import { crashPoint } from './crash-points.js'
import {
  DEFAULT_LOCK,
  inspectLock,
  unlock,
  withLock,
  type LockSettings,
  type LockState,
  type UnlockResult,
} from './lock.js'
import { PRIVATE_DIR_MODE, PROFILE_FILES, profileLayout, type ProfileLayout } from './paths.js'
import { securePermissions, type PermissionFix } from './permissions.js'
import {
  DEFAULT_SETTINGS,
  FORMAT_VERSION,
  describeIssues,
  profileDataSchema,
  stateFileSchema,
  type Identity,
  type ProfileData,
  type StateFile,
} from './schema.js'
import { dataOf, readIdentity, readIdentityFile, readProfile, snapshot, type Profile } from './snapshot.js'
import { sealIdentity, unsealIdentity, type SecretSealer } from './secrets.js'
import { pollForChanges } from './watch.js'

export type { Profile }

/** An info dictionary larger than this is not one we wrote (8 MiB is a ~100 GB torrent). */
export const MAX_TORRENT_INFO_BYTES = 64 * 1024 * 1024

export interface OpenOptions {
  /** Create the directory and a fresh identity if there is no profile yet. */
  readonly create?: boolean
  /** With `create`: fail with 'exists' if a profile is already there (e.g. `coterie init`). */
  readonly exclusive?: boolean
  /** The display name of a newly created profile. */
  readonly displayName?: string
  /** How long an update waits for another process's lock (default 15 s). */
  readonly lockTimeoutMs?: number
  /** A holder refreshes its lock every half of this; one not refreshed this long is not responding (default 10 s). */
  readonly lockStaleMs?: number
  /**
   * Seals the identity key at rest (the desktop app: the OS keyring). A profile opened with one
   * has its plain key sealed on the spot; without one (the CLI), the key stays in the owner-only file.
   */
  readonly sealer?: SecretSealer | undefined
}

export interface UpdateContext {
  readonly identity: Identity
  /** The revision the draft was read at. */
  readonly revision: number
  /**
   * Stages a torrent's raw info dictionary, written (atomically, before the state) if this update
   * commits. Returns its infohash in hex. Every staged info must be named by a torrent entry.
   */
  putTorrentInfo(info: Uint8Array): string
}

/** Changes `draft` in place; may be async; throws (any error) to abort without writing. */
export type Mutator<R> = (draft: ProfileData, context: UpdateContext) => R | Promise<R>

export interface Updated<R> {
  readonly result: R
  readonly profile: Profile
  /** False when the mutator changed nothing; nothing was written and the revision is unchanged. */
  readonly changed: boolean
}

export interface WatchOptions {
  /** How often to look for changes (default 1000 ms): a stat of profile.json, a read only if it moved. */
  readonly intervalMs?: number
  readonly onError?: (error: ProfileError) => void
}

export class ProfileStore {
  readonly layout: ProfileLayout
  /** Permissions tightened when the profile was opened (always empty on Windows). */
  readonly warnings: readonly PermissionFix[]
  readonly #lock: LockSettings
  readonly #sealer: SecretSealer | undefined
  #current: Profile
  /** The revision this store is committing right now, so watch() does not report it as foreign. */
  #committing = -1

  private constructor(
    layout: ProfileLayout,
    lock: LockSettings,
    warnings: PermissionFix[],
    current: Profile,
    sealer: SecretSealer | undefined,
  ) {
    this.layout = layout
    this.#lock = lock
    this.#sealer = sealer
    this.warnings = warnings
    this.#current = current
  }

  static async open(dir: string, options: OpenOptions = {}): Promise<ProfileStore> {
    const layout = profileLayout(dir)
    const lock: LockSettings = {
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK.timeoutMs,
      staleMs: options.lockStaleMs ?? DEFAULT_LOCK.staleMs,
    }
    if (options.create === true) {
      await mkdir(layout.dir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((e: unknown) => {
        throw fsError(e, layout.dir, 'create the profile directory')
      })
      await withLock(layout.dir, layout.lock, lock, () => create(layout, options, options.sealer))
    } else if (!(await exists(layout.identity))) {
      throw new ProfileError(
        'not-found',
        `There is no Coterie profile in ${layout.dir} (no ${PROFILE_FILES.identity}). Create one first, or point COTERIE_PROFILE or --profile at an existing one.`,
        layout.dir,
      )
    }
    const warnings = await securePermissions(layout)
    if (options.sealer !== undefined && (await readIdentityFile(layout)).secretKey !== undefined) {
      await withLock(layout.dir, layout.lock, lock, async () => {
        const file = await readIdentityFile(layout)
        if (file.secretKey === undefined) return // sealed meanwhile by another process
        await writeAtomic(
          layout.identity,
          toJson(sealIdentity(unsealIdentity(file, layout.identity, undefined), options.sealer)),
          PROFILE_FILES.identity,
        )
        await syncDir(layout.dir)
      })
    }
    return new ProfileStore(layout, lock, warnings, await readProfile(layout, options.sealer), options.sealer)
  }

  /**
   * The way out when the identity key cannot be unsealed (the keyring changed): moves identity.json
   * aside, never deleting it, so the profile opens with a fresh key and the person restores
   * theirs from a backup (or moves the file back once the keyring opens again). Returns where it went.
   */
  static async setAsideIdentity(dir: string): Promise<string> {
    const layout = profileLayout(dir)
    const aside = path.join(layout.dir, `identity.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
    await withLock(layout.dir, layout.lock, DEFAULT_LOCK, async () => {
      await rename(layout.identity, aside).catch((e: unknown) => {
        throw fsError(e, layout.identity, 'move the identity file aside')
      })
      await syncDir(layout.dir)
    })
    return aside
  }

  get dir(): string {
    return this.layout.dir
  }

  /** The snapshot last read or written by this store (no I/O). */
  get current(): Profile {
    return this.#current
  }

  /** Reads and validates the profile from disk (no lock: each file is replaced whole). */
  async read(): Promise<Profile> {
    this.#current = await readProfile(this.layout, this.#sealer)
    return this.#current
  }

  /** The revision on disk, read without validating the rest: cheap enough to poll. */
  async revision(): Promise<number> {
    const text = new TextDecoder().decode(await readBytes(this.layout.state, PROFILE_FILES.state))
    try {
      const r = (JSON.parse(text) as { revision?: unknown }).revision
      if (typeof r === 'number' && Number.isSafeInteger(r) && r >= 0) return r
    } catch {
      // reported below
    }
    throw new ProfileError(
      'corrupt',
      `${this.layout.state} has no valid revision. Coterie left it unchanged.`,
      this.layout.state,
    )
  }

  /**
   * Applies `mutate` to the profile as it is on disk now, under the profile lock, and commits the
   * result if it is valid. Keep the mutator short: other processes wait while it runs. Never call
   * update() from inside a mutator (it would wait for itself until the lock timeout).
   */
  async update<R>(mutate: Mutator<R>): Promise<Updated<R>> {
    const { layout } = this
    return withLock(layout.dir, layout.lock, this.#lock, async (lock) => {
      const identity = await readIdentity(layout, this.#sealer)
      const before = await readJsonFile(layout.state, stateFileSchema, PROFILE_FILES.state, 'state')
      const draft = structuredClone(dataOf(before))
      const staged = new Map<string, Uint8Array>()
      const result = await mutate(draft, {
        identity,
        revision: before.revision,
        putTorrentInfo(info) {
          const infoHash = bytesToHex(infoHashOf(info))
          staged.set(infoHash, info.slice())
          return infoHash
        },
      })
      const parsed = profileDataSchema.safeParse(draft)
      if (!parsed.success) {
        throw new ProfileError('invalid', `The change was not saved: ${describeIssues(parsed.error)}.`, layout.state)
      }
      const data = parsed.data
      if (staged.size === 0 && toJson(data) === toJson(dataOf(before))) {
        this.#current = snapshot(identity, before)
        return { result, profile: this.#current, changed: false }
      }
      await this.#checkTorrentInfos(before, data, staged)

      if (staged.size > 0) {
        await mkdir(layout.torrents, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((e: unknown) => {
          throw fsError(e, layout.torrents, 'create the torrents directory')
        })
        for (const [infoHash, info] of staged) {
          await lock.assertHeld()
          await writeAtomic(layout.torrentInfo(infoHash), info, `the info of torrent ${infoHash}`)
        }
        await syncDir(layout.torrents)
        crashPoint('update:infos-written')
      }
      const next: StateFile = { version: FORMAT_VERSION, revision: before.revision + 1, ...data }
      await lock.assertHeld()
      this.#committing = next.revision
      await writeAtomic(layout.state, toJson(next), PROFILE_FILES.state)
      await syncDir(layout.dir)
      crashPoint('update:committed')

      // After the commit, so a crash in between leaves an orphan file (see tidy), never a dangling entry.
      const kept = new Set(next.torrents.map((t) => t.infoHash))
      for (const t of before.torrents) {
        if (kept.has(t.infoHash)) continue
        await rm(layout.torrentInfo(t.infoHash), { force: true }).catch(() => {})
        await rm(layout.resumeRecord(t.infoHash), { force: true }).catch(() => {})
      }
      this.#current = snapshot(identity, next)
      return { result, profile: this.#current, changed: true }
    })
  }

  /**
   * Replaces the identity key with a restored one: the one time identity.json is rewritten
   * (atomically, under the lock). The revision moves too, so running nodes reload with the new key.
   * Certificates issued to the old key stop proving anything; owned groups are re-certified by the node.
   */
  async replaceIdentity(secretKey: Uint8Array): Promise<Profile> {
    const { layout } = this
    return withLock(layout.dir, layout.lock, this.#lock, async (lock) => {
      const previous = await readIdentityFile(layout) // its key may not unseal: restoring is the way out
      const keys = keyPairFromSecret(secretKey)
      const identity = sealIdentity(
        {
          publicKey: bytesToHex(keys.publicKey),
          secretKey: bytesToHex(keys.secretKey),
          createdAt: previous.publicKey === bytesToHex(keys.publicKey) ? previous.createdAt : new Date().toISOString(),
        },
        this.#sealer,
      )
      const before = await readJsonFile(layout.state, stateFileSchema, PROFILE_FILES.state, 'state')
      await lock.assertHeld()
      await writeAtomic(layout.identity, toJson(identity), PROFILE_FILES.identity)
      const next: StateFile = { ...before, version: FORMAT_VERSION, revision: before.revision + 1 }
      this.#committing = next.revision
      await writeAtomic(layout.state, toJson(next), PROFILE_FILES.state)
      await syncDir(layout.dir)
      this.#current = snapshot(await readIdentity(layout, this.#sealer), next)
      return this.#current
    })
  }

  /** A torrent's raw info dictionary, checked against its infohash ('not-found', 'corrupt'). */
  async readTorrentInfo(infoHash: string): Promise<Uint8Array> {
    if (!/^[0-9a-f]{40}$/.test(infoHash))
      throw new RangeError('readTorrentInfo: infoHash must be 40 lower-case hex characters')
    const file = this.layout.torrentInfo(infoHash)
    const size = await stat(file).then(
      (s) => s.size,
      (e: unknown) => {
        throw fsError(e, file, `read the info of torrent ${infoHash}`)
      },
    )
    if (size > MAX_TORRENT_INFO_BYTES)
      throw new ProfileError('corrupt', `${file} is too large to be an info dictionary.`, file)
    const info = await readBytes(file, `the info of torrent ${infoHash}`)
    if (bytesToHex(infoHashOf(info)) !== infoHash) {
      throw new ProfileError(
        'corrupt',
        `${file} is damaged: its contents do not match infohash ${infoHash}. Add the torrent again to restore it.`,
        file,
      )
    }
    return info
  }

  /**
   * Calls `onChange` when another process commits a change (this store's own updates do not count).
   * Polls a stat of profile.json; reads and validates only when it moved. Returns a stop function.
   */
  watch(onChange: (profile: Profile) => void, options: WatchOptions = {}): () => void {
    return pollForChanges(
      this.layout.state,
      options.intervalMs ?? 1000,
      async () => {
        const seen = this.#current.revision
        const profile = await this.read()
        if (profile.revision !== seen && profile.revision !== this.#committing) onChange(profile)
      },
      options.onError,
    )
  }

  /**
   * Removes what interrupted writes left behind (debris.ts): temporary copies, the lock's own
   * folders, and files of torrents, groups and rendezvous the profile no longer has. Every start
   * runs it (service/operations/open-profile.ts) before anything else; it takes the lock.
   */
  async tidy(): Promise<string[]> {
    const { layout } = this
    return withLock(layout.dir, layout.lock, this.#lock, async () => {
      const state = await readJsonFile(layout.state, stateFileSchema, PROFILE_FILES.state, 'state')
      return removeDebris(layout, state)
    })
  }

  /** Writes a group's signed index (atomically, under the lock: see debris.ts). */
  async putGroupIndex(swarmHex: string, index: Uint8Array): Promise<void> {
    const { layout } = this
    await withLock(layout.dir, layout.lock, this.#lock, async (lock) => {
      await mkdir(layout.indexes, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((e: unknown) => {
        throw fsError(e, layout.indexes, 'create the indexes directory')
      })
      await lock.assertHeld()
      await writeAtomic(layout.groupIndex(swarmHex), index, 'the group index')
    })
  }

  /** Whether the profile in `dir` is locked, by whom, and whether that still counts (lock.ts). */
  static lockStatus(dir: string): Promise<LockState> {
    return inspectLock(profileLayout(dir).lock)
  }

  /**
   * Removes the lock `lockStatus` showed (by its token), unless its owner runs on this machine or
   * it was taken again since (then nothing is removed): `coterie unlock`, after the person confirmed.
   */
  static unlock(dir: string, token: string | undefined): Promise<UnlockResult> {
    return unlock(profileLayout(dir).lock, token)
  }

  /**
   * Every torrent entry that is new (or moved to another group) must come with its info, staged or
   * already on disk, and that info must carry its group's swarm key.
   */
  async #checkTorrentInfos(
    before: StateFile,
    after: ProfileData,
    staged: ReadonlyMap<string, Uint8Array>,
  ): Promise<void> {
    const old = new Set(before.torrents.map((t) => `${t.infoHash}/${t.groupId}`))
    const named = new Set(after.torrents.map((t) => t.infoHash))
    for (const infoHash of staged.keys()) {
      if (!named.has(infoHash))
        throw new ProfileError(
          'invalid',
          `The change was not saved: an info dictionary (${infoHash}) was staged but no torrent entry names it.`,
        )
    }
    for (const t of after.torrents) {
      if (old.has(`${t.infoHash}/${t.groupId}`)) continue
      let info = staged.get(t.infoHash)
      if (info === undefined) {
        info = await this.readTorrentInfo(t.infoHash).catch((e: unknown) => {
          if (e instanceof ProfileError && e.code === 'not-found') {
            throw new ProfileError(
              'invalid',
              `The change was not saved: torrent ${t.infoHash} has no info dictionary (stage it with putTorrentInfo).`,
            )
          }
          throw e
        })
      }
      const swarm = swarmKeyOfInfo(decodeInfo(info, MAX_TORRENT_INFO_BYTES))
      const group = after.groups.find((g) => g.id === t.groupId)
      if (swarm === undefined || group === undefined || bytesToHex(swarm) !== group.swarmPublicKey) {
        throw new ProfileError(
          'invalid',
          `The change was not saved: torrent ${t.infoHash} does not carry the swarm key of group "${t.groupId}".`,
        )
      }
    }
  }
}

async function create(layout: ProfileLayout, options: OpenOptions, sealer: SecretSealer | undefined): Promise<void> {
  const hasIdentity = await exists(layout.identity)
  if (hasIdentity && options.exclusive === true) {
    throw new ProfileError(
      'exists',
      `A Coterie profile already exists in ${layout.dir}. Use it, or choose another directory.`,
      layout.dir,
    )
  }
  if (hasIdentity) return
  // identity.json goes last: it is what marks the profile as existing, so a creation interrupted
  // earlier is simply done again. A profile.json already there (an identity deleted by hand) is kept.
  if (!(await exists(layout.state))) {
    const state: StateFile = {
      version: FORMAT_VERSION,
      revision: 0,
      displayName: options.displayName ?? '',
      friends: [],
      groups: [],
      torrents: [],
      settings: { ...DEFAULT_SETTINGS },
    }
    const parsed = stateFileSchema.safeParse(state)
    if (!parsed.success)
      throw new ProfileError('invalid', `The profile was not created: ${describeIssues(parsed.error)}.`)
    await writeAtomic(layout.state, toJson(parsed.data), PROFILE_FILES.state)
  }
  const keys = generateKeyPair()
  const identity = sealIdentity(
    {
      publicKey: bytesToHex(keys.publicKey),
      secretKey: bytesToHex(keys.secretKey),
      createdAt: new Date().toISOString(),
    },
    sealer,
  )
  await writeAtomic(layout.identity, toJson(identity), PROFILE_FILES.identity)
  await syncDir(layout.dir)
}
