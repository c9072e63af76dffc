/**
 * Local service discovery (BEP 14) under private topics (docs/PROTOCOL.md §12.3): one multicast
 * socket for the engine, announcing each watched key (a torrent's topic; a public torrent's
 * infohash too) and handing the sender of a matching announce to that key's torrent.
 * webtorrent's own LSD stays off: it multicasts the plain infohash of every torrent.
 */
import { createSocket, type Socket, type RemoteInfo } from 'node:dgram'
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js'
import { formatLsdAnnounce, parseLsdAnnounce, LSD_HOST, LSD_PORT, MAX_LSD_KEYS } from '../protocol/lsd.js'
import { peerAddress, formatAddress, isUsableCandidate, isLoopback } from '../protocol/address.js'

// BEP 14: announce at most every few minutes; a new torrent is announced at once.
const ANNOUNCE_EVERY_MS = 5 * 60_000
// The same sender for the same key is dialled again only after this long (it re-announces anyway).
const REDIAL_AFTER_MS = 60_000
const MAX_REMEMBERED = 1024

export interface LocalDiscoveryOptions {
  readonly port: () => number
  readonly onWarning?: (e: Error) => void
}

export class LocalDiscovery {
  readonly #o: LocalDiscoveryOptions
  readonly #socket: Socket
  readonly #cookie = `coterie-${bytesToHex(randomBytes(8))}`
  readonly #watched = new Map<string, (address: string) => void>()
  readonly #dialled = new Map<string, number>()
  readonly #timer: NodeJS.Timeout
  #pending = new Set<string>()
  #flush: NodeJS.Immediate | undefined
  #ready: Promise<void>
  #closed = false

  constructor(o: LocalDiscoveryOptions) {
    this.#o = o
    this.#socket = createSocket({ type: 'udp4', reuseAddr: true })
    this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo))
    this.#socket.on('error', (e) => this.#o.onWarning?.(e))
    this.#ready = new Promise((resolve) => {
      this.#socket.bind(LSD_PORT, () => {
        try {
          this.#socket.addMembership(LSD_HOST)
        } catch (e) {
          this.#o.onWarning?.(e as Error) // no multicast route: we can still announce, maybe not hear
        }
        resolve()
      })
    })
    this.#timer = setInterval(() => this.#announce([...this.#watched.keys()]), ANNOUNCE_EVERY_MS)
    this.#timer.unref()
    this.#socket.unref()
  }

  /** Announces `key` (20 bytes) and dials whoever announces it, until the returned function is called. */
  watch(key: Uint8Array, onPeer: (address: string) => void): () => void {
    const id = bytesToHex(key)
    this.#watched.set(id, onPeer)
    this.#pending.add(id)
    // Torrents added together go out in shared datagrams.
    this.#flush ??= setImmediate(() => {
      this.#flush = undefined
      const keys = [...this.#pending].filter((k) => this.#watched.has(k))
      this.#pending = new Set()
      this.#announce(keys)
    })
    return () => void this.#watched.delete(id)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    if (this.#flush !== undefined) clearImmediate(this.#flush)
    await this.#ready
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()))
  }

  #announce(keys: string[]): void {
    if (keys.length === 0 || this.#closed) return
    void this.#ready.then(() => {
      for (let i = 0; i < keys.length && !this.#closed; i += MAX_LSD_KEYS) {
        const datagram = formatLsdAnnounce({
          port: this.#o.port(),
          keys: keys.slice(i, i + MAX_LSD_KEYS),
          cookie: this.#cookie,
        })
        this.#socket.send(datagram, LSD_PORT, LSD_HOST, (e) => e && this.#o.onWarning?.(e))
      }
    })
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const a = parseLsdAnnounce(msg)
    if (!a.ok || a.value.cookie === this.#cookie) return
    const sender = peerAddress(rinfo.address, a.value.port)
    // The datagram names only its own sender: a loopback sender is a process on this machine.
    if (sender === undefined || !isUsableCandidate(sender, isLoopback(sender.ip))) return
    const address = formatAddress(sender)
    const now = Date.now()
    for (const key of a.value.keys) {
      const onPeer = this.#watched.get(key)
      if (onPeer === undefined) continue
      const id = `${key}/${address}`
      if (now - (this.#dialled.get(id) ?? -Infinity) < REDIAL_AFTER_MS) continue
      if (this.#dialled.size >= MAX_REMEMBERED) this.#dialled.clear()
      this.#dialled.set(id, now)
      onPeer(address)
    }
  }
}
