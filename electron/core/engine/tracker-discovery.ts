/**
 * Trackers under private topics (docs/PROTOCOL.md §12.4): for each key of a torrent (its topic;
 * a public torrent's infohash too) one bittorrent-tracker client announces our port to the
 * group's trackers and hands back the peers they return. The tracker sees the key, never the
 * infohash of a private torrent. webtorrent's own tracker client stays off: it announces the
 * infohash in the torrent's announce list.
 *
 * A WebSocket tracker (ws://, wss://) hands back WebRTC connections instead of addresses: it relays
 * the SDP offers and answers of the nodes announced under the same key, and ICE (hole punching with
 * STUN, relaying through TURN) connects them (docs/NAT.md). The ICE servers are exactly the ones
 * given (the group's and the user's): simple-peer's own default, Google's and Twilio's STUN
 * servers, is replaced by that list, empty or not, so no server is asked that no one named.
 */
import { Client } from 'bittorrent-tracker'
import { bytesToHex } from '../protocol/bytes.js'

/** A WebRTC connection from a WebSocket tracker (a simple-peer instance): webtorrent's addPeer takes it. */
export interface RtcPeer {
  readonly id: string
  destroy(err?: Error): void
}

/** What a tracker hands back: an address to dial, or a WebRTC connection being made. */
export type FoundPeer = string | RtcPeer

/** The RTCConfiguration for a list of ICE server URLs (protocol/ice.ts), each passed as written. */
export function rtcConfigOf(ice: readonly string[]): { iceServers: { urls: string }[] } {
  // Credentials stay inside the URL (percent-escaped, §7.1): given as username/credential fields,
  // webrtc-polyfill would paste them into the URL unescaped (docs/NAT.md, "Credentials").
  return { iceServers: ice.map((urls) => ({ urls })) }
}

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

/**
 * Announces `key` (20 bytes) to `trackers` and reports every peer they return, until stopped.
 * `ice`: the ICE servers of WebRTC connections made through WebSocket trackers.
 */
export function watchTrackers(
  o: TrackerDiscoveryOptions,
  key: Uint8Array,
  trackers: readonly string[],
  ice: readonly string[],
  onPeer: (peer: FoundPeer) => void,
): () => void {
  if (trackers.length === 0) return () => {}
  const client = new Client({
    infoHash: bytesToHex(key),
    peerId: o.peerId,
    announce: [...trackers],
    port: o.port(),
    rtcConfig: rtcConfigOf(ice),
  })
  client.on('peer', (peer: FoundPeer) => onPeer(peer))
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
