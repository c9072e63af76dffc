/**
 * Where one torrent is announced and looked up (docs/PROTOCOL.md §12): its private topic on the
 * DHT, local discovery and the group's trackers, and for a public group its plain infohash on LSD
 * and trackers too (webtorrent's own DHT announces a public torrent's infohash). The topic can
 * change while the torrent runs: when the group's discovery secret rotates (§13.2), the old topic's
 * watches stop (trackers are told "stopped"; the DHT and LSD are no longer announced to or asked)
 * and the new topic's start at once.
 */
import { bytesToHex, equalBytes } from '../protocol/bytes.js'
import type { TopicDiscovery } from './discovery.js'
import type { LocalDiscovery } from './local-discovery.js'
import { watchTrackers, type FoundPeer, type TrackerDiscoveryOptions } from './tracker-discovery.js'

export interface DiscoverySources {
  readonly dht?: TopicDiscovery | undefined
  readonly lsd?: LocalDiscovery | undefined
  /** Absent when trackers are off for this engine. */
  readonly trackers?: TrackerDiscoveryOptions | undefined
}

export class TorrentDiscovery {
  readonly #sources: DiscoverySources
  readonly #dial: (peer: FoundPeer) => void
  #trackers: readonly string[]
  #ice: readonly string[]
  #topic: { readonly key: Uint8Array; readonly stop: () => void } | undefined
  #stopPlain: () => void
  readonly #plain: Uint8Array | undefined
  #stopped = false

  /** `plain`: the infohash, for a public torrent only. */
  constructor(
    sources: DiscoverySources,
    dial: (peer: FoundPeer) => void,
    o: { readonly plain?: Uint8Array; readonly trackers: readonly string[]; readonly ice?: readonly string[] },
  ) {
    this.#sources = sources
    this.#dial = dial
    this.#trackers = o.trackers
    this.#ice = o.ice ?? []
    this.#plain = o.plain
    this.#stopPlain = o.plain === undefined ? () => {} : this.#watch(o.plain, false)
  }

  /** Announces and looks up under `topic` from now on, and no longer under the topic before it. */
  setTopic(topic: Uint8Array): void {
    if (this.#stopped || (this.#topic !== undefined && equalBytes(this.#topic.key, topic))) return
    this.#topic?.stop()
    this.#topic = { key: topic.slice(), stop: this.#watch(topic, true) }
  }

  /**
   * Announces to these trackers from now on (the group's list changed on a running node): the old
   * list's trackers are told "stopped", the new one's are announced to, and the DHT and LSD watches
   * are restarted with them (one watch per key holds all three).
   */
  setTrackers(trackers: readonly string[], ice: readonly string[] = this.#ice): void {
    if (this.#stopped || (sameList(trackers, this.#trackers) && sameList(ice, this.#ice))) return
    this.#trackers = [...trackers]
    this.#ice = [...ice]
    this.reannounce()
  }

  /**
   * Announces again now with every source (our announced port changed: a port mapping was made):
   * each key's watch is restarted.
   */
  reannounce(): void {
    if (this.#stopped) return
    this.#stopPlain()
    this.#stopPlain = this.#plain === undefined ? () => {} : this.#watch(this.#plain, false)
    const topic = this.#topic
    if (topic === undefined) return
    topic.stop()
    this.#topic = { key: topic.key, stop: this.#watch(topic.key, true) }
  }

  /** The keys (hex) announced and looked up now: the topic, and the infohash if public. */
  keys(): string[] {
    return [this.#topic?.key, this.#plain].filter((k) => k !== undefined).map(bytesToHex)
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#topic?.stop()
    this.#topic = undefined
    this.#stopPlain()
  }

  #watch(key: Uint8Array, onDht: boolean): () => void {
    const { dht, lsd, trackers } = this.#sources
    const stops: (() => void)[] = []
    if (onDht && dht !== undefined) stops.push(dht.watch(key, this.#dial))
    if (lsd !== undefined) stops.push(lsd.watch(key, this.#dial))
    if (trackers !== undefined) stops.push(watchTrackers(trackers, key, this.#trackers, this.#ice, this.#dial))
    return () => stops.forEach((stop) => stop())
  }
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])
