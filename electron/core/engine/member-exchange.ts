/**
 * Peer exchange among the authorized members of one torrent (docs/PROTOCOL.md §12.2): tell each
 * member, once the connection is authorized both ways, where the other members we authorized
 * listen, and pass what members tell us to the torrent as candidates. Who is "authorized" is the
 * extension's verdict; an outsider on any of our connections is never listed, because only
 * wires whose peer proved membership are.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import { MAX_PEX_PEERS, PEX_INTERVAL_MS } from '../protocol/constants.js'
import { formatAddress, isLoopback, isUsableCandidate, peerAddress, type PeerAddress } from '../protocol/address.js'
import type { CoterieExtension, PexIgnored } from '../gate/extension.js'

/** Distinct addresses one torrent takes from pex, in all: webtorrent dials them all eventually. */
const MAX_CANDIDATES = 200
/**
 * How long a candidate waits before it is dialled, and dialled only if still not connected then.
 * Members that learn of each other from pex while one is already dialling the other would
 * otherwise both dial: each crossing pair costs a second connection setup (webtorrent's MSE
 * Diffie-Hellman, then our handshake) before the duplicate is closed. Bench, 1 seeder -> 8
 * members: without the wait the seeder spent ~1.65x the connection-setup CPU of plain webtorrent.
 */
const DIAL_AFTER_MS = 2_000

export interface PexReport {
  readonly infoHash: string
  /** The member that sent it ("host:port" as connected). */
  readonly from: string
  readonly peers?: readonly string[]
  readonly ignored?: PexIgnored
}

/** Where the peer on `wire` accepts connections: the address we dialled, or the BEP 10 `p` it sent. */
export function listenAddress(wire: Wire): PeerAddress | undefined {
  // A WebRTC wire's remote address is an ICE candidate's: a NAT's public side, or a TURN server's
  // relay for a relayed one, never where the peer listens. Such peers are found again through the
  // WebSocket tracker, not redialled (docs/NAT.md).
  if (wire.remoteAddress === undefined || wire.type === 'webrtc') return undefined
  if (/Outgoing$/.test(wire.type))
    return wire.remotePort === undefined ? undefined : peerAddress(wire.remoteAddress, wire.remotePort)
  const p = (wire.peerExtendedHandshake as Record<string, unknown> | undefined)?.p
  return typeof p === 'number' ? peerAddress(wire.remoteAddress, p) : undefined
}

export class MemberExchange {
  readonly #torrent: Torrent
  readonly #ext: (wire: Wire) => CoterieExtension | undefined
  readonly #report: (r: PexReport) => void
  readonly #sent = new WeakMap<Wire, Set<string>>()
  readonly #candidates = new Set<string>()
  readonly #timer: NodeJS.Timeout
  readonly #dials = new Set<NodeJS.Timeout>()

  constructor(torrent: Torrent, ext: (wire: Wire) => CoterieExtension | undefined, report: (r: PexReport) => void) {
    this.#torrent = torrent
    this.#ext = ext
    this.#report = report
    // New members reach those already connected at this pace (the receiver's limit is half of it).
    this.#timer = setInterval(() => this.#sendAll(), PEX_INTERVAL_MS)
    this.#timer.unref()
    torrent.once('close', () => {
      clearInterval(this.#timer)
      this.#dials.forEach(clearTimeout)
    })
  }

  /** Call synchronously in 'wire', after the extension is installed. */
  add(wire: Wire, ext: CoterieExtension): void {
    const from = `${wire.remoteAddress ?? '?'}:${wire.remotePort ?? '?'}`
    ext.on('mutual', () => this.#sendTo(wire, ext))
    ext.on('pex-ignored', (ignored: PexIgnored) => this.#report({ infoHash: this.#torrent.infoHash, from, ignored }))
    ext.on('pex', (peers: PeerAddress[]) => {
      const sender = wire.remoteAddress === undefined ? undefined : peerAddress(wire.remoteAddress, 1)
      const fromLoopback = sender !== undefined && isLoopback(sender.ip)
      const addresses = peers.map(formatAddress)
      this.#report({ infoHash: this.#torrent.infoHash, from, peers: addresses })
      const fresh = addresses.filter((address, i) => {
        if (!isUsableCandidate(peers[i]!, fromLoopback)) return false
        if (this.#candidates.has(address) || this.#candidates.size >= MAX_CANDIDATES) return false
        this.#candidates.add(address)
        return true
      })
      if (fresh.length === 0) return
      const timer = setTimeout(() => {
        this.#dials.delete(timer)
        this.#dial(fresh)
      }, DIAL_AFTER_MS)
      timer.unref()
      this.#dials.add(timer)
    })
  }

  // A member we are connected to by now (either way) is not dialled again: webtorrent would open
  // a second connection to it, with a second handshake and a second request pipeline.
  #dial(addresses: readonly string[]): void {
    if (this.#torrent.destroyed) return
    const connected = new Set(this.#torrent.wires.map(listenKey))
    for (const address of addresses) if (!connected.has(address)) this.#torrent.addPeer(address)
  }

  #sendAll(): void {
    for (const wire of this.#torrent.wires) {
      const ext = this.#ext(wire)
      if (ext?.mutual === true) this.#sendTo(wire, ext)
    }
  }

  // Each member hears about each other member once per connection: what it was not told yet.
  #sendTo(wire: Wire, ext: CoterieExtension): void {
    const sent = this.#sent.get(wire) ?? new Set<string>()
    const fresh = new Map<string, PeerAddress>()
    for (const other of this.#torrent.wires) {
      if (other === wire || other.destroyed || this.#ext(other)?.state !== 'authorized') continue
      const a = listenAddress(other)
      if (a === undefined) continue
      const key = formatAddress(a)
      if (!sent.has(key) && key !== listenKey(wire)) fresh.set(key, a)
    }
    if (fresh.size === 0 || !ext.sendPex([...fresh.values()])) return
    // sendPex takes the first MAX_PEX_PEERS; the rest go out at the next interval.
    ;[...fresh.keys()].slice(0, MAX_PEX_PEERS).forEach((k) => sent.add(k))
    this.#sent.set(wire, sent)
  }
}

function listenKey(wire: Wire): string | undefined {
  const a = listenAddress(wire)
  return a === undefined ? undefined : formatAddress(a)
}
