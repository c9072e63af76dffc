/** What the UI and the CLI show about one peer of one torrent: plain JSON, no live objects. */
import type Wire from 'bittorrent-protocol'
import type { RejectCode } from '../../../shared/protocol-codes.js'
import type { CoterieExtension } from '../gate/extension.js'
import { transportOf, type PeerPath, type Transport } from './peer-path.js'

export type PeerAuthState = 'pending' | 'authorized' | 'refused' | 'no-extension'

export interface PeerSummary {
  readonly address: string
  /** tcp, utp, or webrtc (a data channel through a WebSocket tracker's signalling). */
  readonly transport: Transport
  /** How it is reached (engine/peer-path.ts): direct, mapped, holepunch, relay. */
  readonly path: PeerPath
  readonly client: string
  /** Do we upload to this peer, and if not, why. */
  readonly state: PeerAuthState
  readonly reason?: RejectCode
  /** What the peer made of our own proof. */
  readonly self: string
  /** Hex of the member key it proved, once authorized. */
  readonly member?: string
  /**
   * How many of the torrent's pieces the peer announced it holds (its bitfield, HAVE_ALL and HAVEs,
   * which bittorrent-protocol keeps as `peerPieces`). A Coterie peer announces nothing until it
   * has authorized us (docs/ENGINE.md §1), so this is 0 until then; it is what the peer says, not
   * what we verified (docs/ENGINE.md §7).
   */
  readonly pieces: number
  readonly uploaded: number
  readonly downloaded: number
  readonly uploadSpeed: number
  readonly downloadSpeed: number
}

// Azureus-style peer ids ("-XX1234-"): the client names people will recognise.
const CLIENTS: Record<string, string> = {
  CO: 'Coterie',
  WW: 'WebTorrent',
  qB: 'qBittorrent',
  TR: 'Transmission',
  LT: 'libtorrent',
  lt: 'libtorrent (rakshasa)',
  UT: 'µTorrent',
  DE: 'Deluge',
  BI: 'BiglyBT',
  AZ: 'Vuze',
  TX: 'Tixati',
}

export function clientName(peerIdHex: string | null): string {
  if (peerIdHex === null) return 'unknown'
  const id = Buffer.from(peerIdHex, 'hex').subarray(0, 8).toString('latin1')
  const m = /^-([A-Za-z]{2})([0-9A-Za-z]{4})-$/.exec(id)
  if (m === null) return 'unknown'
  return `${CLIENTS[m[1]!] ?? m[1]} ${versionOf(m[2]!)}`
}

/**
 * The four version characters of an Azureus-style id as people read versions: one part per
 * character (0-9, then A-Z for 10-35), trailing zero parts dropped down to two ("0100" is 0.1,
 * "4510" is 4.5.1). Not every client numbers the same way (Transmission's "2940" is 2.94), but
 * "Coterie 0100" read as a build number, not a version.
 */
function versionOf(chars: string): string {
  const parts = [...chars].map((c) => (/[0-9]/.test(c) ? Number(c) : c.toUpperCase().charCodeAt(0) - 55))
  while (parts.length > 2 && parts.at(-1) === 0) parts.pop()
  return parts.join('.')
}

/** How many of the first `total` pieces a wire's peer announced (HAVE_ALL answers true for any index). */
export function announcedPieces(wire: Wire, total: number): number {
  let n = 0
  for (let i = 0; i < total; i++) if (wire.peerPieces.get(i)) n++
  return n
}

export function summarizePeer(
  wire: Wire,
  ext: CoterieExtension | undefined,
  path: PeerPath = 'direct',
  totalPieces = 0,
): PeerSummary {
  const peer = ext?.peer
  return {
    address: wire.remoteAddress === undefined ? 'unknown' : `${wire.remoteAddress}:${wire.remotePort}`,
    transport: transportOf(wire),
    path,
    client: clientName(wire.peerId),
    state: ext?.state ?? 'no-extension',
    ...(peer?.kind === 'refused' && { reason: peer.code }),
    self:
      ext?.self === undefined ? 'pending' : ext.self.kind === 'refused' ? `refused: ${ext.self.code}` : ext.self.kind,
    ...(peer?.kind === 'authorized' && { member: Buffer.from(peer.certificate.member).toString('hex') }),
    pieces: announcedPieces(wire, totalPieces),
    uploaded: wire.uploaded,
    downloaded: wire.downloaded,
    uploadSpeed: Math.round(wire.uploadSpeed()),
    downloadSpeed: Math.round(wire.downloadSpeed()),
  }
}
