/**
 * Glare between two nodes that offer to each other at once (docs/NAT.md). Through a WebSocket
 * tracker each node sends WebRTC offers on every announce, so two lonely nodes announcing within
 * seconds each get the other's offer and an answer to their own: two pending connections per pair.
 * webtorrent keys peers by peer id and drops the second, and each side drops a different one, so
 * neither connection ever opens (seen on loopback: no wire in 60 s). The rule here keeps the same
 * one on both sides: the connection offered by the node with the lower peer id. A connection
 * already open is never replaced.
 */
import type { Torrent } from 'webtorrent'
import type { RtcPeer } from './tracker-discovery.js'

interface SimplePeerState {
  readonly initiator?: boolean
  readonly connected?: boolean
}

/**
 * Whether the torrent should take `peer` (a WebRTC connection the tracker just handed us, to the
 * node `peer.id`). When a pending connection to the same node exists and `peer` is the one the rule
 * keeps, the pending one is removed first; when `peer` is the one it drops, false.
 */
export function admitRtcPeer(torrent: Torrent, peer: RtcPeer, ownPeerId: string): boolean {
  const peers = (torrent as unknown as { _peers?: Map<string, { conn?: SimplePeerState; type?: string }> })._peers
  const held = peers instanceof Map ? peers.get(peer.id) : undefined
  if (held === undefined || held.type !== 'webrtc') return true
  if (held.conn?.connected === true) return false
  const offeredByUs = (peer as SimplePeerState).initiator === true
  const keep = offeredByUs === ownPeerId < peer.id
  if (keep) torrent.removePeer(peer.id)
  return keep
}
