/**
 * Sealed transfers on one wire (docs/PROTOCOL.md §5.6): a block we send to a peer we authorized
 * leaves as a sealed record, and a block from a peer that accepted us is opened before webtorrent
 * sees it. A record that fails to open ends the connection (the extension destroys the wire), so a
 * flipped bit costs a reconnect, never a corrupt block. Peers without Coterie are untouched: we
 * download from them in plain BitTorrent, and the gate sends them nothing.
 *
 * Installed before the upload gate (install.ts), so the gate's last-line `piece` check wraps this one.
 */
import type Wire from 'bittorrent-protocol'
import type { CoterieExtension } from './extension.js'

export function sealWire(wire: Wire, ext: CoterieExtension): void {
  const piece = wire.piece.bind(wire)
  wire.piece = (index: number, offset: number, block: Uint8Array) => {
    // Not authorized: the gate drops it. Moved into TLS (tls-switch.ts): TLS seals it.
    if (!ext.sealsPieces) return piece(index, offset, block)
    const frame = ext.sealPiece(index, offset, block, PIECE_HEADER)
    if (frame !== undefined) pushPiece(wire, index, offset, frame)
  }
  const onPiece = wire._onPiece.bind(wire)
  wire._onPiece = (index: number, offset: number, data: Uint8Array) => {
    // A plain peer's block, hash-checked as usual; or one that came through TLS.
    if (!ext.opensPieces) return onPiece(index, offset, data)
    const block = ext.openPiece(index, offset, data)
    if (block !== undefined) onPiece(index, offset, block)
  }
}

/** <len><7><index><begin>: a PIECE message's header, before its payload. */
const PIECE_HEADER = 13

/**
 * What Wire.piece() does, for a record sealed with room for its header: one buffer into the
 * stream instead of two, which saves a pass through webtorrent's per-chunk pipeline (two throttles,
 * two transforms, a socket write) for every 16 KiB block.
 */
function pushPiece(wire: Wire, index: number, offset: number, frame: Uint8Array): void {
  const record = frame.length - PIECE_HEADER
  const view = new DataView(frame.buffer, frame.byteOffset, PIECE_HEADER)
  view.setUint32(0, PIECE_HEADER - 4 + record)
  view.setUint8(4, 7)
  view.setUint32(5, index)
  view.setUint32(9, offset)
  wire._push(frame)
  wire.uploaded += record
  wire.uploadSpeed(record)
  wire.emit('upload', record)
}
