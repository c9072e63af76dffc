/**
 * Finds members under private topics on the mainline DHT (BEP 5): announce our port under each
 * topic we serve and look the topic up, now and then again on a timer, handing every peer found
 * to its torrent. The DHT is webtorrent's own instance, so there is one routing table.
 */
import { bytesToHex } from '../protocol/bytes.js'

interface Dht {
  announce(key: Uint8Array, port: number, cb?: (err?: Error) => void): void
  lookup(key: Uint8Array, cb?: (err?: Error) => void): void
  on(event: 'peer', f: (peer: { host: string; port: number }, key: Uint8Array) => void): void
  removeListener(event: 'peer', f: (...a: never[]) => void): void
}

// BEP 5 peers expire announcements after about 30 minutes; re-announce well inside that.
const ANNOUNCE_EVERY_MS = 10 * 60_000
const LOOKUP_EVERY_MS = 2 * 60_000

export class TopicDiscovery {
  readonly #dht: Dht
  readonly #port: () => number
  readonly #watched = new Map<
    string,
    { topic: Uint8Array; onPeer: (address: string) => void; timers: NodeJS.Timeout[] }
  >()
  readonly #onDhtPeer = (peer: { host: string; port: number }, key: Uint8Array) => {
    this.#watched.get(bytesToHex(key))?.onPeer(`${peer.host}:${peer.port}`)
  }

  constructor(dht: unknown, port: () => number) {
    this.#dht = dht as Dht
    this.#port = port
    this.#dht.on('peer', this.#onDhtPeer)
  }

  /** Announces and looks up `topic` until the returned function is called. */
  watch(topic: Uint8Array, onPeer: (address: string) => void): () => void {
    const id = bytesToHex(topic)
    this.#unwatch(id)
    const announce = () => this.#dht.announce(topic, this.#port(), () => {})
    const lookup = () => this.#dht.lookup(topic, () => {})
    announce()
    lookup()
    const timers = [setInterval(announce, ANNOUNCE_EVERY_MS), setInterval(lookup, LOOKUP_EVERY_MS)]
    timers.forEach((t) => t.unref())
    this.#watched.set(id, { topic, onPeer, timers })
    return () => this.#unwatch(id)
  }

  /** Looks every topic up again now (e.g. after the network came back). */
  refresh(): void {
    for (const { topic } of this.#watched.values()) this.#dht.lookup(topic, () => {})
  }

  close(): void {
    for (const id of [...this.#watched.keys()]) this.#unwatch(id)
    this.#dht.removeListener('peer', this.#onDhtPeer as never)
  }

  #unwatch(id: string): void {
    this.#watched.get(id)?.timers.forEach(clearInterval)
    this.#watched.delete(id)
  }
}
