/**
 * The closed-swarm engine: a WebTorrent client in which every torrent carries a swarm key and
 * every wire runs the Coterie handshake behind the authorization gate. The only importer of
 * 'webtorrent'. No Electron: the CLI, the tests, a seedbox and the desktop app all run this.
 */
import { EventEmitter } from 'node:events'
import WebTorrent, { type Torrent } from 'webtorrent'
import type Wire from 'bittorrent-protocol'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { dirname } from 'node:path'
import type { Server } from 'node:net'
import { concatBytes, equalBytes, utf8 } from '../protocol/bytes.js'
import type { Credential } from '../protocol/handshake.js'
import { decodeInfo, infoHashOf, layoutOfInfo, plainTorrent, swarmKeyOfInfo } from '../protocol/torrent-info.js'
import { stampFiles, watchChanges, type ChangeWatch } from './changed-files.js'
import { watchPresence } from './vanished-files.js'
import { installNativePrimitives } from '../platform/native-primitives.js'
import type { CoterieExtension } from '../gate/extension.js'
import { installGate } from '../gate/install.js'
import { rechokeAuthorizedOnly, type Gate } from '../gate/upload-gate.js'
import { ConnectionBudget, CoolDown, UNPROVEN_BUDGET } from './connection-budget.js'
import { refuseAtAccept, type AcceptGuard } from './refuse-at-accept.js'
import { createClosedTorrent } from './create.js'
import { TopicDiscovery } from './discovery.js'
import { IndexBook } from './index-exchange.js'
import { isRevoked as isRevokedIn, type GroupIndex } from '../protocol/group-index.js'
import { listenAddress, MemberExchange, type PexReport } from './member-exchange.js'
import { dropDuplicate } from './duplicates.js'
import { redialRefusedAsExpired } from './redial.js'
import { KnownAddresses } from './known-addresses.js'
import { LocalDiscovery } from './local-discovery.js'
import { TorrentDiscovery } from './torrent-discovery.js'
import type { FoundPeer } from './tracker-discovery.js'
import { RtcGlare, type ArrivingPeer } from './webrtc-glare.js'
import { summarizePeer, type PeerSummary } from './peers.js'
import { peerPath, type PeerPath } from './peer-path.js'
import { formatAddress } from '../protocol/address.js'
import { GroupLimits, limitWire, type LimitedWire, type Limits } from './group-limits.js'
import { budgetWire, type SendBudget } from './send-budget.js'
import { boundPiecesInFlight, PieceBudget } from './pieces-in-flight.js'
import { PortMapper, reachabilityOf, type Reachability } from './port-mapping.js'

export interface EngineOptions {
  /** TCP (and uTP) listening port; 0 picks a free one. */
  readonly port?: number
  /** uTP is tried first when on, and is ~4x slower than TCP on loopback here: off by default. */
  readonly utp?: boolean
  /** The mainline DHT for private topics; off when absent or false (tests pass a loopback bootstrap). */
  readonly dht?: false | { readonly bootstrap: readonly string[] }
  /** How long an unauthorized peer that has nothing we need may stay connected. */
  readonly idlePeerMs?: number
  /**
   * Local service discovery (BEP 14) under private topics; off when absent, so tests never
   * multicast on a real interface. `coterie run` turns it on unless --no-lsd.
   */
  readonly lsd?: boolean
  /** Announce to the trackers a torrent's group lists (under its topic); on unless false (--no-tracker). */
  readonly trackers?: boolean
  /**
   * Ask the local gateway to forward the listening port (NAT-PMP, then UPnP IGD; issue 14), and
   * announce the port it granted. Off unless true: `coterie run` turns it on unless --no-port-mapping.
   */
  readonly portMapping?: boolean
  /**
   * ICE servers of the user's own (`coterie run --ice`; stun:, turn:, turns: URLs, protocol/ice.ts),
   * used beside each torrent's group's for WebRTC connections through WebSocket trackers.
   */
  readonly ice?: readonly string[]
  /** Bytes per second, for all torrents; unlimited when absent. */
  readonly uploadLimit?: number | undefined
  readonly downloadLimit?: number | undefined
  /**
   * BitTorrent's obfuscation handshake (MSE/PE, webtorrent's default, plaintext selected after it):
   * on by default so clients that insist on it still connect. It protects nothing after the
   * handshake; sealed transfers do (PROTOCOL.md §5.6). Tests that inspect frames turn it off.
   */
  readonly obfuscate?: boolean
  /**
   * Benchmarks only: no sealed transfers (PROTOCOL.md §5.6), to measure what sealing costs. Such a
   * node cannot exchange blocks with one that seals, and a relay could read them.
   */
  readonly unsealed?: boolean
  /**
   * Offer the TLS switch to members (PROTOCOL.md §5.6.2): unless given, on TCP wires when
   * TLS_SWITCH_ENABLED; true offers it on uTP too. Tests and benchmarks turn it off to exercise or
   * measure the sealed records it replaces.
   */
  readonly tls?: boolean | undefined
  /**
   * Bytes each connection may have read from disk and not yet sent (engine/send-budget.ts);
   * SEND_BUDGET_BYTES unless given. Benchmarks compare sizes.
   */
  readonly sendBudget?: number | undefined
  /** Whole pieces webtorrent keeps in memory per torrent (STORE_CACHE_SLOTS unless given). Benchmarks compare. */
  readonly storeCacheSlots?: number | undefined
  /**
   * Bytes of started, unwritten pieces a downloading torrent may hold (engine/pieces-in-flight.ts);
   * PIECE_BYTES_IN_FLIGHT unless given. Benchmarks compare sizes.
   */
  readonly piecesInFlight?: number | undefined
}

/** What the engine needs to know about a torrent's group. */
export interface AddOptions {
  /** Just hashed by us: skip verifying the files on disk. */
  readonly skipVerify?: boolean
  /**
   * The pieces this node last knew it held on disk (profile/resume.ts): webtorrent trusts them and
   * hashes one piece of each file to check, instead of every piece. Ignored with skipVerify, or
   * when its length does not fit the torrent.
   */
  readonly bitfield?: Uint8Array
  /** Private DHT topic of this torrent (protocol/topic.ts); needs the DHT. */
  readonly topic?: Uint8Array
  /** "host:port" to try at once (bootstrap peers from an invite, --peer). */
  readonly peers?: readonly string[]
  /** Also announce the plain infohash (DHT, LSD, trackers) and use ut_pex: public groups only. */
  readonly announcePublic?: boolean
  /** The group's tracker URLs, announced to under the topic (and the infohash if public). */
  readonly trackers?: readonly string[]
  /** The group's ICE servers, for WebRTC connections made through its WebSocket trackers. */
  readonly ice?: readonly string[]
  /**
   * Never fetch nor write anything (an owner's share: the files are the user's own). What does not
   * verify on disk is then simply not served.
   */
  readonly readOnly?: boolean
}

export interface SwarmMembership {
  readonly swarm: Uint8Array
  /** Our certificate and identity secret; absent for a node that only seeds to members. */
  readonly credential?: Credential
}

export interface TorrentSummary {
  readonly infoHash: string
  readonly name: string
  readonly state: 'checking' | 'downloading' | 'seeding' | 'paused' | 'metadata'
  readonly progress: number
  readonly length: number
  /** How many pieces it has (0 before its metadata): what each peer's `pieces` is out of. */
  readonly pieces: number
  readonly downloaded: number
  readonly uploaded: number
  readonly downloadSpeed: number
  readonly uploadSpeed: number
  readonly peers: readonly PeerSummary[]
}

/** Emitted as 'pex' for every pex a member sent us, used or ignored (diagnostics and tests). */
export type { PexReport }

/** Emitted as 'peer' whenever a peer's authorization changes. */
export interface PeerEvent {
  readonly infoHash: string
  readonly peer: PeerSummary
}

export interface SeededTorrent {
  readonly infoHash: string
  /** The raw info dictionary: what invites carry and what the infohash is the SHA-1 of. */
  readonly info: Uint8Array
}

const PEER_ID_PREFIX = '-CO0100-' // Azureus style: peers see "Coterie 0.1"
/** webtorrent's own cap per torrent (55); incoming connections not yet proved get UNPROVEN_BUDGET more. */
const MEMBER_CONNS = 55
const DEFAULT_IDLE_PEER_MS = 60_000
const SWEEP_MS = 5_000
/**
 * Whole pieces webtorrent's cache-chunk-store keeps per torrent (its default is 20): a piece is up
 * to 4 MiB for a 4 GiB file (create-torrent aims at about 1024 pieces), so the default cache alone
 * held up to 80 MiB per torrent, read whole to serve one 16 KiB block. Without it each block is
 * read on its own from the page cache (docs/ENGINE.md §5).
 */
export const STORE_CACHE_SLOTS = 0

interface WireRecord {
  readonly ext: CoterieExtension
  readonly gate: Gate
  readonly budget: SendBudget
  readonly since: number
}

export class Engine extends EventEmitter {
  readonly #client: WebTorrent
  readonly #membership = new Map<string, SwarmMembership>()
  readonly #wires = new WeakMap<Wire, WireRecord>()
  readonly #idlePeerMs: number
  readonly #sweeper: NodeJS.Timeout
  readonly #discovery: TopicDiscovery | undefined
  readonly #ownHellos = new Set<string>()
  /** Addresses refused for a while, at accept (engine/connection-budget.ts). */
  readonly #cooling = new CoolDown()
  /** Refused TCP connections turned away (and a few held open) before a socket exists (refuse-at-accept.ts). */
  #acceptGuard: AcceptGuard | undefined
  readonly #lsd: LocalDiscovery | undefined
  readonly #useTrackers: boolean
  readonly #ownIce: readonly string[]
  readonly #unsealed: boolean | undefined
  readonly #tls: boolean | undefined
  readonly #sendBudget: number | undefined
  readonly #storeCacheSlots: number
  /** The bound on the pieces all torrents download at once (pieces-in-flight.ts). */
  readonly #pieceBudget: PieceBudget
  /** Where each torrent is announced: its topic can change (a rotated discovery secret). */
  readonly #announced = new Map<string, TorrentDiscovery>()
  /** The newest group index of each group, passed between members (PROTOCOL.md §13.1). */
  readonly index = new IndexBook()
  #uploadsPaused = false
  /** Per-group speed limits, by swarm key: on top of the global ones, on every wire of the group's torrents. */
  readonly #groupLimits = new GroupLimits()
  #mapper: PortMapper | undefined
  /** Each torrent's watch on its files changing under it (changed-files.ts). */
  readonly #changes = new Map<string, ChangeWatch>()
  /** Each torrent's known member addresses, redialled with backoff while it lacks them (issue 14). */
  readonly #known = new Map<string, KnownAddresses>()

  private constructor(client: WebTorrent, o: EngineOptions) {
    super()
    this.#client = client
    const warn = (e: Error) => this.emit('warning', e)
    this.#lsd = o.lsd === true ? new LocalDiscovery({ port: () => client.torrentPort, onWarning: warn }) : undefined
    this.#useTrackers = o.trackers !== false
    this.#ownIce = o.ice ?? []
    this.#idlePeerMs = o.idlePeerMs ?? DEFAULT_IDLE_PEER_MS
    this.#unsealed = o.unsealed
    this.#tls = o.tls
    this.#sendBudget = o.sendBudget
    this.#storeCacheSlots = o.storeCacheSlots ?? STORE_CACHE_SLOTS
    this.#pieceBudget = new PieceBudget(o.piecesInFlight)
    this.#sweeper = setInterval(() => this.#sweepIdlePeers(), Math.min(SWEEP_MS, this.#idlePeerMs))
    this.#sweeper.unref()
    this.#discovery = client.dht ? new TopicDiscovery(client.dht, () => client.torrentPort) : undefined
    client.on('error', (err: Error) => this.emit('warning', err))
    // A new revocation list takes effect on live connections at once, not at the next handshake.
    this.index.on('changed', (i: GroupIndex) => this.#recheckGroup(i.swarm))
  }

  static async start(o: EngineOptions = {}): Promise<Engine> {
    installNativePrimitives()
    const peerId = bytesToHex(concatBytes(utf8(PEER_ID_PREFIX), crypto.getRandomValues(new Uint8Array(12))))
    const client = new WebTorrent({
      peerId,
      torrentPort: o.port ?? 0,
      utp: o.utp ?? false,
      dht: o.dht === undefined || o.dht === false ? false : { bootstrap: [...o.dht.bootstrap] },
      tracker: false, // closed torrents carry no trackers; private topics come with discovery
      lsd: false, // LSD multicasts the plain infohash, even for private torrents (docs/ENGINE.md §1)
      natUpnp: false,
      natPmp: false,
      maxConns: MEMBER_CONNS + UNPROVEN_BUDGET, // connection-budget.ts: members keep their 55
      secure: o.obfuscate === false ? 0 : 1,
      uploadLimit: o.uploadLimit ?? -1,
      downloadLimit: o.downloadLimit ?? -1,
    } as ConstructorParameters<typeof WebTorrent>[0] & { peerId: string })
    const engine = new Engine(client, o)
    await new Promise<void>((resolve, reject) => {
      if (client.address() !== null) return resolve()
      client.once('listening', () => resolve())
      client.once('error', reject)
    })
    noDelayOnIncoming(client)
    refuseCoolingDown(client, engine.#cooling)
    engine.#acceptGuard = refuseAtAccept(tcpServerOf(client), engine.#cooling)
    // A mapping made (or changed) after torrents started is announced at once, not at the next interval.
    if (o.portMapping === true) {
      engine.#mapper = new PortMapper(client.torrentPort, {
        udp: o.utp === true,
        onWarning: (e) => engine.emit('warning', e),
        onChange: () => engine.#announced.forEach((a) => a.reannounce()),
      })
    }
    return engine
  }

  get port(): number {
    return this.#client.torrentPort
  }

  /** The port announced to trackers: the one the gateway granted, if mapped. */
  get announcePort(): number {
    return this.#mapper?.current?.externalPort ?? this.#client.torrentPort
  }

  /** How peers outside our network can reach us (issue 14); 'unknown' while a mapping is being asked for. */
  get reachability(): Reachability {
    return reachabilityOf(this.#client.torrentPort, this.#mapper)
  }

  /** Creates a closed torrent of a file or folder, hashing it on disk, and seeds it. */
  async seed(path: string, m: SwarmMembership, o: Omit<AddOptions, 'skipVerify'> = {}): Promise<SeededTorrent> {
    const t = await createClosedTorrent(path, m.swarm, { announcePublic: o.announcePublic })
    await this.add(t.info, dirname(path), m, { ...o, skipVerify: true }) // just hashed it
    return { infoHash: t.infoHash, info: t.info }
  }

  /**
   * Joins a closed torrent from its raw info dictionary (as an invite carries it). What is
   * already in `downloadDir` is verified first, so a restart resumes a partial download.
   */
  async add(info: Uint8Array, downloadDir: string, m: SwarmMembership, o: AddOptions = {}): Promise<string> {
    const decoded = decodeInfo(info, info.length)
    const swarm = decoded === undefined ? undefined : swarmKeyOfInfo(decoded)
    if (swarm === undefined || !equalBytes(swarm, m.swarm)) throw new RangeError('add: not a torrent of this swarm')
    const torrentFile = plainTorrent(info)
    // A torrent made private stays private whatever the caller says; public needs both.
    const announce = o.announcePublic === true && decoded?.private !== 1
    // webtorrent parses the torrent asynchronously: torrent.infoHash is not set yet here.
    const infoHash = bytesToHex(infoHashOf(info))
    // Before webtorrent checks the files: a change during its check is then seen afterwards.
    const layout = layoutOfInfo(info)
    const stamped = layout === undefined ? undefined : await stampFiles(downloadDir, layout)
    const torrent = this.#client.add(torrentFile, {
      path: downloadDir,
      private: !announce,
      skipVerify: o.skipVerify,
      strategy: PIECE_STRATEGY,
      storeCacheSlots: this.#storeCacheSlots,
      ...(o.bitfield !== undefined && { bitfield: o.bitfield }),
      ...(o.readOnly === true && { deselect: true }),
    })
    // A torrent that fails once running (a full disk, its folder gone) is closed by webtorrent,
    // which tells only this listener: 'torrent-error' lets the node say so and start it again.
    torrent.on('error', (err: Error) => {
      if (torrent.ready) this.emit('torrent-error', infoHash, err)
    })
    this.#membership.set(infoHash, m)
    const known = new KnownAddresses(torrent, (w) => this.#memberOf(w))
    this.#known.set(infoHash, known)
    torrent.once('close', () => this.#known.get(infoHash) === known && this.#known.delete(infoHash))
    boundPiecesInFlight(torrent, this.#pieceBudget)
    this.#gate(torrent, known, () => this.#membership.get(infoHash) ?? m)
    await ready(torrent)
    if (o.readOnly === true) refuseWrites(torrent)
    if (stamped !== undefined) {
      this.#changes.set(
        infoHash,
        watchChanges(torrent, stamped, (files, held, of) =>
          this.emit(
            'warning',
            new Error(`${files.join(', ')} changed on disk: checked again, ${held} of its ${of} pieces still match`),
          ),
        ),
      )
      torrent.once('close', () => this.#changes.delete(infoHash))
    }
    watchPresence(torrent)
    known.addStatic(o.peers ?? [])
    if (!torrent.done) this.#dialGroupMembers(torrent, m.swarm)
    // A private torrent is announced under its topic only; a public one under its infohash too.
    const trackers = this.#useTrackers
      ? {
          peerId: this.#client.peerId,
          port: () => this.announcePort,
          onWarning: (e: Error) => this.emit('warning', e),
          lonely: () => !torrent.destroyed && torrent.wires.length === 0,
        }
      : undefined
    // WebRTC connections reach the torrent only once open, one per node (webrtc-glare.ts).
    const glare = new RtcGlare(
      {
        holds: (id) => torrent.destroyed || (torrent as unknown as { _peers: Map<string, unknown> })._peers.has(id),
        take: (peer) => torrent.addPeer(peer),
      },
      this.#client.peerId,
    )
    torrent.once('close', () => glare.close())
    const dial = (peer: FoundPeer) => {
      if (typeof peer !== 'string') glare.arrive(peer as ArrivingPeer)
      else if (!torrent.destroyed) torrent.addPeer(peer)
    }
    const announced = new TorrentDiscovery({ dht: this.#discovery, lsd: this.#lsd, trackers }, dial, {
      trackers: o.trackers ?? [],
      ice: this.#iceFor(o.ice),
      ...(announce && { plain: hexToBytes(torrent.infoHash) }),
    })
    this.#announced.set(infoHash, announced)
    torrent.once('close', () => {
      announced.stop()
      if (this.#announced.get(infoHash) === announced) this.#announced.delete(infoHash)
    })
    if (o.topic !== undefined) announced.setTopic(o.topic)
    return torrent.infoHash
  }

  /**
   * Announces a torrent under its private topic and connects to whoever else is there (DHT, LSD,
   * trackers). A new topic replaces the one before at once: the old one is no longer announced
   * nor looked up (a rotated discovery secret, PROTOCOL.md §13.2). `trackers`, when given, replace
   * the torrent's tracker list the same way (the group's list changed), and `ice` its group's ICE
   * servers (WebRTC connections made from then on use them).
   */
  watchTopic(infoHash: string, topic: Uint8Array, trackers?: readonly string[], ice?: readonly string[]): void {
    this.#torrent(infoHash)
    const announced = this.#announced.get(infoHash)
    if (trackers !== undefined) announced?.setTrackers(trackers, ice === undefined ? undefined : this.#iceFor(ice))
    announced?.setTopic(topic)
  }

  // Per torrent: its group's ICE servers, then the user's own; no others (docs/NAT.md). Per torrent
  // rather than per client because each torrent has its own tracker client, so one group's TURN
  // credentials are never handed to another group's connections.
  #iceFor(group: readonly string[] | undefined): string[] {
    return [...new Set([...(group ?? []), ...this.#ownIce])]
  }

  /** The keys (hex) a torrent is announced and looked up under now: its topic, and its infohash if public. */
  discoveryKeys(infoHash: string): string[] {
    return this.#announced.get(infoHash)?.keys() ?? []
  }

  // Members we are connected to on another torrent of the group (its rendezvous, at least) are the
  // likeliest holders of a torrent just joined from the index: dial them now, not at the next lookup.
  #dialGroupMembers(torrent: Torrent, swarm: Uint8Array): void {
    for (const t of this.#client.torrents) {
      const m = this.#membership.get(t.infoHash)
      if (t === torrent || m === undefined || !equalBytes(m.swarm, swarm)) continue
      for (const wire of t.wires) {
        const a = this.#wires.get(wire)?.ext.state === 'authorized' ? listenAddress(wire) : undefined
        if (a !== undefined) torrent.addPeer(formatAddress(a))
      }
    }
  }

  /**
   * New certificate (renewal) or identity for a torrent: takes effect on the next handshakes, and
   * at once with the peers that refused our certificate as expired (dialled again, redial.ts).
   */
  setMembership(infoHash: string, m: SwarmMembership): void {
    const torrent = this.#torrent(infoHash)
    const before = this.#membership.get(infoHash)?.credential?.certificate
    this.#membership.set(infoHash, m)
    const after = m.credential?.certificate
    if (after !== undefined && (before === undefined || !equalBytes(before, after)))
      redialRefusedAsExpired(torrent, (w) => this.#wires.get(w)?.ext)
  }

  async remove(infoHash: string): Promise<void> {
    await this.#client.remove(infoHash)
    this.#membership.delete(infoHash)
  }

  pause(infoHash: string): void {
    this.#torrent(infoHash).pause()
  }

  resume(infoHash: string): void {
    this.#torrent(infoHash).resume()
  }

  /** Bytes per second for all torrents, at once; undefined lifts the limit. */
  setLimits(limits: { readonly upload?: number | undefined; readonly download?: number | undefined }): void {
    this.#client.throttleUpload(limits.upload ?? -1)
    this.#client.throttleDownload(limits.download ?? -1)
  }

  /**
   * Bytes per second for every torrent of one group (its swarm key), on top of the global limits
   * (both apply); undefined lifts it. Live connections follow at once.
   */
  setGroupLimits(swarm: Uint8Array, limits: Limits): void {
    this.#groupLimits.set(bytesToHex(swarm), limits)
  }

  groupLimits(swarm: Uint8Array): Limits {
    return this.#groupLimits.get(bytesToHex(swarm))
  }

  /**
   * "Don't seed on this network": every peer is choked and no piece leaves this node until
   * switched back; downloads go on. Blocks already queued on a wire (a few, at most) still go.
   */
  setUploadsPaused(paused: boolean): void {
    if (paused === this.#uploadsPaused) return
    this.#uploadsPaused = paused
    for (const t of this.#client.torrents) {
      for (const wire of t.wires) {
        const r = this.#wires.get(wire)
        if (r === undefined || !r.gate.authorized) continue
        if (paused) r.gate.choke()
        else if (wire.peerInterested) wire.unchoke()
      }
    }
  }

  get uploadsPaused(): boolean {
    return this.#uploadsPaused
  }

  has(infoHash: string): boolean {
    return this.#client.torrents.some((t) => t.infoHash === infoHash)
  }

  addPeer(infoHash: string, address: string): void {
    const torrent = this.#torrent(infoHash)
    torrent.addPeer(address)
  }

  /**
   * Addresses to keep trying for a torrent (a friend's static address, issue 14): dialled now, and
   * again with backoff while the torrent has something to fetch and no connection to them.
   */
  addStaticPeers(infoHash: string, addresses: readonly string[]): void {
    this.#torrent(infoHash)
    this.#known.get(infoHash)?.addStatic(addresses)
  }

  /**
   * "Retry now" on a stalled transfer (issue 14): every known address of its members not connected
   * is dialled at once with its backoff restarted, and the torrent is announced and looked up again
   * on every source (trackers, DHT, LSD) instead of at their next interval. Returns how many
   * addresses were dialled.
   */
  retry(infoHash: string): number {
    this.#torrent(infoHash)
    this.#announced.get(infoHash)?.reannounce()
    return this.#known.get(infoHash)?.retryNow() ?? 0
  }

  /** The member addresses a torrent keeps redialling (diagnostics and tests). */
  knownAddresses(infoHash: string): string[] {
    return this.#known.get(infoHash)?.addresses() ?? []
  }

  summary(): TorrentSummary[] {
    return this.#client.torrents.map((t) => this.#summarize(t))
  }

  torrentSummary(infoHash: string): TorrentSummary {
    return this.#summarize(this.#torrent(infoHash))
  }

  /**
   * A copy of the pieces the torrent holds (BEP 3 order), once it has checked what is on disk:
   * while it checks, a piece not yet hashed is not known to be missing, and a record of that
   * would have it fetched again (or never, for a share only this node holds).
   */
  bitfield(infoHash: string): Uint8Array | undefined {
    const t = this.#torrent(infoHash)
    return t.ready && t.bitfield !== undefined ? t.bitfield.buffer.slice() : undefined
  }

  /**
   * Bytes read from disk for peers and not yet sent, over every connection (engine/send-budget.ts):
   * each connection's share is bounded by its send budget.
   */
  queuedUploadBytes(): number {
    let n = 0
    for (const t of this.#client.torrents) for (const w of t.wires) n += this.#wires.get(w)?.budget.queuedBytes ?? 0
    return n
  }

  /**
   * Bytes of pieces being downloaded and not yet written, over every torrent, now and at most since
   * the last call with `resetPeak` (engine/pieces-in-flight.ts): bounded by `limit`, give or take
   * one piece per torrent.
   */
  piecesInFlightBytes(o: { resetPeak?: boolean } = {}): { bytes: number; peakBytes: number; limit: number } {
    const b = this.#pieceBudget
    const r = { bytes: b.bytes, peakBytes: b.peakBytes, limit: b.limit }
    if (o.resetPeak === true) b.resetPeak()
    return r
  }

  /** Resolves when the torrent has every piece. */
  async whenDone(infoHash: string): Promise<void> {
    const t = this.#torrent(infoHash)
    if (t.done) return
    await new Promise<void>((resolve) => t.once('done', () => resolve()))
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#discovery?.close()
    await this.#lsd?.close()
    await this.#mapper?.stop()
    this.#acceptGuard?.close()
    await new Promise<void>((resolve) => this.#client.destroy(() => resolve()))
  }

  // Everything a wire needs, installed synchronously in 'wire' (docs/ENGINE.md §2: after an await
  // the extended handshake is already gone): the gate (gate/install.ts), then what the engine adds.
  #gate(torrent: Torrent, known: KnownAddresses, membership: () => SwarmMembership): void {
    rechokeAuthorizedOnly(torrent, (w) => !this.#uploadsPaused && this.#wires.get(w)?.gate.authorized === true)
    const exchange = new MemberExchange(
      torrent,
      (w) => this.#wires.get(w)?.ext,
      (r) => this.emit('pex', r),
    )
    const unproven = new ConnectionBudget({ cooling: this.#cooling })
    unproven.watch(torrent)
    torrent.on('wire', (wire: Wire) => {
      noDelayOnOutgoing(torrent, wire)
      const m = membership()
      const isRevoked = (member: Uint8Array) => isRevokedIn(this.index.get(m.swarm), member)
      let refusedPeer: PeerSummary | undefined
      let limited: LimitedWire | undefined
      const budget = budgetWire(wire, {
        budget: this.#sendBudget,
        heldBytes: () => limited?.heldBytes ?? 0,
        has: (i) => torrent.bitfield?.get(i) === true,
      })
      const { ext, gate } = installGate(torrent, wire, {
        gated: { swarm: m.swarm, credential: m.credential, isRevoked },
        listenPort: this.announcePort,
        ownHellos: this.#ownHellos,
        uploadsAllowed: () => !this.#uploadsPaused,
        unsealed: this.#unsealed,
        tls: this.#tls,
        follow: (ext) => {
          limited = limitWire(wire, this.#groupLimits.of(bytesToHex(m.swarm)), (n) =>
            this.emit(
              'warning',
              new Error(
                `${wire.remoteAddress}:${wire.remotePort} asked for ${n} bytes more than its group's upload limit lets go: connection closed`,
              ),
            ),
          )
          this.index.attach(m.swarm, ext, (f) => wire.once('close', f))
        },
        onAuthorized: () => {
          unproven.promote(wire)
          dropDuplicate(torrent, wire, this.#client.peerId, (w) => this.#memberOf(w))
          if (!wire.destroyed) known.authorized(wire)
          this.emit('peer', {
            infoHash: torrent.infoHash,
            peer: summarizePeer(wire, ext, this.#pathOf(torrent, wire), torrent.pieces.length),
          } satisfies PeerEvent)
        },
        onTampered: () =>
          this.emit(
            'warning',
            new Error(`a sealed record from ${wire.remoteAddress}:${wire.remotePort} did not open: connection closed`),
          ),
        onTlsFailed: (code) =>
          this.emit(
            'warning',
            new Error(
              `the TLS channel with ${wire.remoteAddress}:${wire.remotePort} failed (${code}): connection closed`,
            ),
          ),
        onFrameRefused: (code, length) => {
          unproven.penalize(wire)
          this.emit(
            'warning',
            new Error(
              `${wire.remoteAddress}:${wire.remotePort} announced a ${length}-byte message (${code}): connection closed`,
            ),
          )
        },
        onRefusing: () => (refusedPeer = summarizePeer(wire, ext, this.#pathOf(torrent, wire))), // before the gate may close the wire
        onRefused: () => this.emit('peer', { infoHash: torrent.infoHash, peer: refusedPeer! } satisfies PeerEvent),
      })
      // A member whose certificate lapsed proved its key: its renewal (PROTOCOL.md §13.3) has its
      // own time bound, not the budget's deadline.
      ext.once('lapsed', () => unproven.promote(wire))
      this.#wires.set(wire, { ext, gate, budget, since: Date.now() })
      exchange.add(wire, ext)
    })
  }

  /** The identity key (hex) a wire's peer proved; undefined until it is authorized. */
  #memberOf(wire: Wire): string | undefined {
    const v = this.#wires.get(wire)?.ext.peer
    return v?.kind === 'authorized' ? bytesToHex(v.certificate.member) : undefined
  }

  #recheckGroup(swarm: Uint8Array): void {
    for (const t of this.#client.torrents) {
      const m = this.#membership.get(t.infoHash)
      if (m === undefined || !equalBytes(m.swarm, swarm)) continue
      for (const wire of [...t.wires]) this.#wires.get(wire)?.ext.recheck()
    }
  }

  // A peer that is not authorized and has nothing we want only costs a connection slot.
  #sweepIdlePeers(): void {
    const now = Date.now()
    for (const t of this.#client.torrents) {
      for (const wire of t.wires) {
        const r = this.#wires.get(wire)
        if (r === undefined || r.gate.authorized || r.ext.state === 'pending') continue
        if (!wire.amInterested && now - r.since > this.#idlePeerMs) wire.destroy()
      }
    }
  }

  #summarize(t: Torrent): TorrentSummary {
    // "checking" is not "downloading": before 'ready' webtorrent is verifying what is on disk.
    const state = t.paused
      ? 'paused'
      : !t.ready || this.#changes.get(t.infoHash)?.rechecking === true
        ? t.info === undefined
          ? 'metadata'
          : 'checking'
        : t.done
          ? 'seeding'
          : 'downloading'
    return {
      infoHash: t.infoHash,
      name: t.name,
      state,
      progress: t.progress,
      length: t.length,
      pieces: t.pieces.length,
      downloaded: t.downloaded,
      uploaded: t.uploaded,
      downloadSpeed: Math.round(t.downloadSpeed),
      uploadSpeed: Math.round(t.uploadSpeed),
      peers: t.wires.map((w) => summarizePeer(w, this.#wires.get(w)?.ext, this.#pathOf(t, w), t.pieces.length)),
    }
  }

  #pathOf(torrent: Torrent, wire: Wire): PeerPath {
    return peerPath(torrent, wire, this.#mapper?.current !== undefined)
  }

  #torrent(infoHash: string): Torrent {
    const t = this.#client.torrents.find((x) => x.infoHash === infoHash)
    if (t === undefined) throw new RangeError(`no torrent ${infoHash}`)
    return t
  }
}

// Last line behind `deselect`: a torrent that must not write refuses any piece webtorrent would
// store (webtorrent then stops the torrent with this error, which the engine reports).
function refuseWrites(t: Torrent): void {
  const store = (
    t as unknown as { store: { put(i: number, b: Uint8Array, cb: (e: Error | null) => void): void } | null }
  ).store
  if (store === null) return
  store.put = (_i, _b, cb) => queueMicrotask(() => cb(new Error(`${t.name}: a share never writes over its files`)))
}

/**
 * Piece selection: webtorrent's default, sequential, stated so nobody flips it unmeasured. Rarest
 * first would let members give each other more (docs/EXPERIMENT.md: 63 % of a member's bytes from
 * other members instead of 14 %, 47 s instead of 69 s in one run), but webtorrent's rarest-first
 * picker costs the downloading side about 17x the CPU per MiB (bench, 16 MiB 1 -> 1 on loopback:
 * 480-605 ms/MiB against 29-51), which took a sealed transfer from 33 MB/s to 2 MB/s and stalled
 * the 1 -> 8 bench. A cheaper rarest-first picker is left to do (README, Known limits).
 */
export const PIECE_STRATEGY = 'sequential'

function ready(t: Torrent): Promise<void> {
  if (t.ready) return Promise.resolve()
  return new Promise((resolve, reject) => {
    t.once('ready', () => resolve())
    t.once('error', reject)
  })
}

/*
 * TCP_NODELAY. webtorrent never sets it, so Nagle's algorithm and delayed ACKs hold back the small
 * messages of the handshake round trip: the bench measured closed swarms' first block 60-85 ms
 * late on TCP, and with NODELAY on, earlier than plain webtorrent's. The sockets are reachable
 * only through webtorrent's private fields, so each hook is optional: if a webtorrent release
 * moves them, transfers still work, only without this gain (the bench would show it).
 */
interface Socketish {
  setNoDelay?(on: boolean): void
}

function noDelayOnIncoming(client: WebTorrent): void {
  const server = (
    client as unknown as { _connPool?: { tcpServer?: { on?(e: 'connection', f: (s: Socketish) => void): void } } }
  )._connPool?.tcpServer
  server?.on?.('connection', (socket) => socket.setNoDelay?.(true))
}

/**
 * Turns away at accept a connection from an address the connection budget refuses for now, before
 * webtorrent reads a byte of it (its pool's _onConnection, which every TCP and uTP connection
 * passes; TCP ones are turned away earlier still, in refuse-at-accept.ts, so this catches uTP).
 * Throws if a webtorrent release moved it: unprotected is worse than not starting.
 */
function refuseCoolingDown(client: WebTorrent, cooling: CoolDown): void {
  type Conn = { remoteAddress?: string; destroy(): void; on(e: 'error', f: () => void): void }
  const pool = (client as unknown as { _connPool?: { _onConnection?: (conn: Conn, type: string) => void } })._connPool
  const accept = pool?._onConnection
  if (pool === undefined || typeof accept !== 'function')
    throw new Error('Engine: webtorrent has no _connPool._onConnection')
  pool._onConnection = (conn, type) => {
    if (conn.remoteAddress === undefined || !cooling.has(conn.remoteAddress)) return accept.call(pool, conn, type)
    conn.on('error', () => {})
    conn.destroy()
  }
}

function tcpServerOf(client: WebTorrent): Server {
  const server = (client as unknown as { _connPool?: { tcpServer?: Server | null } })._connPool?.tcpServer
  if (server === undefined || server === null) throw new Error('Engine: webtorrent has no _connPool.tcpServer')
  return server
}

function noDelayOnOutgoing(torrent: Torrent, wire: Wire): void {
  const peers = (torrent as unknown as { _peers?: Map<string, { wire?: Wire; conn?: Socketish }> })._peers
  if (!(peers instanceof Map)) return
  for (const peer of peers.values()) if (peer.wire === wire) peer.conn?.setNoDelay?.(true)
}
