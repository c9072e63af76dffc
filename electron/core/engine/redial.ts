/**
 * After a renewal (PROTOCOL.md §13.3): a connection whose peer refused our certificate as expired
 * stays refused (a side proves once per connection), so it is closed and the peer dialled again,
 * where the next handshake shows the renewed certificate. Without this a member that got its
 * renewal from a peer would wait for that peer, or discovery, to bring them together again.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'
import { formatAddress } from '../protocol/address.js'
import type { CoterieExtension } from '../gate/extension.js'
import { listenAddress } from './member-exchange.js'

export function redialRefusedAsExpired(torrent: Torrent, extOf: (wire: Wire) => CoterieExtension | undefined): void {
  for (const wire of [...torrent.wires]) {
    const self = extOf(wire)?.self
    if (wire.destroyed || self?.kind !== 'refused' || self.code !== 'expired') continue
    const at = listenAddress(wire)
    // After the close, so that webtorrent has forgotten the old peer and takes the address again
    // (for an outgoing one it would also re-dial by itself, a second later).
    wire.once('close', () =>
      setImmediate(() => {
        if (at !== undefined && !torrent.destroyed) torrent.addPeer(formatAddress(at))
      }),
    )
    wire.destroy()
  }
}
