/**
 * One benchmark peer, in its own process (so seeder and leecher never share an event loop, as real
 * peers don't): `bench/transfer.ts` forks it and drives it over the IPC channel, one JSON request
 * at a time, each answered with `{ id, ok, ... }`.
 *
 * A peer is "closed" (a Coterie Engine with a member certificate, closed torrents behind the
 * gate, sealed transfers), "gate" (the same without sealing, to price it) or "open" (plain WebTorrent, a plain public torrent made by `client.seed`). Both run with
 * DHT, trackers, LSD and NAT traversal off, on 127.0.0.1, with the same transport option.
 * One process hosts one node at a time; a leecher process starts a fresh node for every run.
 */
import { existsSync, readFileSync } from 'node:fs'
import net from 'node:net'
import WebTorrent, { type Torrent } from 'webtorrent'
import type { Engine as EngineType, PeerEvent, SwarmMembership } from '../electron/core/engine/engine.js'
import { issueCertificate } from '../electron/core/protocol/certificate.js'
import { DAY, keyPair } from '../electron/core/testing/fixtures.js'

/**
 * closed: the engine as shipped (gate + sealed transfers: the TLS switch when BENCH_TLS or
 * TLS_SWITCH_ENABLED says so); records: the same with sealed records only (PROTOCOL.md §5.6.1, what
 * an older node or a WebRTC wire gets); gate: the gate alone, unsealed; open:
 * plain WebTorrent; libtorrent: libtorrent 2.0, a peer of its own (bench/libtorrent-peer.py).
 */
export type Kind = 'closed' | 'records' | 'gate' | 'open' | 'libtorrent'

export type Request =
  /** `who` names the member (its key pair is derived from the label, so no secrets cross IPC). */
  | { cmd: 'start'; kind: Kind; utp: boolean; who: string }
  | { cmd: 'seed'; path: string }
  /** `meta`: hex of the raw info dictionary (closed) or of the .torrent file (open). */
  | { cmd: 'add'; meta: string; dir: string }
  | {
      cmd: 'go'
      infoHash: string
      peers: string[]
      stallMs: number
      limitMs: number
      /** Done once this many bytes are downloaded (a time-bounded memory run), not the whole file. */
      untilBytes?: number
      watchPort?: number
      trace?: boolean
    }
  | { cmd: 'cpu' }
  /** process.memoryUsage() now; with `gc`, after a full collection (needs --expose-gc). */
  | { cmd: 'mem'; gc?: boolean }
  /** The largest sampled upload queue since the last 'queue' (bytes), and a new window. */
  | { cmd: 'queue' }
  | { cmd: 'peers'; infoHash: string }
  | { cmd: 'stop' }

export interface GoResult {
  /** Wall clock (ms since the epoch, sub-ms precision): comparable across processes. */
  start: number
  end: number
  ms: number
  /** From addPeer to the first byte of piece data. */
  firstByteMs: number
  bytes: number
  cpuMs: number
  /** How we reached `watchPort` (the seeder): an ESTABLISHED TCP socket to it means TCP. */
  transport?: 'tcp' | 'utp' | 'unknown'
  /** With `trace`: [ms since start, bytes downloaded] every 200 ms, and peer events. */
  trace?: { samples: [number, number][]; events: [number, string][] }
}

export interface PeerInfo {
  address: string
  client: string
  state: string
  uploaded: number
  downloaded: number
}

type Node = { kind: 'closed'; engine: Engine; membership: SwarmMembership } | { kind: 'open'; client: WebTorrent }

// BENCH_ENGINE=<path to engine.ts> runs the closed peers on another copy of the engine: a way to
// measure a candidate engine change side by side without touching the tree.
const { Engine } = (await import(
  process.env.BENCH_ENGINE ?? '../electron/core/engine/engine.js'
)) as typeof import('../electron/core/engine/engine.js')
type Engine = EngineType

export const SWARM_LABEL = 'bench engine swarm'
const nowS = () => Math.floor(Date.now() / 1000)
const wallNow = () => performance.timeOrigin + performance.now()
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

let node: Node | undefined

/**
 * BENCH_SEND_BUDGET=<bytes>|off: the closed peers' per-connection send budget
 * (engine/send-budget.ts); off is no bound, as before issue 16. Unset: the engine's default.
 */
/** BENCH_TLS=1|0: closed peers offer the TLS switch (PROTOCOL.md §5.6.2) or keep sealed records; unset: the engine's default. */
const TLS =
  process.env.BENCH_TLS === undefined || process.env.BENCH_TLS === '' ? undefined : process.env.BENCH_TLS === '1'
const SEND_BUDGET = ((v) =>
  v === undefined || v === '' ? undefined : v === 'off' ? Number.MAX_SAFE_INTEGER : Number(v))(
  process.env.BENCH_SEND_BUDGET,
)

/** BENCH_STORE_CACHE=<pieces>: the closed peers' store cache (engine STORE_CACHE_SLOTS unless set). */
const STORE_CACHE = ((v) => (v === undefined || v === '' ? undefined : Number(v)))(process.env.BENCH_STORE_CACHE)
/** BENCH_PIECES_IN_FLIGHT=<MiB>: the closed peers' bound on pieces being downloaded (engine PIECE_BYTES_IN_FLIGHT unless set). */
const PIECES_IN_FLIGHT = ((v) => (v === undefined || v === '' ? undefined : Number(v) * 1024 * 1024))(
  process.env.BENCH_PIECES_IN_FLIGHT,
)

/**
 * Bytes read from disk for peers and not yet sent, sampled every QUEUE_SAMPLE_MS: the engine's
 * own count (send budgets), or for plain WebTorrent the same thing read off its wires (requests
 * being answered plus the wire's stream buffer). A sample, so a peak between two is missed.
 */
const QUEUE_SAMPLE_MS = 20
let queuePeak = 0
function queuedNow(): number {
  const n = node
  if (n === undefined) return 0
  if (n.kind === 'closed') return n.engine.queuedUploadBytes()
  let q = 0
  for (const t of n.client.torrents) {
    for (const w of t.wires) {
      const x = w as unknown as { _readableState?: { buffered: number }; peerRequests?: { length: number }[] }
      q += (x._readableState?.buffered ?? 0) + (x.peerRequests ?? []).reduce((a, r) => a + r.length, 0)
    }
  }
  return q
}
setInterval(() => (queuePeak = Math.max(queuePeak, queuedNow())), QUEUE_SAMPLE_MS).unref()

// BENCH_NODELAY=1 is an experiment, not what the engine does: Nagle's algorithm off on every TCP
// socket of this process (webtorrent never calls setNoDelay), to measure what that would change.
if (process.env.BENCH_NODELAY === '1') {
  const connect = net.Socket.prototype.connect
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    this.setNoDelay(true)
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args)
  } as typeof connect
  const emit = net.Server.prototype.emit as (this: net.Server, event: string | symbol, ...args: unknown[]) => boolean
  net.Server.prototype.emit = function (this: net.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'connection') (args[0] as net.Socket).setNoDelay(true)
    return emit.call(this, event, ...args)
  } as typeof net.Server.prototype.emit
}

function membership(who: string): SwarmMembership {
  const swarm = keyPair(SWARM_LABEL)
  const me = keyPair(`bench ${who}`)
  const certificate = issueCertificate(swarm, { member: me.publicKey, iat: nowS() - 60, exp: nowS() + DAY })
  return { swarm: swarm.publicKey, credential: { certificate, secretKey: me.secretKey } }
}

async function plainClient(utp: boolean): Promise<WebTorrent> {
  const client = new WebTorrent({
    torrentPort: 0,
    utp,
    dht: false,
    tracker: false,
    lsd: false,
    natUpnp: false,
    natPmp: false,
  })
  await new Promise<void>((resolve, reject) => {
    if (client.address() !== null) return resolve()
    client.once('listening', () => resolve())
    client.once('error', reject)
  })
  return client
}

function ready(t: Torrent): Promise<void> {
  if (t.ready) return Promise.resolve()
  return new Promise((resolve, reject) => {
    t.once('ready', () => resolve())
    t.once('error', reject)
  })
}

function the(): Node {
  if (node === undefined) throw new Error('no node: send start first')
  return node
}

function openTorrent(client: WebTorrent, infoHash: string): Torrent {
  const t = client.torrents.find((x) => x.infoHash === infoHash)
  if (t === undefined) throw new Error(`no torrent ${infoHash}`)
  return t
}

function progress(n: Node, infoHash: string): { downloaded: number; length: number; done: boolean; peers: number } {
  if (n.kind === 'closed') {
    const s = n.engine.torrentSummary(infoHash)
    return { downloaded: s.downloaded, length: s.length, done: s.state === 'seeding', peers: s.peers.length }
  }
  const t = openTorrent(n.client, infoHash)
  return { downloaded: t.downloaded, length: t.length, done: t.done, peers: t.wires.length }
}

/** Linux only: is there an ESTABLISHED TCP connection to 127.0.0.1:port (from this host)? */
function tcpTo(port: number): boolean | undefined {
  const table = ['/proc/net/tcp', '/proc/net/tcp6']
    .filter(existsSync)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n')
  if (table === '') return undefined
  const want = port.toString(16).toUpperCase().padStart(4, '0')
  return table.split('\n').some((line) => {
    const f = line.trim().split(/\s+/)
    return f[2]?.endsWith(`:${want}`) === true && f[3] === '01' // rem_address, st == ESTABLISHED
  })
}

async function go(r: Extract<Request, { cmd: 'go' }>): Promise<GoResult> {
  const n = the()
  const cpu0 = cpuMs()
  const start = wallNow()
  const trace = r.trace === true ? { samples: [] as [number, number][], events: [] as [number, string][] } : undefined
  const onPeer = (e: PeerEvent) =>
    trace?.events.push([Math.round(wallNow() - start), `${e.peer.address} ${e.peer.state}`])
  if (trace !== undefined && n.kind === 'closed') n.engine.on('peer', onPeer)
  const done = new Promise<void>((resolve) => {
    if (r.untilBytes !== undefined) {
      const t = setInterval(() => {
        if (node !== n) return clearInterval(t) // the run failed and its node stopped
        if (progress(n, r.infoHash).downloaded < r.untilBytes!) return
        clearInterval(t)
        resolve()
      }, 50)
    } else if (n.kind === 'closed') void n.engine.whenDone(r.infoHash).then(resolve)
    else {
      const t = openTorrent(n.client, r.infoHash)
      if (t.done) resolve()
      else t.once('done', () => resolve())
    }
  })
  for (const p of r.peers) {
    if (n.kind === 'closed') n.engine.addPeer(r.infoHash, p)
    else openTorrent(n.client, r.infoHash).addPeer(p)
  }
  // Time to the first byte of piece data (polled every 5 ms until then): connection, handshakes,
  // the gate, and the first request round trip.
  let firstByte: number | undefined
  const firstByteTimer = setInterval(() => {
    if (progress(n, r.infoHash).downloaded === 0) return
    firstByte = wallNow() - start
    clearInterval(firstByteTimer)
  }, 5)
  // Bounded: a transfer that makes no progress for stallMs, or runs past limitMs, fails clearly.
  let transport: GoResult['transport']
  await new Promise<void>((resolve, reject) => {
    let last = -1
    let lastChange = Date.now()
    const timer = setInterval(() => {
      const p = progress(n, r.infoHash)
      trace?.samples.push([Math.round(wallNow() - start), p.downloaded])
      if (r.watchPort !== undefined && transport === undefined && p.downloaded > 0) {
        const tcp = tcpTo(r.watchPort)
        transport = tcp === undefined ? 'unknown' : tcp ? 'tcp' : 'utp'
      }
      if (p.downloaded !== last) {
        last = p.downloaded
        lastChange = Date.now()
      }
      const stalled = Date.now() - lastChange > r.stallMs
      const over = wallNow() - start > r.limitMs
      if (stalled || over) {
        clearInterval(timer)
        const why = stalled ? `no progress for ${r.stallMs} ms` : `not done after ${r.limitMs} ms`
        reject(
          new Error(`${n.kind} leecher: ${why} (${p.downloaded} of ${p.length} bytes, ${p.peers} peer(s) connected)`),
        )
      }
    }, 200)
    void done.then(() => {
      clearInterval(timer)
      resolve()
    })
  }).finally(() => clearInterval(firstByteTimer))
  const end = wallNow()
  if (n.kind === 'closed') n.engine.off('peer', onPeer)
  return {
    start,
    end,
    ms: end - start,
    firstByteMs: firstByte ?? end - start,
    bytes: progress(n, r.infoHash).length,
    cpuMs: cpuMs() - cpu0,
    ...(transport && { transport }),
    ...(trace && { trace }),
  }
}

function peers(infoHash: string): PeerInfo[] {
  const n = the()
  if (n.kind === 'closed') {
    return n.engine.torrentSummary(infoHash).peers.map((p) => ({
      address: p.address,
      client: p.client,
      state: p.state,
      uploaded: p.uploaded,
      downloaded: p.downloaded,
    }))
  }
  return openTorrent(n.client, infoHash).wires.map((w) => ({
    address: `${w.remoteAddress}:${w.remotePort}`,
    client: w.type,
    state: 'open',
    uploaded: w.uploaded,
    downloaded: w.downloaded,
  }))
}

async function handle(r: Request): Promise<Record<string, unknown>> {
  switch (r.cmd) {
    case 'start': {
      if (node !== undefined) throw new Error('a node is already running')
      if (r.kind === 'libtorrent') throw new Error('libtorrent peers are bench/libtorrent-peer.py')
      node =
        r.kind !== 'open'
          ? {
              kind: 'closed',
              engine: await Engine.start({
                utp: r.utp,
                unsealed: r.kind === 'gate',
                tls: r.kind === 'records' ? false : TLS,
                sendBudget: SEND_BUDGET,
                storeCacheSlots: STORE_CACHE,
                piecesInFlight: PIECES_IN_FLIGHT,
              }),
              membership: membership(r.who),
            }
          : { kind: 'open', client: await plainClient(r.utp) }
      // A torrent the engine closed (its disk failed) ends the run with its reason, not a bare "no torrent".
      if (node.kind === 'closed')
        node.engine.on('torrent-error', (infoHash: string, err: Error) =>
          process.stderr.write(`bench peer: torrent ${infoHash} failed: ${err.message}\n`),
        )
      return { port: node.kind === 'closed' ? node.engine.port : node.client.torrentPort }
    }
    case 'seed': {
      const n = the()
      if (n.kind === 'closed') {
        const t = await n.engine.seed(r.path, n.membership)
        return { infoHash: t.infoHash, meta: hex(t.info) }
      }
      // A plain public torrent, exactly as plain WebTorrent makes one.
      const t = await new Promise<Torrent>((resolve, reject) => {
        const torrent = n.client.seed(r.path, {}, (x) => resolve(x))
        torrent.once('error', reject)
      })
      if (t.torrentFile === undefined) throw new Error('plain seed has no torrent file')
      return { infoHash: t.infoHash, meta: hex(t.torrentFile) }
    }
    case 'add': {
      const n = the()
      const meta = Buffer.from(r.meta, 'hex')
      if (n.kind === 'closed') return { infoHash: await n.engine.add(meta, r.dir, n.membership) }
      const t = n.client.add(meta, { path: r.dir })
      await ready(t)
      return { infoHash: t.infoHash }
    }
    case 'go':
      return { ...(await go(r)) }
    case 'cpu':
      return { cpuMs: cpuMs(), wall: wallNow() }
    case 'mem': {
      const gc = (globalThis as { gc?: () => void }).gc
      if (r.gc === true && gc !== undefined) gc()
      // A closed node's pieces being downloaded (engine/pieces-in-flight.ts): the peak since the last call.
      const inFlight = node?.kind === 'closed' ? node.engine.piecesInFlightBytes({ resetPeak: true }) : undefined
      return { ...process.memoryUsage(), inFlightPeak: inFlight?.peakBytes ?? 0 }
    }
    case 'queue': {
      const peak = Math.max(queuePeak, queuedNow())
      queuePeak = 0
      return { peakBytes: peak }
    }
    case 'peers':
      return { peers: peers(r.infoHash) }
    case 'stop': {
      const n = node
      node = undefined
      if (n?.kind === 'closed') await n.engine.close()
      else if (n?.kind === 'open') await new Promise<void>((resolve) => n.client.destroy(() => resolve()))
      return {}
    }
  }
}

if (process.send === undefined) {
  console.error('bench/peer.ts is a child process of bench/run.ts (it needs an IPC channel)')
  process.exit(2)
}
// The parent gone (normally or not): leave at once, so no peer outlives the benchmark.
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
process.on('message', (msg: { id: number } & Request) => {
  handle(msg).then(
    (res) => process.send!({ id: msg.id, ok: true, ...res }),
    (err: unknown) => process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  )
})
