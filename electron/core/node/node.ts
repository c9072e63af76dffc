/**
 * A running Coterie node on a profile: the engine serving and fetching every torrent the profile
 * holds, kept in step with the profile as other processes change it (CLI commands given while
 * `coterie run` or the desktop app is running), and answering the control channel.
 */
import type { Server } from 'node:net'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { Engine, type EngineOptions, type SwarmMembership, type TorrentSummary } from '../engine/engine.js'
import { discoveryTopic } from '../protocol/topic.js'
import { issueCertificate, decodeCertificate } from '../protocol/certificate.js'
import { identityKeyPair, swarmKeyPair, type Group, type Profile, type ProfileStore } from '../profile/index.js'
import { DEFAULT_CERTIFICATE_DAYS } from '../services/groups.js'
import { serveControl } from './control.js'

export interface NodeOptions extends EngineOptions {
  /** Extra peers to try for every torrent ("host:port"). */
  readonly peers?: readonly string[]
  /** Called after the engine caught up with a new revision of the profile (any process's change). */
  readonly onProfile?: (profile: Profile) => void
}

export interface TorrentStatus extends TorrentSummary {
  readonly group: string
  readonly downloadDir: string
}

const DAY_S = 86_400
type GroupView = Pick<Group, 'swarmPublicKey' | 'certificate'>

export class CoterieNode {
  readonly #store: ProfileStore
  readonly #engine: Engine
  readonly #o: NodeOptions
  #control: Server | undefined
  #stopWatching: (() => void) | undefined
  #reloading: Promise<void> = Promise.resolve()
  #revision = -1
  /** Why a torrent of the profile is not running, by infohash (cleared when it starts). */
  readonly #errors = new Map<string, string>()

  private constructor(store: ProfileStore, engine: Engine, o: NodeOptions) {
    this.#store = store
    this.#engine = engine
    this.#o = o
  }

  static async start(store: ProfileStore, o: NodeOptions = {}): Promise<CoterieNode> {
    const engine = await Engine.start(o)
    const node = new CoterieNode(store, engine, o)
    try {
      node.#control = await serveControl(store.dir, async (method) => {
        if (method === 'reload') await node.reload()
        return method === 'status' ? node.status() : { port: engine.port }
      })
      await node.reload()
    } catch (e) {
      await node.stop()
      throw e
    }
    node.#stopWatching = store.watch(() => void node.reload())
    return node
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
    return this.#engine.summary().map((s) => {
      const entry = profile.torrents.find((t) => t.infoHash === s.infoHash)
      const group = profile.groups.find((g) => g.id === entry?.groupId)
      return { ...s, group: group?.name ?? '', downloadDir: entry?.downloadDir ?? '' }
    })
  }

  /** Torrents of the profile the engine could not start, and why. */
  errors(): ReadonlyMap<string, string> {
    return this.#errors
  }

  async stop(): Promise<void> {
    this.#stopWatching?.()
    await new Promise<void>((resolve) => (this.#control ? this.#control.close(() => resolve()) : resolve()))
    await this.#engine.close()
  }

  async #reconcile(): Promise<void> {
    await this.#renewOwnCertificates()
    const profile = await this.#store.read()
    if (profile.revision === this.#revision) return
    this.#revision = profile.revision
    this.#applySettings(profile)
    const wanted = new Set(profile.torrents.map((t) => t.infoHash))
    for (const s of this.#engine.summary()) if (!wanted.has(s.infoHash)) await this.#engine.remove(s.infoHash)
    for (const ih of this.#errors.keys()) if (!wanted.has(ih)) this.#errors.delete(ih)
    for (const t of profile.torrents) {
      const group = profile.groups.find((g) => g.id === t.groupId)
      if (group === undefined) continue
      const m = membership(profile, group)
      // One torrent that cannot start (a damaged info file, a folder gone) must not stop the others.
      try {
        if (this.#engine.has(t.infoHash)) {
          this.#engine.setMembership(t.infoHash, m)
        } else {
          const info = await this.#store.readTorrentInfo(t.infoHash)
          const topic = discoveryTopic(hexToBytes(group.groupSecret), hexToBytes(t.infoHash))
          await this.#engine.add(info, t.downloadDir, m, { topic, peers: [...group.peers, ...(this.#o.peers ?? [])], announcePublic: group.announcePublic })
        }
        if (t.paused) this.#engine.pause(t.infoHash)
        else this.#engine.resume(t.infoHash)
        this.#errors.delete(t.infoHash)
      } catch (e) {
        this.#errors.set(t.infoHash, e instanceof Error ? e.message : String(e))
      }
    }
    this.#o.onProfile?.(profile)
  }

  // Options given to this process (`coterie run --upload-limit`) win over the profile's settings.
  #applySettings(profile: Profile): void {
    const s = profile.settings
    this.#engine.setLimits({ upload: this.#o.uploadLimit ?? s.uploadLimit ?? undefined, download: this.#o.downloadLimit ?? s.downloadLimit ?? undefined })
    this.#engine.setUploadsPaused(s.seedingPaused)
  }

  // The owner certifies itself like any member; it holds the key, so it renews its own.
  async #renewOwnCertificates(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    const self = this.#store.current.identity.publicKey
    const due = (g: Pick<Group, 'owner' | 'certificate'>) => {
      if (!g.owner) return false
      const c = g.certificate === undefined ? undefined : decodeCertificate(hexToBytes(g.certificate))
      // A restored identity (ProfileStore.replaceIdentity) makes the old certificates someone else's.
      return c === undefined || !c.ok || c.value.exp - now < (DEFAULT_CERTIFICATE_DAYS * DAY_S) / 2 || bytesToHex(c.value.member) !== self
    }
    if (!this.#store.current.groups.some(due)) return
    await this.#store.update((draft, ctx) => {
      for (const g of draft.groups.filter(due)) {
        const swarm = swarmKeyPair(g)!
        const cert = issueCertificate(swarm, { member: hexToBytes(ctx.identity.publicKey), iat: now - 60, exp: now + DEFAULT_CERTIFICATE_DAYS * DAY_S })
        g.certificate = Buffer.from(cert).toString('hex')
      }
    })
  }
}

function membership(profile: Profile, group: GroupView): SwarmMembership {
  const swarm = hexToBytes(group.swarmPublicKey)
  if (group.certificate === undefined) return { swarm }
  return { swarm, credential: { certificate: hexToBytes(group.certificate), secretKey: identityKeyPair(profile.identity).secretKey } }
}
