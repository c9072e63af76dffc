/**
 * A running Coterie node on a profile: the engine serving and fetching every torrent the profile
 * holds, kept in step with the profile as other processes change it (CLI commands given while
 * `coterie run` or the desktop app is running), and answering the control channel.
 */
import { rm } from 'node:fs/promises'
import type { Server } from 'node:net'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { Engine, type EngineOptions, type SwarmMembership, type TorrentSummary } from '../../engine/engine.js'
import { discoveryTopic } from '../../protocol/topic.js'
import { decodeCertificate, issueCertificate } from '../../protocol/certificate.js'
import { identityKeyPair, swarmKeyPair, type Group, type Profile, type ProfileStore } from '../../profile/index.js'
import { certificateLifetimeS, renewalDue } from '../operations/groups.js'
import { serveControl } from './control.js'
import { DeliveryBook, type MemberDelivery } from './delivery.js'
import {
  applyIndex,
  indexContent,
  joinHeldShares,
  newlyListed,
  publish,
  readGroupIndex,
  renewMemberCertificates,
  sameContent,
  writeGroupIndex,
  type Applied,
  type SkippedShare,
} from '../operations/group-index.js'
import type { GroupIndex } from '../../protocol/group-index.js'
import { ensureRendezvous, rendezvousDir } from '../operations/rendezvous.js'
import { placeRendezvous, rendezvousRuns } from './rendezvous.js'
import { ResumeBook } from './resume-book.js'
import { conflicts, diskProblem, ensureGroupFolders, type Placed } from '../operations/placement.js'
import { safeLayoutOfInfo } from '../../protocol/file-names.js'
import { claimFiles, recordedFolder } from '../../profile/resume.js'
import { defaultDownloadDir } from '../operations/downloads.js'
import { friendAddressesFor } from '../operations/friends.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { FAILED_RETRY_MS, failureOf } from './torrent-failure.js'
import { NAME_REASONS } from '../../../../shared/ui/reason-text.js'

export interface NodeOptions extends EngineOptions {
  /** Extra peers to try for every torrent ("host:port"). */
  readonly peers?: readonly string[]
  /** Where torrents joined from a group index go when the group names no folder. */
  readonly downloadDir?: string
  /** Called after the engine caught up with a new revision of the profile (any process's change). */
  readonly onProfile?: (profile: Profile) => void
  /** A newer index lists shares this node did not fetch, because the group's auto-join is off. */
  readonly onListed?: (group: string, shares: readonly { infoHash: string; name: string }[]) => void
  /**
   * A newer index was followed without some of its shares (`skipped`, each with its §4.6 code), or
   * could not be followed at all (`failed`: the profile could not be written; tried again at the
   * next reload). Reported once per group, version and problem.
   */
  readonly onIndexProblem?: (group: string, problem: IndexProblem) => void
  /** A newer index no longer lists shares this node held: they stopped here, their files stay. */
  readonly onRetracted?: (group: string, shares: readonly { infoHash: string; name: string }[]) => void
  /** How often members' delivery is looked at (default DELIVERY_LOOK_MS). */
  readonly deliveryIntervalMs?: number
}

export type IndexProblem =
  | { readonly kind: 'skipped'; readonly version: number; readonly shares: readonly SkippedShare[] }
  | { readonly kind: 'failed'; readonly version: number; readonly message: string }

/** How often the peers are looked at for members' delivery: the group screen's figures lag by this. */
export const DELIVERY_LOOK_MS = 1_000
/** The delivery record is written at most this often while it changes (and at a clean stop). */
export const DELIVERY_SAVE_MS = 10_000

export interface TorrentStatus extends Omit<TorrentSummary, 'state'> {
  /** 'refused': the node will not write it (service/operations/placement.ts); `error` says why. */
  readonly state: TorrentSummary['state'] | 'refused' | 'error'
  readonly group: string
  readonly downloadDir: string
  /** The group's rendezvous torrent (PROTOCOL.md §12.5): where members meet, not a share. */
  readonly rendezvous?: true
  readonly error?: string
}

type GroupView = Pick<Group, 'swarmPublicKey' | 'certificate'>

export class CoterieNode {
  readonly #store: ProfileStore
  readonly #engine: Engine
  readonly #o: NodeOptions
  #control: Server | undefined
  #stopWatching: (() => void) | undefined
  #reloading: Promise<void> = Promise.resolve()
  #renewalTimer: NodeJS.Timeout | undefined
  #revision = -1
  /** Why a torrent of the profile is not running, by infohash (cleared when it starts). */
  readonly #errors = new Map<string, string>()
  /** The groups' rendezvous torrents running: infohash -> group id. */
  #rendezvous = new Map<string, string>()
  readonly #resumes: ResumeBook
  /** Torrents this node refuses to write, and the typed reason (placement.ts). */
  readonly #refused = new Map<string, ServiceError>()
  /** Torrents that failed while running, and why (torrent-failure.ts); started again by a reload. */
  readonly #failed = new Map<string, ServiceError>()
  #failedTimer: NodeJS.Timeout | undefined
  /** Info dictionaries read from the profile, by infohash: content-addressed, so never stale. */
  readonly #infos = new Map<string, Uint8Array>()
  /** The last index problem reported per group (swarm hex), so a retry does not repeat it. */
  readonly #indexProblems = new Map<string, string>()
  /** What each member holds of each group's items, and when it was last seen (delivery.ts). */
  readonly #delivery: DeliveryBook
  #deliveryTimer: NodeJS.Timeout | undefined
  #deliverySaved = 0

  private constructor(store: ProfileStore, engine: Engine, o: NodeOptions, delivery: DeliveryBook) {
    this.#store = store
    this.#engine = engine
    this.#o = o
    this.#resumes = new ResumeBook(store.layout, engine, (e) => void engine.emit('warning', e))
    this.#delivery = delivery
  }

  static async start(store: ProfileStore, o: NodeOptions = {}): Promise<CoterieNode> {
    const delivery = await DeliveryBook.load(store.layout)
    const engine = await Engine.start(o)
    const node = new CoterieNode(store, engine, o, delivery)
    engine.on('torrent-error', (infoHash: string, err: unknown) => node.#onFailed(infoHash, err))
    // Before the first reload: peers found while it adds the torrents may send an index at once.
    engine.index.on('index', (i: GroupIndex) => node.#followIndex(i))
    try {
      node.#control = await serveControl(store.dir, async (method, req) => {
        if (method === 'reload') await node.reload()
        if (method === 'retry') return node.retry(req.infoHash)
        if (method === 'members') return node.delivery()
        return method === 'status' ? node.status() : { port: engine.port, reachability: engine.reachability }
      })
      await node.reload()
    } catch (e) {
      await node.stop()
      throw e
    }
    node.#stopWatching = store.watch(() => void node.reload())
    node.#deliveryTimer = setInterval(() => node.#lookAtDelivery(), o.deliveryIntervalMs ?? DELIVERY_LOOK_MS)
    node.#deliveryTimer.unref()
    return node
  }

  /**
   * Each group's members and what they hold (runtime/delivery.ts), as of now: group id -> member
   * key (hex) -> figures. The members are this node, those the profile lists, and any other it saw.
   */
  delivery(): Record<string, Record<string, MemberDelivery>> {
    const profile = this.#store.current
    this.#delivery.update(profile, this.#engine.summary(), (ih) => this.#rendezvous.get(ih))
    const out: Record<string, Record<string, MemberDelivery>> = {}
    for (const g of profile.groups) {
      const keys = new Set([profile.identity.publicKey, ...g.members, ...this.#delivery.known(g.id)])
      out[g.id] = Object.fromEntries([...keys].map((k) => [k, this.#delivery.of(profile, g.id, k)]))
    }
    return out
  }

  /** One member's figures in a group, as of the last look at the peers. */
  memberDelivery(groupId: string, member: string): MemberDelivery {
    return this.#delivery.of(this.#store.current, groupId, member)
  }

  // Looks at the peers; writes the record at most every DELIVERY_SAVE_MS when something changed.
  #lookAtDelivery(): void {
    this.#delivery.update(this.#store.current, this.#engine.summary(), (ih) => this.#rendezvous.get(ih))
    if (!this.#delivery.dirty || Date.now() - this.#deliverySaved < DELIVERY_SAVE_MS) return
    this.#deliverySaved = Date.now()
    this.#delivery.save(this.#store.layout).catch((e: unknown) => void this.#engine.emit('warning', e))
  }

  // A running torrent failed (torrent-failure.ts): said, shown, and started again in a while.
  #onFailed(infoHash: string, err: unknown): void {
    const why = failureOf(err)
    this.#failed.set(infoHash, why)
    this.#errors.set(infoHash, why.message)
    const name = this.#store.current.torrents.find((t) => t.infoHash === infoHash)?.name ?? infoHash
    this.#engine.emit('warning', new Error(`${name}: ${why.message}`))
    if (this.#failedTimer !== undefined) return
    this.#failedTimer = setTimeout(() => {
      this.#failedTimer = undefined
      void this.#restartFailed()
    }, FAILED_RETRY_MS)
    this.#failedTimer.unref()
  }

  // A reload that adds the failed torrents again even though the profile did not change.
  #restartFailed(): Promise<void> {
    this.#revision = -1
    return this.reload()
  }

  get engine(): Engine {
    return this.#engine
  }

  get port(): number {
    return this.#engine.port
  }

  /** Brings the engine in line with the profile on disk; serialized, so reloads never overlap. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reconcile()).catch(() => {})
    return this.#reloading
  }

  status(): TorrentStatus[] {
    const profile = this.#store.current
    const refused = profile.torrents.flatMap((t): TorrentStatus[] => {
      const why = this.#refused.get(t.infoHash) ?? this.#failed.get(t.infoHash)
      if (why === undefined || this.#engine.has(t.infoHash)) return []
      const group = profile.groups.find((g) => g.id === t.groupId)
      return [
        {
          infoHash: t.infoHash,
          name: t.name,
          state: this.#refused.has(t.infoHash) ? 'refused' : 'error',
          progress: 0,
          length: 0,
          pieces: 0,
          downloaded: 0,
          uploaded: 0,
          downloadSpeed: 0,
          uploadSpeed: 0,
          peers: [],
          group: group?.name ?? '',
          downloadDir: t.downloadDir,
          error: why.message,
        },
      ]
    })
    const live = this.#engine.summary().map((s): TorrentStatus => {
      const entry = profile.torrents.find((t) => t.infoHash === s.infoHash)
      const rendezvous = this.#rendezvous.get(s.infoHash)
      const group = profile.groups.find((g) => g.id === (entry?.groupId ?? rendezvous))
      return {
        ...s,
        group: group?.name ?? '',
        downloadDir: entry?.downloadDir ?? '',
        ...(rendezvous !== undefined && { rendezvous: true as const }),
      }
    })
    return [...live, ...refused]
  }

  /** Why the node refuses to write a torrent of the profile, if it does (a typed ServiceError). */
  refusal(infoHash: string): ServiceError | undefined {
    return this.#refused.get(infoHash)
  }

  /**
   * Member: joins the shares of the group's index this profile lacks (all, or the one named),
   * where auto-join would have put them, and starts them now. Returns the infohashes joined.
   */
  async joinShares(groupRef: string, only?: string): Promise<string[]> {
    const joined = await joinHeldShares(this.#store, groupRef, {
      defaultDownloadDir: this.#o.downloadDir,
      ...(only !== undefined && { only }),
    })
    await this.reload()
    return joined
  }

  /**
   * "Retry now" (issue 14): a stalled download's known member addresses are dialled at once and it
   * is announced again on every source, instead of waiting for the backoff and the next interval.
   * One torrent, or every download of the profile that is not paused or done (and the groups'
   * rendezvous, where members meet). Returns how many torrents and addresses that was.
   */
  retry(infoHash?: string): { torrents: number; dialled: number } {
    const profile = this.#store.current
    // A torrent that failed (a full disk, a folder gone) is started again: the reload adds it.
    const failed = [...this.#failed.keys()].filter((ih) => infoHash === undefined || ih === infoHash)
    if (failed.length > 0) void this.#restartFailed()
    if (infoHash !== undefined && failed.length > 0) return { torrents: 1, dialled: 0 }
    if (infoHash !== undefined && !this.#engine.has(infoHash)) throw new ServiceError('unknown-torrent', infoHash)
    const targets =
      infoHash !== undefined
        ? [infoHash]
        : this.#engine
            .summary()
            .filter((s) => s.state !== 'seeding' && s.state !== 'paused')
            .map((s) => s.infoHash)
            .filter((ih) => profile.torrents.find((t) => t.infoHash === ih)?.paused !== true)
    const rendezvous = infoHash === undefined ? [...this.#rendezvous.keys()].filter((ih) => this.#engine.has(ih)) : []
    let dialled = 0
    for (const ih of new Set([...targets, ...rendezvous])) dialled += this.#engine.retry(ih)
    return { torrents: targets.length + failed.length, dialled }
  }

  /** Torrents of the profile the engine could not start, and why. */
  errors(): ReadonlyMap<string, string> {
    return this.#errors
  }

  async stop(): Promise<void> {
    this.#stopWatching?.()
    clearTimeout(this.#failedTimer)
    clearTimeout(this.#renewalTimer)
    await new Promise<void>((resolve) => (this.#control ? this.#control.close(() => resolve()) : resolve()))
    clearInterval(this.#deliveryTimer)
    // Who is connected until now, and what they hold: what the next start shows until they are back.
    this.#delivery.update(this.#store.current, this.#engine.summary(), (ih) => this.#rendezvous.get(ih))
    await this.#delivery.save(this.#store.layout).catch((e: unknown) => void this.#engine.emit('warning', e))
    const record = this.#resumes.capture()
    await this.#engine.close()
    await record()
  }

  async #reconcile(): Promise<void> {
    const base = this.#o.downloadDir ?? this.#store.current.settings.downloadDir ?? defaultDownloadDir()
    for (const change of await ensureGroupFolders(this.#store, base))
      this.#engine.emit('warning', new Error(`profile updated: ${change}`))
    await this.#renewOwnCertificates()
    await this.#syncIndexes()
    this.#scheduleRenewals()
    const profile = await this.#store.read()
    if (profile.revision === this.#revision) return
    this.#revision = profile.revision
    this.#applySettings(profile)
    // Each group's rendezvous runs beside its shares, like one of them (PROTOCOL.md §12.5).
    const rendezvous = rendezvousRuns(profile, this.#store.dir)
    const before = this.#rendezvous
    this.#rendezvous = new Map(rendezvous.map((r) => [r.infoHash, r.groupId]))
    const runs = [
      ...profile.torrents.map((t) => ({ ...t, resumable: true, info: () => this.#store.readTorrentInfo(t.infoHash) })),
      ...rendezvous.map((r) => ({
        ...r,
        paused: false,
        resumable: false,
        info: () => placeRendezvous(r).then(() => r.info),
      })),
    ]
    const wanted = new Set(runs.map((t) => t.infoHash))
    for (const s of this.#engine.summary()) {
      if (wanted.has(s.infoHash)) continue
      this.#resumes.forget(s.infoHash)
      await this.#engine.remove(s.infoHash)
    }
    // A group left or deleted (service/operations/remove-group.ts): its index is neither held nor relayed,
    // and the rendezvous folder this node may have rewritten meanwhile goes too.
    for (const swarm of this.#engine.index.groups())
      if (!profile.groups.some((g) => g.swarmPublicKey === swarm)) this.#engine.index.forget(hexToBytes(swarm))
    for (const ih of before.keys())
      if (!this.#rendezvous.has(ih))
        await rm(rendezvousDir(this.#store.dir, ih), { recursive: true, force: true }).catch(() => {})
    for (const ih of this.#errors.keys()) if (!wanted.has(ih)) this.#errors.delete(ih)
    for (const ih of this.#failed.keys()) if (!wanted.has(ih)) this.#failed.delete(ih)
    const refused = await this.#placements(profile)
    this.#refused.clear()
    for (const t of runs) {
      const group = profile.groups.find((g) => g.id === t.groupId)
      if (group === undefined) continue
      const m = membership(profile, group)
      // The discovery secret may have rotated (a removal): running torrents move to the new topic.
      const topic = discoveryTopic(hexToBytes(group.groupSecret), hexToBytes(t.infoHash))
      // Friends' static addresses (friend set-address) are tried for every group they are in.
      const friendAddresses = friendAddressesFor(profile, group.members)
      // One torrent that cannot start (a damaged info file, a folder gone) must not stop the others.
      try {
        if (this.#engine.has(t.infoHash)) {
          this.#engine.setMembership(t.infoHash, m)
          this.#engine.watchTopic(t.infoHash, topic, group.trackers ?? [], group.ice ?? [])
          this.#engine.addStaticPeers(t.infoHash, friendAddresses)
        } else {
          const info = await t.info()
          const why = t.resumable ? await this.#mayStart(t, info, group.owner, refused) : undefined
          if (why !== undefined) {
            this.#refused.set(t.infoHash, why)
            this.#errors.set(t.infoHash, why.message)
            continue
          }
          // Shares and downloads start from their resume record; the rendezvous is rewritten at each start.
          const bitfield = t.resumable ? await this.#resumes.bitfieldFor(t.infoHash, t.downloadDir, info) : undefined
          await this.#engine.add(info, t.downloadDir, m, {
            // A share reads the user's own files: it never fetches, so it never writes over them.
            readOnly: t.resumable && group.owner,
            topic,
            peers: [...group.peers, ...friendAddresses, ...(this.#o.peers ?? [])],
            announcePublic: group.announcePublic,
            trackers: group.trackers ?? [],
            ice: group.ice ?? [],
            ...(bitfield !== undefined && { bitfield }),
          })
          if (t.resumable) this.#resumes.watch(t.infoHash)
        }
        if (t.paused) this.#engine.pause(t.infoHash)
        else this.#engine.resume(t.infoHash)
        this.#errors.delete(t.infoHash)
        this.#failed.delete(t.infoHash)
      } catch (e) {
        this.#errors.set(t.infoHash, e instanceof Error ? e.message : String(e))
      }
    }
    this.#o.onProfile?.(profile)
  }

  // Which torrents of the profile must not write (placement.ts), from their names and paths alone.
  async #placements(profile: Profile): Promise<Map<string, ServiceError>> {
    const placed: Placed[] = []
    for (const t of profile.torrents) {
      let info = this.#infos.get(t.infoHash)
      if (info === undefined) {
        info = await this.#store.readTorrentInfo(t.infoHash).catch(() => undefined)
        if (info === undefined) continue // reported when the torrent is started
        this.#infos.set(t.infoHash, info)
      }
      placed.push({ entry: t, info, share: profile.groups.find((g) => g.id === t.groupId)?.owner === true })
    }
    return conflicts(placed, this.#store.dir)
  }

  // The disk's part of placement, for a download about to start: the profile folder behind links,
  // a file already there that the torrent did not create; then it claims its paths before writing.
  async #mayStart(
    t: { infoHash: string; downloadDir: string },
    info: Uint8Array,
    share: boolean,
    refused: ReadonlyMap<string, ServiceError>,
  ): Promise<ServiceError | undefined> {
    const early = refused.get(t.infoHash)
    if (early !== undefined || share) return early
    const layout = safeLayoutOfInfo(info)
    if (!layout.ok) return undefined // conflicts() refused it already
    const claimed = (await recordedFolder(this.#store.layout, t.infoHash)) === t.downloadDir
    const problem = await diskProblem(t.downloadDir, layout.value, this.#store.dir, claimed)
    if (problem === undefined && !claimed) await claimFiles(this.#store.layout, t.infoHash, t.downloadDir, layout.value)
    return problem
  }

  // Options given to this process (`coterie run --upload-limit`) win over the profile's settings.
  #applySettings(profile: Profile): void {
    const s = profile.settings
    this.#engine.setLimits({
      upload: this.#o.uploadLimit ?? s.uploadLimit ?? undefined,
      download: this.#o.downloadLimit ?? s.downloadLimit ?? undefined,
    })
    this.#engine.setUploadsPaused(s.seedingPaused)
    for (const g of profile.groups)
      this.#engine.setGroupLimits(hexToBytes(g.swarmPublicKey), { upload: g.uploadLimit, download: g.downloadLimit })
  }

  // Every group's index into the engine (the newest of the file and what it holds); the owner
  // publishes a new version when the group changed, and renews members' certificates through it.
  async #syncIndexes(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    for (const g of this.#store.current.groups) {
      const swarm = hexToBytes(g.swarmPublicKey)
      const file = await readGroupIndex(this.#store, g.swarmPublicKey)
      if (file !== undefined) this.#engine.index.set(swarm, file.bytes)
      // Held but not followed (the profile could not be written then): try again, after this reload.
      if (!g.owner && file !== undefined && file.version > (g.indexVersion ?? 0)) this.#followIndex(file)
      if (!g.owner) continue
      await this.#store.update((draft) => {
        const dg = draft.groups.find((x) => x.id === g.id)
        if (dg !== undefined) renewMemberCertificates(dg, now)
        if (dg !== undefined) ensureRendezvous(dg) // a group made before rendezvous existed
      })
      const profile = this.#store.current
      const group = profile.groups.find((x) => x.id === g.id)!
      const held = this.#engine.index.get(swarm)
      const content = await indexContent(
        this.#store,
        profile,
        group,
        profile.identity.publicKey,
        (held?.version ?? 0) + 1,
        now,
      )
      if (held !== undefined && sameContent(content, held)) continue
      const index = publish(group, content)
      await writeGroupIndex(this.#store, index)
      this.#engine.index.set(swarm, index.bytes)
      await this.#store.update((draft) => {
        const dg = draft.groups.find((x) => x.id === g.id)
        if (dg !== undefined) dg.indexVersion = index.version
      })
    }
  }

  // Serialized with reloads: one index at a time, never while the engine is being reconciled.
  #followIndex(index: GroupIndex): void {
    this.#reloading = this.#reloading
      .then(() => this.#onIndex(index))
      .catch((e: unknown) => void this.#engine.emit('warning', e))
  }

  // Said once per group, version and problem: a retry at each reload would otherwise repeat it.
  #reportIndexProblem(swarmHex: string, group: string, problem: IndexProblem): void {
    const key = JSON.stringify(problem)
    if (this.#indexProblems.get(swarmHex) === key) return
    this.#indexProblems.set(swarmHex, key)
    const what =
      problem.kind === 'failed'
        ? `could not follow its index version ${problem.version}: ${problem.message}`
        : `index version ${problem.version} followed without ${problem.shares.map((x) => `"${x.name}" (${NAME_REASONS[x.code]})`).join(', ')}`
    this.#engine.emit('warning', new Error(`group "${group}": ${what}`))
    this.#o.onIndexProblem?.(group, problem)
  }

  // A member's node got a newer index from a peer: keep it, and follow it. What the owner sent
  // cannot cost the member anything held: a share it cannot take is skipped (and said), the
  // rest is followed; a profile that cannot be written leaves the index held and tried again.
  async #onIndex(index: GroupIndex): Promise<void> {
    const swarmHex = Buffer.from(index.swarm).toString('hex')
    const g = this.#store.current.groups.find((x) => x.swarmPublicKey === swarmHex)
    if (g === undefined || g.owner || (g.indexVersion ?? 0) >= index.version) return
    let applied: Applied | undefined
    let before: GroupIndex | undefined
    try {
      // The index held until now: what it listed and this one does not, the owner took out.
      before = await readGroupIndex(this.#store, swarmHex)
      await writeGroupIndex(this.#store, index)
      const r = await this.#store.update((draft, ctx) => {
        const dg = draft.groups.find((x) => x.id === g.id)
        if (dg === undefined || (dg.indexVersion ?? 0) >= index.version) return undefined
        return applyIndex(
          draft,
          dg,
          index,
          {
            putTorrentInfo: ctx.putTorrentInfo,
            selfKey: ctx.identity.publicKey,
            defaultDownloadDir: this.#o.downloadDir ?? draft.settings.downloadDir ?? defaultDownloadDir(),
          },
          before,
        )
      })
      applied = r.result
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      this.#reportIndexProblem(swarmHex, g.name, { kind: 'failed', version: index.version, message })
      return
    }
    if (applied !== undefined && applied.skipped.length > 0)
      this.#reportIndexProblem(swarmHex, g.name, { kind: 'skipped', version: index.version, shares: applied.skipped })
    // Left meanwhile (service/operations/remove-group.ts): the file just written belongs to no group.
    if (!this.#store.current.groups.some((x) => x.swarmPublicKey === swarmHex))
      await rm(this.#store.layout.groupIndex(swarmHex), { force: true })
    await this.#reconcile() // our own write: the profile watch reports only other processes'
    if (applied !== undefined && applied.retracted.length > 0) this.#o.onRetracted?.(g.name, applied.retracted)
    if (g.autoJoin === false) {
      const held = new Set(this.#store.current.torrents.map((t) => t.infoHash))
      const listed = newlyListed(g, before, index, (ih) => held.has(ih))
      if (listed.length > 0) this.#o.onListed?.(g.name, listed)
    }
  }

  // Renewals are due with time, not with a profile change: look again at a quarter of the shortest
  // certificate lifetime among the groups we own (at most a minute apart, at least a second).
  #scheduleRenewals(): void {
    const owned = this.#store.current.groups.filter((g) => g.owner)
    clearTimeout(this.#renewalTimer)
    if (owned.length === 0) return
    const ms = Math.min(60_000, Math.max(1_000, (Math.min(...owned.map(certificateLifetimeS)) * 1000) / 4))
    this.#renewalTimer = setTimeout(() => void this.reload(), ms)
    this.#renewalTimer.unref()
  }

  // The owner certifies itself like any member; it holds the key, so it renews its own.
  async #renewOwnCertificates(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const self = this.#store.current.identity.publicKey
    // A restored identity (ProfileStore.replaceIdentity) makes the old certificates someone else's.
    const due = (g: Pick<Group, 'owner' | 'certificate' | 'certificateLifetimeS'>) =>
      g.owner && (renewalDue(g.certificate, certificateLifetimeS(g), now) || !certifies(g.certificate, self))
    if (!this.#store.current.groups.some(due)) return
    await this.#store.update((draft, ctx) => {
      for (const g of draft.groups.filter(due)) {
        const swarm = swarmKeyPair(g)!
        const cert = issueCertificate(swarm, {
          member: hexToBytes(ctx.identity.publicKey),
          iat: now - 60,
          exp: now + certificateLifetimeS(g),
        })
        g.certificate = Buffer.from(cert).toString('hex')
      }
    })
  }
}

/** Whether a certificate (hex) names `member` (hex). */
function certifies(certHex: string | undefined, member: string): boolean {
  const c = certHex === undefined ? undefined : decodeCertificate(hexToBytes(certHex))
  return c?.ok === true && bytesToHex(c.value.member) === member
}

function membership(profile: Profile, group: GroupView): SwarmMembership {
  const swarm = hexToBytes(group.swarmPublicKey)
  if (group.certificate === undefined) return { swarm }
  return {
    swarm,
    credential: { certificate: hexToBytes(group.certificate), secretKey: identityKeyPair(profile.identity).secretKey },
  }
}
