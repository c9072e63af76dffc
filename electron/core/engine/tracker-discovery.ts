/**
 * Trackers under private topics (docs/PROTOCOL.md §12.4): for each key of a torrent (its topic;
 * a public torrent's infohash too) one bittorrent-tracker client announces our port to the
 * group's trackers and hands back the peers they return. The tracker sees the key, never the
 * infohash of a private torrent. webtorrent's own tracker client stays off: it announces the
 * infohash in the torrent's announce list.
 */
import { Client } from 'bittorrent-tracker'
import { bytesToHex } from '../protocol/bytes.js'

export interface TrackerDiscoveryOptions {
  readonly peerId: string
  readonly port: () => number
  readonly onWarning?: (e: Error) => void
  /**
   * True while the torrent has no peer: its trackers are then asked again after 2 s, doubling to
   * 60 s (issue 14), instead of at the tracker's interval (minutes). Two members started at the
   * same moment otherwise miss each other: the first announce comes before the other's.
   */
  readonly lonely?: () => boolean
}

export const LONELY_RETRY_MS = { first: 2_000, max: 60_000 } as const

/** Announces `key` (20 bytes) to `trackers` and reports every peer they return, until stopped. */
export function watchTrackers(
  o: TrackerDiscoveryOptions,
  key: Uint8Array,
  trackers: readonly string[],
  onPeer: (address: string) => void,
): () => void {
  if (trackers.length === 0) return () => {}
  const client = new Client({ infoHash: bytesToHex(key), peerId: o.peerId, announce: [...trackers], port: o.port() })
  client.on('peer', (address: string) => {
    // bittorrent-tracker also emits WebRTC peer objects for ws trackers; only "host:port" is dialled.
    if (typeof address === 'string') onPeer(address)
  })
  client.on('warning', (e: Error) => o.onWarning?.(e))
  client.on('error', (e: Error) => o.onWarning?.(e))
  client.start()
  let stopped = false
  let retryMs: number = LONELY_RETRY_MS.first
  let timer: NodeJS.Timeout | undefined
  const retry = () => {
    if (stopped) return
    if (o.lonely?.() === true) {
      client.update()
      retryMs = Math.min(retryMs * 2, LONELY_RETRY_MS.max)
    } else retryMs = LONELY_RETRY_MS.first // back to quick retries as soon as the last peer goes
    timer = setTimeout(retry, o.lonely?.() === true ? retryMs : LONELY_RETRY_MS.first)
    timer.unref()
  }
  if (o.lonely !== undefined) {
    timer = setTimeout(retry, retryMs)
    timer.unref()
  }
  return () => {
    if (stopped) return
    stopped = true
    clearTimeout(timer)
    // "stopped" lets the tracker forget us now rather than at its timeout; destroy does not wait for it.
    client.stop()
    client.destroy()
  }
}
