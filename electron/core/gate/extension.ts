/**
 * The closed-swarm handshake as a BEP 10 extension for bittorrent-protocol wires, written the way
 * ut_metadata is (docs/ENGINE.md §2): a factory that takes its dependencies and returns a class
 * whose prototype names the extension. It is the thin adapter between BEP 10 and the gate: it
 * decodes each message once and routes it by its kind (one switch, in onMessage); the handshake's
 * steps, deadline and re-checks are handshake-driver.ts, and this file only relays the verdicts
 * as events and opens and seals what passes. What "authorized" unlocks (unchoke, bitfield,
 * metadata) is upload-gate.ts, and install.ts connects the two on every wire. The engine finds a
 * wire's extension with extensionOf(wire), never through a property on the wire.
 *
 * Lifecycle on one wire:
 *   constructor        our hello goes into wire.extendedHandshake.coterie (incoming wires send
 *                      their extended handshake before onHandshake runs, so it must be there now);
 *                      installed late (`infoHash`), it takes the handshakes the wire already parsed
 *   onHandshake        learn the infohash; a torrent we cannot gate, or a peer without BEP 10,
 *                      ends here ("no-extension"); start the handshake driver (and its deadline)
 *   onExtendedHandshake  the peer's hello: derive keys; the initiator sends its proof
 *   onMessage          proofs, accept, refuse (to the driver); then `sealed` messages
 *   (driver's timer)   deadline, then re-checks of the peer's certificate expiry while connected
 *
 * Events (typed: GateEvents):
 *         'authorized' (Certificate)  the peer proved membership: we may upload to it
 *         'refused'    (RejectCode)   we will not upload to it (also after it was authorized)
 *         'self'       (SelfVerdict)  what the peer made of our proof
 *         'mutual'                    authorized both ways: pex may flow (protocol/pex.ts)
 *         'pex'        (PeerAddress[]) member addresses from a peer we authorized, rate-limited
 *         'pex-ignored' (PexIgnored)  a pex we did not use, and why
 *         'no-extension'              the peer does not speak Coterie
 *         'message'    (Envelope, bytes) a sealed message opened and decoded (PROTOCOL.md §5.6)
 *         'tampered'                  a sealed record failed to open: the wire is being destroyed
 *         'lapsed'     (Certificate)  we refused the peer `expired`, but it proved its member key:
 *                                     it may be sent its renewal (sendRenewal, PROTOCOL.md §13.3)
 *         'renewal'    (Envelope, bytes) a sealed message from a peer that refused us `expired`: what
 *                                     may carry our renewal (an index payload), nothing else
 *         'tls-bound'                 the connection moved into TLS and the binding held (§5.6.2)
 *         'tls-failed' (TlsErrorCode) the TLS switch failed: the wire is being destroyed
 *
 * Sealed transfers: once we authorized the peer (and so told it), every piece block and sealed
 * message we send it is sealed (sealPiece, sendSealed); once it told us it accepted us, every one
 * it sends us is opened (openPiece). The engine hooks the wire's piece paths to these.
 *
 * The TLS switch (PROTOCOL.md §5.6.2, tls-switch.ts), on a wire given `tls`: once mutual, each side
 * sends a sealed `tls-offer`; a side that has sent and received one sends a sealed `tls-start`, the
 * last clear byte of its direction, and its output goes into TLS; the peer's `tls-start` moves our
 * input. From then on blocks are not sealed as records (sealsPieces/opensPieces): TLS seals them.
 * A peer that never offers (an older Coterie, or a WebRTC wire) keeps the records.
 */
import { EventEmitter } from 'node:events'
import type Wire from 'bittorrent-protocol'
import type { ExtensionClass } from 'bittorrent-protocol'
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js'
import { EXTENSION_NAME, HANDSHAKE_TIMEOUT_MS, MAX_PEX_PEERS, PROTOCOL_VERSION, ROLE } from '../protocol/constants.js'
import { decodeEnvelope, isFamily, type Envelope } from '../protocol/envelope.js'
import { encodePex, pexPeers, type PexProblem } from '../protocol/pex.js'
import { err } from '../../../shared/result.js'
import type { PeerAddress } from '../protocol/address.js'
import type { Certificate } from '../protocol/certificate.js'
import {
  helloBytes,
  type Credential,
  type HandshakeRole,
  type PeerVerdict,
  type SelfVerdict,
} from '../protocol/handshake.js'
import { ephemeralFromSecret } from '../protocol/session.js'
import { SealedTransfer, encodeSealedMessage } from '../protocol/transfer.js'
import type { RejectCode, TlsErrorCode } from '../../../shared/protocol-codes.js'
import { encode } from '../protocol/canonical.js'
import { tlsBindingKey } from '../protocol/tls-binding.js'
import type { Framing } from './bounded-framing.js'
import { HandshakeDriver } from './handshake-driver.js'
import { PexLimits } from './pex-limits.js'
import { RenewalWindow } from './renewal-window.js'
import { TlsSwitch, type ReplaceConn } from './tls-switch.js'

const TLS_OFFER = encode({ t: 'tls-offer' })
const TLS_START = encode({ t: 'tls-start' })

/** What the engine knows about a torrent it gates. */
export interface GatedTorrent {
  readonly swarm: Uint8Array
  readonly credential?: Credential | undefined
  /** Members the group's owner removed (the newest group index, PROTOCOL.md §13). */
  readonly isRevoked?: (member: Uint8Array) => boolean
}

export interface CoterieExtensionOptions {
  /** The torrent's swarm key and our credential, or undefined if we do not gate this infohash. */
  readonly lookup: (infoHashHex: string) => GatedTorrent | undefined
  /** Unix seconds; injected so tests can move time. */
  readonly now?: () => number
  readonly random?: (n: number) => Uint8Array
  readonly timeoutMs?: number | undefined
  /** Which side we are; by default from the wire's type (tcpOutgoing / utpIncoming / ...). */
  readonly roleOf?: (wire: Wire) => HandshakeRole | undefined
  /**
   * Hex of every nonce and ephemeral key this node has live, shared by all its wires, so a hello
   * of ours forwarded from another of our connections is refused as reflected.
   */
  readonly ownHellos?: Set<string>
  /** Milliseconds, for pex rate limits; injected so tests can move time. */
  readonly clockMs?: (() => number) | undefined
  /**
   * The infohash of the torrent this wire belongs to, for a wire whose BitTorrent handshake arrived
   * before the extension was installed: webtorrent installs on an incoming plaintext (non-MSE)
   * connection only after an await, past the wire's own onHandshake calls.
   */
  readonly infoHash?: string
  /**
   * Offer the TLS switch on this wire (§5.6.2): the wire's framing, which the switch diverts at the
   * peer's `tls-start`. Undefined: sealed records only, and a peer's offer is left unanswered.
   */
  readonly tls?: Framing | undefined
  /** TLS on the raw TCP socket, where the connection allows it (tls-switch.ts `rawSocket`). */
  readonly tlsRawSocket?: (() => ReplaceConn | undefined) | undefined
}

/** Why a received pex was dropped: its bytes, a peer we did not authorize, or too soon after the last. */
export type PexIgnored = PexProblem | 'unauthorized' | 'too-soon' | 'unsealed'

export type PeerState = PeerVerdict['kind'] | 'no-extension'

// BEP 10: an id of 0 in "m" means the peer disabled the extension, exactly like its absence.
const peerSpeaksCoterie = (wire: Wire): boolean => {
  const id = wire.peerExtendedMapping[EXTENSION_NAME]
  return typeof id === 'number' && id > 0
}

// bittorrent-protocol starts peerExtendedHandshake as {} and replaces it with the peer's decoded
// dictionary; an empty one from the peer lists no extension, and meets the handshake deadline.
const extendedHandshakeCame = (wire: Wire): boolean => Object.keys(wire.peerExtendedHandshake ?? {}).length > 0

export const roleFromWireType = (wire: Wire): HandshakeRole | undefined =>
  /Outgoing$/.test(wire.type) ? ROLE.initiator : /Incoming$/.test(wire.type) ? ROLE.responder : undefined

/** What each event carries (see the header). */
export interface GateEvents {
  authorized: [certificate: Certificate]
  refused: [code: RejectCode]
  self: [verdict: SelfVerdict]
  mutual: []
  pex: [peers: PeerAddress[]]
  'pex-ignored': [why: PexIgnored]
  'no-extension': []
  message: [payload: Envelope, bytes: Uint8Array]
  tampered: []
  lapsed: [certificate: Certificate]
  renewal: [payload: Envelope, bytes: Uint8Array]
  'tls-bound': []
  'tls-failed': [code: TlsErrorCode]
}

// Each wire's extension, set when bittorrent-protocol constructs it in wire.use().
const extensions = new WeakMap<Wire, CoterieExtension>()

/** The Coterie extension installed on `wire`, if any. */
export const extensionOf = (wire: Wire): CoterieExtension | undefined => extensions.get(wire)

export interface CoterieExtension extends EventEmitter<GateEvents> {
  readonly state: PeerState
  readonly peer: PeerVerdict | undefined
  readonly self: SelfVerdict | undefined
  readonly sessionSecret: Uint8Array | undefined
  readonly bytesSent: number
  readonly bytesReceived: number
  /** We authorized the peer and it accepted our proof. */
  readonly mutual: boolean
  /** Sends a pex if the connection is mutual and the last one went out long enough ago; false if not sent. */
  sendPex(peers: readonly PeerAddress[]): boolean
  /** We authorized the peer: what we send it is sealed. */
  readonly sealsOutgoing: boolean
  /** The peer accepted us: what it sends us is sealed. */
  readonly opensIncoming: boolean
  /** We seal blocks as records: we authorized the peer and our output has not moved into TLS. */
  readonly sealsPieces: boolean
  /** Blocks from the peer are records: it accepted us and its output has not moved into TLS. */
  readonly opensPieces: boolean
  /** The connection moved into TLS both ways and the binding held (§5.6.2). */
  readonly tlsBound: boolean
  /**
   * The sealed record for a block we send, `headroom` bytes into the result, or undefined (then
   * the wire is destroyed).
   */
  sealPiece(index: number, begin: number, block: Uint8Array, headroom?: number): Uint8Array | undefined
  /** The block inside a record the peer sent, or undefined (then the wire is destroyed). */
  openPiece(index: number, begin: number, box: Uint8Array): Uint8Array | undefined
  /** Sends a sealed message to a peer we authorized; false if we may not (not authorized, closed). */
  sendSealed(payload: Uint8Array): boolean
  /** Checks an authorized peer again now (a new revocation list arrived): refuses it if it is out. */
  recheck(): void
  /** The certificate of a peer we refused `expired` after it proved its key (PROTOCOL.md §13.3). */
  readonly lapsed: Certificate | undefined
  /**
   * Sends an index payload, sealed, to a lapsed peer, within RENEWAL_TIMEOUT_MS of refusing it;
   * false if we may not. The first one sent makes this a renewal-only connection: it is closed
   * when that time is up, if the peer has not closed it first.
   */
  sendRenewal(payload: Uint8Array): boolean
  /** The peer refused us `expired` less than RENEWAL_TIMEOUT_MS ago: what it seals to us is opened as 'renewal'. */
  readonly renewing: boolean
  /** We have what we wanted of the renewal (or gave up on it): a later sealed message from the peer ends the wire. */
  endRenewal(): void
}

export function coterieExtension(o: CoterieExtensionOptions): ExtensionClass {
  const now = o.now ?? (() => Math.floor(Date.now() / 1000))
  const random = o.random ?? randomBytes
  const roleOf = o.roleOf ?? roleFromWireType
  const clockMs = o.clockMs ?? Date.now

  class Coterie extends EventEmitter<GateEvents> implements CoterieExtension {
    declare name: string
    readonly #wire: Wire
    readonly #nonce = random(32)
    readonly #ephemeralSecret = random(32)
    #hs: HandshakeDriver | undefined
    #noExtension = false
    readonly #pex = new PexLimits()
    #transfer: SealedTransfer | undefined
    readonly #renewal = new RenewalWindow()
    #renewalTimer: NodeJS.Timeout | undefined
    #tlsOfferSent = false
    #tlsOfferReceived = false
    #tlsStartReceived = false
    #tls: TlsSwitch | undefined
    bytesSent = 0
    bytesReceived = 0

    constructor(wire: Wire) {
      super()
      this.#wire = wire
      extensions.set(wire, this)
      const hello = { v: PROTOCOL_VERSION, n: this.#nonce, e: ephemeralFromSecret(this.#ephemeralSecret).publicKey }
      wire.extendedHandshake[EXTENSION_NAME] = hello
      this.bytesSent += helloBytes(hello) ?? 0
      const own = [bytesToHex(hello.n), bytesToHex(hello.e)]
      own.forEach((h) => o.ownHellos?.add(h))
      wire.once('close', () => {
        this.#hs?.stop()
        clearTimeout(this.#renewalTimer)
        own.forEach((h) => o.ownHellos?.delete(h))
      })
      // A peer whose extended handshake does not list us never reaches onExtendedHandshake.
      wire.on('extended', (ext: unknown) => {
        if (ext === 'handshake' && !peerSpeaksCoterie(wire)) this.#markNoExtension()
      })
      if (o.infoHash !== undefined && wire.peerId !== null) {
        this.onHandshake(o.infoHash, wire.peerId, wire.peerExtensions)
        // Its extended handshake may have come in the same read as its BitTorrent handshake (a
        // client that does not wait for ours), and been parsed before this install too: taken now,
        // as the wire would have had we been installed (else its proof looks unexpected).
        if (extendedHandshakeCame(wire)) {
          if (peerSpeaksCoterie(wire)) this.onExtendedHandshake(wire.peerExtendedHandshake)
          else this.#markNoExtension()
        }
      }
    }

    get state(): PeerState {
      return this.#noExtension ? 'no-extension' : (this.#hs?.peer.kind ?? 'pending')
    }
    get peer(): PeerVerdict | undefined {
      return this.#hs?.peer
    }
    get self(): SelfVerdict | undefined {
      return this.#hs?.self
    }
    get sessionSecret(): Uint8Array | undefined {
      return this.#hs?.sessionSecret
    }
    get mutual(): boolean {
      return this.#hs?.mutual === true
    }

    sendPex(peers: readonly PeerAddress[]): boolean {
      const at = clockMs()
      if (!this.mutual || peers.length === 0 || this.#wire.destroyed || !peerSpeaksCoterie(this.#wire)) return false
      if (this.#pex.tooSoonToSend(at)) return false
      // Member addresses are membership: they travel sealed (PROTOCOL.md §5.6), never in clear.
      if (!this.sendSealed(encodePex(peers.slice(0, MAX_PEX_PEERS)))) return false
      this.#pex.sent(at)
      return true
    }

    get sealsOutgoing(): boolean {
      return this.#hs?.peer.kind === 'authorized'
    }
    get opensIncoming(): boolean {
      return this.#hs?.self.kind === 'accepted'
    }
    get sealsPieces(): boolean {
      return this.sealsOutgoing && this.#tls === undefined
    }
    get opensPieces(): boolean {
      return this.opensIncoming && !this.#tlsStartReceived
    }
    get tlsBound(): boolean {
      return this.#tls?.bound === true
    }

    // Once mutual, on a wire that may switch: our offer (sealed, so no one on the path can forge
    // or strip it without breaking the records after it).
    #offerTls(): void {
      if (o.tls === undefined || this.#tlsOfferSent || !this.mutual) return
      if (!this.sendSealed(TLS_OFFER)) return
      this.#tlsOfferSent = true
      this.#startTls()
    }

    // Both offers exchanged: our marker, then our output moves into TLS.
    #startTls(): void {
      const hs = this.#hs
      if (!this.#tlsOfferSent || !this.#tlsOfferReceived || this.#tls !== undefined) return
      if (o.tls === undefined || hs?.sessionSecret === undefined || hs.transcript === undefined) return
      const tls = new TlsSwitch(this.#wire, {
        role: hs.role,
        bindingKey: tlsBindingKey(hs.sessionSecret, hs.transcript),
        framing: o.tls,
        rawSocket: o.tlsRawSocket,
        onBound: () => void this.emit('tls-bound'),
        onFailed: (code) => void this.emit('tls-failed', code),
      })
      if (!this.sendSealed(TLS_START)) return
      this.#tls = tls
      tls.switchOutput()
    }

    #onSwitch(e: Envelope): void {
      if (o.tls === undefined) return // we do not switch: left unanswered, as an older node would
      const unexpected = () => {
        if (this.#wire.destroyed) return
        this.emit('tls-failed', 'tls-unexpected')
        this.#wire.destroy()
      }
      if (e.kind !== 'switch') return unexpected()
      if (e.message.t === 'tls-offer') {
        if (this.#tlsOfferReceived || !this.mutual) return unexpected()
        this.#tlsOfferReceived = true
        return this.#startTls()
      }
      if (this.#tls === undefined || this.#tlsStartReceived) return unexpected()
      this.#tlsStartReceived = true
      this.#tls.switchInput()
    }

    sealPiece(index: number, begin: number, block: Uint8Array, headroom = 0): Uint8Array | undefined {
      const box = this.sealsOutgoing ? this.#sealed()?.sealPiece(index, begin, block, headroom) : undefined
      if (box === undefined) this.#tampered()
      return box
    }

    openPiece(index: number, begin: number, box: Uint8Array): Uint8Array | undefined {
      const plain = this.opensIncoming ? this.#sealed()?.openPiece(index, begin, box) : undefined
      if (plain === undefined) this.#tampered()
      return plain
    }

    recheck(): void {
      this.#hs?.recheck()
    }

    get lapsed(): Certificate | undefined {
      return this.#hs?.lapsed
    }

    sendRenewal(payload: Uint8Array): boolean {
      const left = this.#renewal.sendableFor(clockMs())
      if (this.#hs?.lapsed === undefined || left === undefined) return false
      if (this.#wire.destroyed || !peerSpeaksCoterie(this.#wire) || !isFamily(decodeEnvelope(payload), 'index'))
        return false
      const box = this.#sealed()?.sealMessage(payload)
      if (box === undefined) return (this.#tampered(), false)
      if (this.#renewalTimer === undefined) {
        // The peer closes the connection once it has its renewal (to reconnect with it); this is
        // the bound if it does not.
        this.#renewalTimer = setTimeout(() => this.#wire.destroy(), Math.max(0, left))
        this.#renewalTimer.unref?.()
      }
      const m = encodeSealedMessage(box)
      this.#wire.extended(EXTENSION_NAME, m)
      this.bytesSent += m.length
      return true
    }

    get renewing(): boolean {
      return this.#hs?.awaitsRenewal === true && this.#renewal.receiving(clockMs())
    }

    endRenewal(): void {
      this.#renewal.end()
    }

    sendSealed(payload: Uint8Array): boolean {
      if (!this.sealsOutgoing || this.#wire.destroyed || !peerSpeaksCoterie(this.#wire)) return false
      const box = this.#sealed()?.sealMessage(payload)
      if (box === undefined) return (this.#tampered(), false)
      const m = encodeSealedMessage(box)
      this.#wire.extended(EXTENSION_NAME, m)
      this.bytesSent += m.length
      return true
    }

    // Keys exist once the hellos are exchanged; the transfer is made on first use.
    #sealed(): SealedTransfer | undefined {
      const hs = this.#hs
      if (this.#transfer === undefined && hs?.sessionSecret !== undefined && hs.transcript !== undefined) {
        this.#transfer = new SealedTransfer(hs.sessionSecret, hs.transcript, hs.role)
      }
      return this.#transfer
    }

    #tampered(): void {
      if (this.#wire.destroyed) return
      this.emit('tampered')
      this.#wire.destroy()
    }

    onHandshake(infoHashHex: string, _peerId: string, extensions: { extended?: boolean }): void {
      const torrent = o.lookup(infoHashHex)
      const role = roleOf(this.#wire)
      if (torrent === undefined || role === undefined || extensions.extended !== true) return this.#markNoExtension()
      this.#hs?.stop() // a second BitTorrent handshake starts over: the old deadline must not fire
      this.#hs = new HandshakeDriver(
        {
          role,
          infoHash: hexToBytes(infoHashHex),
          swarm: torrent.swarm,
          credential: torrent.credential,
          nonce: this.#nonce,
          ephemeralSecret: this.#ephemeralSecret,
          isOwn: (n, e) =>
            o.ownHellos !== undefined && (o.ownHellos.has(bytesToHex(n)) || o.ownHellos.has(bytesToHex(e))),
          isRevoked: torrent.isRevoked,
        },
        {
          now,
          timeoutMs: o.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
          send: (m) => this.#send(m),
          hooks: {
            awaitsRenewal: () => this.#renewal.awaiting(clockMs()),
            authorized: (c) => void this.emit('authorized', c),
            refused: (code, lapsed) => {
              this.emit('refused', code)
              if (lapsed !== undefined) {
                this.#renewal.peerLapsed(clockMs())
                this.emit('lapsed', lapsed)
              }
            },
            self: (v) => void this.emit('self', v),
            mutual: () => {
              this.emit('mutual')
              this.#offerTls()
            },
          },
        },
      )
    }

    onExtendedHandshake(handshake: Record<string, unknown>): void {
      if (this.#hs === undefined) return
      this.bytesReceived += helloBytes(handshake[EXTENSION_NAME]) ?? 0
      this.#hs.onPeerHello(handshake[EXTENSION_NAME])
    }

    // Each message is decoded once (protocol/envelope.ts), and a sealed one's payload once more
    // after it is opened; every step below takes the decoded value.
    onMessage(buf: Uint8Array): void {
      if (this.#hs === undefined) return
      this.bytesReceived += buf.length
      const e = decodeEnvelope(buf)
      switch (e.kind) {
        case 'sealed':
          return this.#onSealed(e.box)
        case 'pex':
          // A pex in clear is not one we sent (ours are sealed): dropped, it never changes a verdict.
          return void this.emit('pex-ignored', 'unsealed')
        case 'malformed':
          if (e.claimed === 'sealed') return this.#tampered()
          if (e.claimed === 'pex') return void this.emit('pex-ignored', 'unsealed')
          return this.#hs.onEnvelope(e)
        case 'handshake':
        case 'index': // in clear it is no handshake message: refused as malformed
        case 'switch': // only ever sealed: in clear, refused as malformed too
          return this.#hs.onEnvelope(e)
      }
    }

    #onSealed(box: Uint8Array): void {
      // A sealed message before the peer accepted us cannot be one of its records (tampering),
      // unless it refused us `expired` a moment ago: then it may be our renewal (§13.3).
      const renewal = !this.opensIncoming && this.renewing
      const plain = !(this.opensIncoming || renewal) ? undefined : this.#sealed()?.openMessage(box)
      if (plain === undefined) return this.#tampered()
      const e = decodeEnvelope(plain)
      if (renewal) return void this.emit('renewal', e, plain)
      if (isFamily(e, 'switch')) return this.#onSwitch(e)
      // A pex is no handshake message: a bad one is dropped, it never changes a verdict.
      if (isFamily(e, 'pex')) return this.#onPex(e)
      this.emit('message', e, plain)
    }

    #onPex(e: Envelope): void {
      const ignore = (why: PexIgnored) => void this.emit('pex-ignored', why)
      if (this.#hs?.peer.kind !== 'authorized') return ignore('unauthorized')
      const at = clockMs()
      if (this.#pex.tooSoonToTake(at)) return ignore('too-soon')
      const peers = e.kind === 'pex' ? pexPeers(e.message) : err('malformed' as const)
      if (!peers.ok) return ignore(peers.error)
      this.#pex.took(at)
      this.emit('pex', peers.value)
    }

    // One handshake message out, for the driver; false once the wire takes no more.
    #send(m: Uint8Array): boolean {
      if (this.#wire.destroyed || !peerSpeaksCoterie(this.#wire)) return false
      try {
        this.#wire.extended(EXTENSION_NAME, m)
        this.bytesSent += m.length
        return true
      } catch {
        return false // the wire closed under us; its 'close' handler cleans up
      }
    }

    #markNoExtension(): void {
      if (this.#noExtension || this.#hs?.peer.kind === 'authorized') return
      this.#noExtension = true
      this.#hs?.stop()
      this.emit('no-extension')
    }
  }
  Coterie.prototype.name = EXTENSION_NAME
  return Coterie as unknown as ExtensionClass
}
