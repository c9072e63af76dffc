/**
 * The authorization gate on one wire: until the peer proves membership on this connection, we
 * send it no piece data, no metadata and no word about which pieces we hold; once it does, the
 * real state follows. Downloads from the peer are never gated.
 *
 * Each upload path webtorrent has, and what closes it (docs/ENGINE.md §1; each is tested on its own):
 *   unchoke on 'interested', rechoke loop, optimistic unchoke  -> wire.unchoke is a no-op
 *   fast extension allowed-fast                                -> wire.allowedFast is a no-op
 *   a PIECE that still slips through (last line)               -> wire.piece drops it
 *   bitfield / have-all / HAVE                                 -> empty bitfield or have-none, HAVEs held
 *   ut_metadata answers                                        -> never answered (see below)
 *   ut_pex, DHT, trackers, LSD                                 -> closed torrents are private (engine/engine.ts);
 *                                                                 discovery is under private topics, and
 *                                                                 pex goes to authorized members only
 * Wrappers replace methods on this wire instance only; the originals stay reachable for us.
 */
import type Wire from 'bittorrent-protocol'
import type { Torrent } from 'webtorrent'

export interface Gate {
  readonly authorized: boolean
  authorize(): void
  /** Stops uploading to the peer at once (certificate expired or revoked mid-connection). */
  revoke(): void
  /** Chokes the peer, e.g. when uploads were paused (it stays authorized). */
  choke(): void
}

interface UtMetadata {
  _onRequest(piece: number): void
}

/**
 * `uploadsAllowed` is the engine-wide switch ("don't seed on this network"): while it answers
 * false, even an authorized peer is kept choked and gets no piece.
 */
export function gateWire(torrent: Torrent, wire: Wire, uploadsAllowed: () => boolean = () => true): Gate {
  const original = {
    unchoke: wire.unchoke.bind(wire),
    choke: wire.choke.bind(wire),
    piece: wire.piece.bind(wire),
    bitfield: wire.bitfield.bind(wire),
    have: wire.have.bind(wire),
    haveAll: wire.haveAll.bind(wire),
    haveNone: wire.haveNone.bind(wire),
  }
  let authorized = false
  let announcedAvailability = false // we sent our (empty) bitfield / have-none: HAVEs may follow

  wire.unchoke = () => {
    if (authorized && uploadsAllowed()) original.unchoke()
  }
  wire.allowedFast = () => {}
  wire.piece = (index: number, offset: number, buffer: Uint8Array) => {
    if (authorized && uploadsAllowed()) original.piece(index, offset, buffer)
  }
  wire.bitfield = (bitfield: { buffer: Uint8Array } | Uint8Array) => {
    announcedAvailability = true
    if (authorized) return original.bitfield(bitfield)
    const bytes = ArrayBuffer.isView(bitfield) ? bitfield : bitfield.buffer
    return wire.hasFast ? original.haveNone() : original.bitfield(new Uint8Array(bytes.length))
  }
  wire.haveAll = () => {
    announcedAvailability = true
    return authorized ? original.haveAll() : original.haveNone()
  }
  wire.haveNone = () => {
    announcedAvailability = true
    return original.haveNone()
  }
  wire.have = (index: number) => {
    if (authorized) original.have(index)
  }

  // Members get a closed torrent's metadata from their invite, sealed to them; a ut_metadata answer
  // would carry the file names in clear even to a member (sealed transfers cover PIECE blocks and
  // Coterie messages, PROTOCOL.md §5.6). So nobody gets one. Silence, not a reject: the requester
  // learns nothing it did not know from our BitTorrent handshake.
  const utMetadata = (wire as unknown as { ut_metadata?: UtMetadata }).ut_metadata
  if (utMetadata !== undefined) utMetadata._onRequest = () => {}
  // Nor is its size announced: BEP 9 puts `metadata_size` in the extended handshake, which leaves
  // before anyone has proved anything, and an outsider would learn how large the info dictionary is
  // (a hint at the file count and names). ut_metadata sets it when it is created with the metadata
  // and again in setMetadata (once the torrent is ready); a non-enumerable property that ignores
  // writes keeps it out of the handshake bittorrent-protocol copies with Object.assign.
  const handshake = (wire as unknown as { extendedHandshake: Record<string, unknown> }).extendedHandshake
  delete handshake.metadata_size
  Object.defineProperty(handshake, 'metadata_size', { enumerable: false, get: () => undefined, set: () => {} })

  return {
    get authorized() {
      return authorized
    },
    authorize() {
      if (authorized || wire.destroyed) return
      authorized = true
      // The peer saw an empty bitfield; now it learns what we really hold. A seeder says so in
      // one HAVE_ALL where it can: a HAVE per piece (1,024 for 256 MiB) delayed the first block
      // by up to half a second over uTP (bench). HAVE_ALL after HAVE_NONE replaces the earlier
      // availability in bittorrent-protocol and libtorrent alike.
      const bitfield = torrent.bitfield
      let held = 0
      if (announcedAvailability && bitfield !== undefined) {
        const count = torrent.pieces.length
        for (let i = 0; i < count; i++) if (bitfield.get(i)) held++
        if (held === count && wire.hasFast) original.haveAll()
        else for (let i = 0; i < count && held > 0; i++) if (bitfield.get(i)) original.have(i)
      }
      // Unchoke with the availability, not after the peer's INTERESTED: that saves the peer a
      // round trip (it learns what we hold and that it may ask in one flight), which in a swarm
      // is paid on every member-to-member connection (bench: first byte ~200 ms later than
      // plain webtorrent with 8 members). webtorrent unchokes every interested peer anyway and
      // the rechoke loop trims the set to its slots.
      if ((wire.peerInterested || held > 0) && uploadsAllowed()) original.unchoke()
    },
    choke() {
      if (!wire.destroyed) original.choke()
    },
    revoke() {
      if (!authorized) return
      authorized = false
      // Blocks already handed to the wire sit in its stream and the upload throttle, beyond the
      // reach of choke() (about 10 MB unthrottled, docs/ENGINE.md §1): only closing the connection
      // stops them. A peer that reconnects is refused at the handshake and gets nothing.
      original.choke()
      wire.destroy()
    },
  }
}

/**
 * Makes the rechoke loop (regular and optimistic slots) consider authorized wires only, so an
 * unauthorized peer never takes an upload slot a member could use.
 */
export function rechokeAuthorizedOnly(torrent: Torrent, isAuthorized: (wire: Wire) => boolean): void {
  const rechoke = torrent._rechoke.bind(torrent)
  torrent._rechoke = () => {
    const all = torrent.wires
    torrent.wires = all.filter(isAuthorized)
    try {
      rechoke()
    } finally {
      // webtorrent may have added or removed wires meanwhile only through its own handlers,
      // which run outside this synchronous call.
      torrent.wires = all
    }
  }
}
