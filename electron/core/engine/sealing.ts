/**
 * Sealed transfers on one wire (docs/PROTOCOL.md §5.6): a block we send to a peer we authorized
 * leaves as a sealed record, and a block from a peer that accepted us is opened before webtorrent
 * sees it. A record that fails to open ends the connection (the extension destroys the wire), so a
 * flipped bit costs a reconnect, never a corrupt block. Peers without Coterie are untouched: we
 * download from them in plain BitTorrent, and the gate sends them nothing.
 *
 * Installed before the gate, so the gate's last-line `piece` check wraps this one.
 */
import type Wire from 'bittorrent-protocol'
import type { CoterieExtension } from '../wire/coterie-extension.js'

export function sealWire(wire: Wire, ext: CoterieExtension): void {
  const piece = wire.piece.bind(wire)
  wire.piece = (index: number, offset: number, block: Uint8Array) => {
    if (!ext.sealsOutgoing) return piece(index, offset, block) // the gate drops it: not authorized
    const box = ext.sealPiece(index, offset, block)
    if (box !== undefined) piece(index, offset, box)
  }
  const onPiece = wire._onPiece.bind(wire)
  wire._onPiece = (index: number, offset: number, data: Uint8Array) => {
    if (!ext.opensIncoming) return onPiece(index, offset, data) // a plain peer's block: hash-checked as usual
    const block = ext.openPiece(index, offset, data)
    if (block !== undefined) onPiece(index, offset, block)
  }
}
