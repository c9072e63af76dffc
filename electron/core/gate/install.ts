/**
 * Everything the gate puts on one wire, in one call: bounded framing (bounded-framing.ts), our
 * listen port in the extended handshake, the Coterie extension (extension.ts), sealed transfers
 * (sealing.ts) and, on TCP and uTP wires, the TLS switch that replaces them once both sides
 * offered it (tls-switch.ts), the upload gate (upload-gate.ts), and the verdicts driving the gate:
 * authorized opens uploads, refused closes them (and the wire). It must run synchronously in
 * webtorrent's 'wire' event (docs/ENGINE.md §2: after an await the peer's extended handshake is
 * already gone).
 *
 * What the engine adds on top (pex, the group index, speed limits, duplicate connections) it
 * attaches to the returned handle; it never reaches into the wire for the gate.
 */
import { Socket } from 'node:net'
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import type { FrameErrorCode, TlsErrorCode } from '../../../shared/protocol-codes.js'
import { ROLE } from '../protocol/constants.js'
import type { HandshakeRole } from '../protocol/handshake.js'
import { boundFraming } from './bounded-framing.js'
import {
  coterieExtension,
  extensionOf,
  roleFromWireType,
  type CoterieExtension,
  type GatedTorrent,
} from './extension.js'
import { sealWire } from './sealing.js'
import { TLS_SWITCH_ENABLED, tlsSwitchOptions, type ReplaceConn } from './tls-switch.js'
import { gateWire, type Gate } from './upload-gate.js'

export interface GateDeps {
  /** The torrent's swarm key, our credential and its revocation list, read when the wire arrives. */
  readonly gated: GatedTorrent
  /** Our TCP listening port, sent as BEP 10 "p" so a member we accepted can be named in pex. */
  readonly listenPort: number
  /** Hex of every hello of this node, shared by all its wires (extension.ts). */
  readonly ownHellos: Set<string>
  /** The engine-wide "don't seed on this network" switch: false keeps even members choked. */
  readonly uploadsAllowed: () => boolean
  /** Benchmarks only: no sealed transfers (engine.ts `unsealed`). */
  readonly unsealed?: boolean | undefined
  /** Offer the TLS switch on TCP and uTP wires (PROTOCOL.md §5.6.2); by default on TCP wires when TLS_SWITCH_ENABLED. */
  readonly tls?: boolean | undefined
  /** What the engine follows on this wire (limits, the group index), attached before the gate. */
  readonly follow?: (ext: CoterieExtension) => void
  /** After the gate opened for a newly authorized peer. */
  readonly onAuthorized?: () => void
  /** A refused peer, before the gate closes (and may destroy) its wire, then after. */
  readonly onRefusing?: () => void
  readonly onRefused?: () => void
  /** A sealed record from the peer did not open: the wire is being destroyed. */
  readonly onTampered?: () => void
  /** The peer announced a frame no legitimate message has: the wire is being destroyed. */
  readonly onFrameRefused?: (code: FrameErrorCode, length: number) => void
  /** The TLS switch failed (§5.6.2): the wire is being destroyed. */
  readonly onTlsFailed?: (code: TlsErrorCode) => void
}

/** What install leaves on a wire: its extension and its upload gate. */
export interface GateHandle {
  readonly ext: CoterieExtension
  readonly gate: Gate
}

/**
 * A WebRTC wire has no dialling side: its type is 'webrtc' both ways. The side that made the offer
 * (simple-peer's `initiator`, found through webtorrent's private `_peers`) plays the handshake's
 * initiator, the answering side its responder, so the roles differ as on TCP. Unknown (a release
 * that moved `_peers`): undefined, and the extension reports "no-extension" rather than guess.
 */
function webrtcRole(torrent: Torrent, wire: Wire): HandshakeRole | undefined {
  if (wire.type !== 'webrtc') return undefined
  const peers = (torrent as unknown as { _peers?: Map<string, { wire?: Wire; conn?: { initiator?: boolean } }> })._peers
  if (!(peers instanceof Map)) return undefined
  for (const p of peers.values()) {
    if (p.wire !== wire) continue
    const initiator = p.conn?.initiator
    return initiator === undefined ? undefined : initiator ? ROLE.initiator : ROLE.responder
  }
  return undefined
}

/** What rawTcpSocket reads of webtorrent's Peer (lib/peer.js and the patch in build/patches). */
interface RawPeer {
  readonly wire?: Wire | null
  readonly conn?: unknown
  readonly replaceConn?: ReplaceConn
}

/**
 * How to put TLS on this wire's raw TCP socket (tls-switch.ts), or undefined where it cannot go
 * there: a uTP connection (not a net.Socket), RC4 under the wire (MSE's streams must run under the
 * TLS bytes, PROTOCOL.md §5.6.2), or a webtorrent without the `replaceConn` hook (the patch).
 */
function rawTcpSocket(torrent: Torrent, wire: Wire): ReplaceConn | undefined {
  if (!/^tcp/.test(wire.type) || wire._encryptor?._isEncrypted === true) return undefined
  const peers = (torrent as unknown as { _peers?: Map<string, RawPeer> })._peers
  if (!(peers instanceof Map)) return undefined
  for (const p of peers.values()) {
    if (p.wire !== wire) continue
    const replace = p.replaceConn
    if (!(p.conn instanceof Socket) || typeof replace !== 'function') return undefined
    return (wrap) => replace.call(p, wrap)
  }
  return undefined
}

export function installGate(torrent: Torrent, wire: Wire, deps: GateDeps): GateHandle {
  // First, so no frame of this peer is buffered unbounded while the rest is set up.
  const framing = boundFraming(wire, {
    pieces: () => (torrent.pieces.length > 0 ? torrent.pieces.length : undefined),
    onRefused: deps.onFrameRefused,
  })
  // BEP 10 "p": an incoming connection's source port is not where the peer listens.
  wire.extendedHandshake.p = deps.listenPort
  const lookup = (ih: string) => (ih === torrent.infoHash ? deps.gated : undefined)
  const roleOf = (w: Wire) => roleFromWireType(w) ?? webrtcRole(torrent, w)
  // WebRTC wires keep the sealed records: DTLS already encrypts them, and its keys are not bound
  // to the Coterie handshake (docs/PROTOCOL.md §5.6.2 says why the records stay).
  // By default only TCP offers it: there TLS runs on the raw socket (docs/ENGINE.md §6); on uTP it
  // would run over an in-memory stream, which measured slower than the records. `tls: true` offers
  // it on uTP too (tests).
  const rawCapable = /^tcp(Incoming|Outgoing)$/.test(wire.type)
  const switches =
    (deps.tls ?? (TLS_SWITCH_ENABLED && rawCapable)) &&
    deps.unsealed !== true &&
    /^(tcp|utp)(Incoming|Outgoing)$/.test(wire.type) &&
    tlsSwitchOptions() !== null
  const tls = switches ? framing : undefined
  const tlsRawSocket = () => rawTcpSocket(torrent, wire)
  wire.use(
    coterieExtension({ lookup, ownHellos: deps.ownHellos, infoHash: torrent.infoHash, roleOf, tls, tlsRawSocket }),
  )
  const ext = extensionOf(wire)
  if (ext === undefined) throw new Error('installGate: the extension was not constructed')
  if (deps.unsealed !== true) sealWire(wire, ext)
  // Before the gate's own listeners, so the engine's run first on each verdict, as they always did.
  deps.follow?.(ext)
  const gate = gateWire(torrent, wire, deps.uploadsAllowed)
  ext.on('authorized', () => {
    gate.authorize()
    deps.onAuthorized?.()
  })
  ext.on('tampered', () => deps.onTampered?.())
  ext.on('tls-failed', (code) => deps.onTlsFailed?.(code))
  ext.on('refused', () => {
    deps.onRefusing?.()
    gate.revoke()
    deps.onRefused?.()
  })
  return { ext, gate }
}
