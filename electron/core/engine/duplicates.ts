/**
 * One connection per member. Two members that find each other by two routes at once (an invite
 * peer and pex, LSD and the DHT) both dial, and webtorrent keeps both connections: two
 * handshakes, two request pipelines, twice the HAVE traffic. When a second connection to the
 * same member becomes authorized, both ends keep the one opened by the lower peer id and close
 * the other, so they agree without a message.
 *
 * Only authorized connections count: peer ids are self-declared, and an outsider claiming a
 * member's id must not be able to make us close that member's connection. The member key is
 * what the peer proved.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'

interface PeerRecord {
  wire?: Wire
  retries?: number
}

// webtorrent re-dials a closed outgoing connection (after 1, 5 and 15 s), and resets the count on
// every successful handshake: a dropped duplicate would be re-dialled for ever. A peer that has
// used up its retries is not re-dialled (with uTP off, the engine's default).
const NO_MORE_RETRIES = 3

const initiatorId = (wire: Wire, ownPeerId: string): string =>
  /Outgoing$/.test(wire.type) ? ownPeerId : (wire.peerId ?? '')

/** Call when `wire` becomes authorized; `memberOf` gives the member key (hex) a wire's peer proved. */
export function dropDuplicate(
  torrent: Torrent,
  wire: Wire,
  ownPeerId: string,
  memberOf: (w: Wire) => string | undefined,
): void {
  const member = memberOf(wire)
  if (member === undefined || wire.peerId === null) return
  const twin = torrent.wires.find(
    (w) => w !== wire && !w.destroyed && w.peerId === wire.peerId && memberOf(w) === member,
  )
  if (twin === undefined) return
  const [keep, drop] = initiatorId(wire, ownPeerId) < initiatorId(twin, ownPeerId) ? [wire, twin] : [twin, wire]
  if (keep.type === drop.type) return // both opened by the same side: not a crossing, leave it to webtorrent
  if (/Outgoing$/.test(drop.type)) {
    const peers = (torrent as unknown as { _peers?: Map<string, PeerRecord> })._peers
    if (peers instanceof Map) for (const p of peers.values()) if (p.wire === drop) p.retries = NO_MORE_RETRIES
  }
  // Not inside the event that called us: webtorrent is still setting the wire up.
  setImmediate(() => drop.destroy())
}
