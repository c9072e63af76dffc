/**
 * How a peer is reached (issue 14; `coterie status`): `direct`, `mapped` (it came in through the
 * port our router forwards for us), `holepunch` (ICE paired a server-reflexive or peer-reflexive
 * candidate: both NATs were opened from inside) or `relay` (a TURN server carries the bytes). For a
 * WebRTC wire the answer is ICE's selected candidate pair, read from the connection under it; for
 * TCP and uTP, which side dialled and whether a port mapping let it in.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import { isPrivateIPv4 } from './port-mapping.js'

export type PeerPath = 'direct' | 'mapped' | 'holepunch' | 'relay'
export type Transport = 'tcp' | 'utp' | 'webrtc'

export function transportOf(wire: Wire): Transport {
  return wire.type === 'webrtc' ? 'webrtc' : wire.type.startsWith('utp') ? 'utp' : 'tcp'
}

/**
 * The path of an ICE candidate pair (RFC 8445 §5.1.1.1 candidate types): a relayed end means the
 * bytes go through TURN; else a reflexive end means a NAT was punched; else both are host addresses.
 */
export function pathOfCandidates(local: string | undefined, remote: string | undefined): PeerPath {
  const types = [local, remote]
  if (types.includes('relay')) return 'relay'
  if (types.includes('srflx') || types.includes('prflx')) return 'holepunch'
  return 'direct'
}

interface CandidatePair {
  readonly local?: { readonly type?: string }
  readonly remote?: { readonly type?: string }
}
interface RtcConn {
  readonly _pc?: { getSelectedCandidatePair?(): CandidatePair | null | undefined }
}

/**
 * `mapped`: true while a port mapping is held. The connection is found through webtorrent's private
 * `_peers` (as engine.ts's TCP_NODELAY hooks are); if a release moves it, a WebRTC wire reads as
 * `direct` rather than failing.
 */
export function peerPath(torrent: Torrent, wire: Wire, mapped: boolean): PeerPath {
  if (wire.type === 'webrtc') {
    const peers = (torrent as unknown as { _peers?: Map<string, { wire?: Wire; conn?: RtcConn }> })._peers
    const conn = peers instanceof Map ? [...peers.values()].find((p) => p.wire === wire)?.conn : undefined
    let pair: CandidatePair | null | undefined
    try {
      pair = conn?._pc?.getSelectedCandidatePair?.()
    } catch {
      pair = undefined // a connection closing under us: no pair to read
    }
    return pathOfCandidates(pair?.local?.type, pair?.remote?.type)
  }
  // Someone outside our network dialled us while the router forwards our port: that is the mapping.
  const fromOutside = wire.remoteAddress !== undefined && !isPrivateIPv4(wire.remoteAddress)
  return mapped && wire.type.endsWith('Incoming') && fromOutside ? 'mapped' : 'direct'
}
