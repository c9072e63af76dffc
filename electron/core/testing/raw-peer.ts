/**
 * A hostile outsider speaking raw BitTorrent: it holds the leaked infohash, connects over TCP,
 * and pushes on every upload path at once: interested, piece requests sent even while choked
 * (bypassing the wire's own check), ut_metadata requests, and it records everything it gets back.
 */
import { connect, type Socket } from 'node:net'
import Wire from 'bittorrent-protocol'
import utMetadata from 'ut_metadata'
import { randomBytes } from 'node:crypto'

export interface RawPeerLog {
  unchoked: number
  pieceBytes: number
  metadataBytes: number
  bitfieldBitsSet: number
  haveAll: number
  haves: number
  sawAvailability: boolean
  /** Extension names the node listed in its BEP 10 handshake (ut_pex must not be one for a private torrent). */
  peerExtensions: string[]
  /** The node's BEP 9 `metadata_size`, if its extended handshake told an outsider (it must not). */
  metadataSize: unknown
}

export interface RawPeer {
  readonly log: RawPeerLog
  close(): void
}

export function rawPeer(host: string, port: number, infoHash: string, o: { listenPort?: number } = {}): RawPeer {
  const log: RawPeerLog = {
    unchoked: 0,
    pieceBytes: 0,
    metadataBytes: 0,
    bitfieldBitsSet: 0,
    haveAll: 0,
    haves: 0,
    sawAvailability: false,
    peerExtensions: [],
    metadataSize: undefined,
  }
  const socket: Socket = connect(port, host)
  const wire = new Wire('tcpOutgoing')
  socket.pipe(wire).pipe(socket)
  socket.on('error', () => {})
  wire.on('error', () => {})
  wire.use(utMetadata())
  // Claims a listen port (BEP 10 "p"), so a node that wrongly shared outsiders' addresses could.
  if (o.listenPort !== undefined) wire.extendedHandshake.p = o.listenPort
  const meta = (
    wire as unknown as { ut_metadata: { fetch(): void; on(e: string, f: (...a: unknown[]) => void): void } }
  ).ut_metadata
  meta.on('metadata', (m) => (log.metadataBytes += (m as Uint8Array).length))
  wire.on('extended', (ext: unknown, dict: unknown) => {
    if (ext !== 'handshake') return
    log.peerExtensions = Object.keys(wire.peerExtendedMapping)
    log.metadataSize = (dict as { metadata_size?: unknown }).metadata_size
    meta.fetch()
  })
  wire.on('bitfield', (bf: { buffer: Uint8Array }) => {
    log.sawAvailability = true
    for (const byte of bf.buffer) for (let b = byte; b; b &= b - 1) log.bitfieldBitsSet++
  })
  wire.on('have-all', () => ((log.sawAvailability = true), log.haveAll++))
  wire.on('have-none', () => (log.sawAvailability = true))
  wire.on('have', () => log.haves++)
  wire.on('unchoke', () => log.unchoked++)
  wire.on('piece', (_i: number, _o: number, buf: Uint8Array) => (log.pieceBytes += buf.length))
  wire.handshake(infoHash, randomBytes(20), { fast: true })
  // Interest after the node's wire setup, so its unchoke-on-interest handler is in place.
  const interest = setTimeout(() => wire.interested(), 300)
  // Ask for blocks whether or not we are unchoked: a gate must refuse them, not the requester.
  const ask = setInterval(() => {
    if (wire.destroyed) return
    const raw = wire as unknown as { _message(id: number, numbers: number[], data: null): void }
    for (let piece = 0; piece < 4; piece++) raw._message(6, [piece, 0, 16384], null)
  }, 500)
  return {
    log,
    close() {
      clearInterval(ask)
      clearTimeout(interest)
      wire.destroy()
      socket.destroy()
    },
  }
}
