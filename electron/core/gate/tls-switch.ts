/**
 * The TLS switch on one wire (docs/PROTOCOL.md §5.6.2): once two members authorized each other on
 * a TCP connection and marked the last clear byte of each direction (the `tls-start` message,
 * extension.ts), the rest of the connection is TLS 1.3, so OpenSSL seals every byte (blocks and
 * control messages alike) at native speed instead of one JS AEAD call per block (docs/ENGINE.md §6).
 *
 * Where it sits, on a TCP connection without MSE's RC4 (`replaceConn` given): on the raw socket.
 * Our output switches at our `tls-start`: what the wire pushes after it is held. At the peer's
 * `tls-start` (inside the parser) the received bytes after it (the parser's left-over bytes, and
 * those still in webtorrent's pipeline) are taken from the parser, the pipeline stops reading the
 * socket, and once it has written every clear byte we pushed and handed the wire every byte it
 * read, the TLS socket is made on the TCP socket itself (those bytes put back in front of what the
 * socket holds), and put in its place at both ends of webtorrent's `conn -> throttles -> wire ->
 * conn` pipeline (the patch to webtorrent's lib/peer.js, `replaceConn`). OpenSSL then reads and
 * writes the socket directly. The bytes on the wire are those of PROTOCOL.md §5.6.2 either way:
 * only our ClientHello (or the server's first answer) leaves after the peer's `tls-start` is read
 * rather than right after ours, which a conforming peer sends without waiting for ours.
 *
 * Elsewhere (uTP, whose connections are not net.Sockets; a connection under RC4, whose streams
 * must run under the TLS bytes; a release of webtorrent without the hook) inside
 * bittorrent-protocol's Wire, below its message parser and above MSE, over an in-memory Duplex:
 *   out  the wire's messages (Wire._push) go into the TLS socket's clear side; its records go out
 *        through the original _push, after every clear byte already pushed (the same queue);
 *   in   received bytes after the peer's `tls-start` (the parser's left-over bytes first) go to
 *        the TLS socket (bounded-framing.ts `divert`); what it decrypts is parsed as before (`feed`).
 * Node wraps that Duplex as a JS stream socket, which completes one write per event-loop turn:
 * measured slower than the raw socket (docs/ENGINE.md §6).
 *
 * Keying: throwaway certificates (throwaway-certificate.ts), checked by no one; the initiator is
 * the TLS client. Before a BitTorrent byte flows either way, each side sends the binding MAC over
 * the TLS exporter (protocol/tls-binding.ts) and checks the peer's: our messages wait (bounded by
 * TLS_HELD_MAX_BYTES) until the peer's MAC held. A failed binding, a TLS alert or error, or no
 * binding within TLS_SWITCH_TIMEOUT_MS ends the connection with a TlsErrorCode.
 */
import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { TLSSocket, connect } from 'node:tls'
import type Wire from 'bittorrent-protocol'
import type { TlsErrorCode } from '../../../shared/protocol-codes.js'
import { ROLE } from '../protocol/constants.js'
import type { HandshakeRole } from '../protocol/handshake.js'
import {
  TLS_BINDING_BYTES,
  TLS_EXPORTER_BYTES,
  TLS_EXPORTER_LABEL,
  tlsBindingHolds,
  tlsBindingMac,
} from '../protocol/tls-binding.js'
import type { Framing } from './bounded-framing.js'
import { throwawayServerContext } from './throwaway-certificate.js'

/**
 * Whether Coterie nodes offer the TLS switch on TCP wires (issue 16). Off, every wire keeps the
 * sealed records of PROTOCOL.md §5.6.1 and answers no offer, exactly as before the switch existed.
 * On since TLS runs on the raw TCP socket: there it beat the records' throughput (1.35x, 1 -> 1)
 * and the seeder's CPU (0.69x) and tied on the leecher's, and it seals BitTorrent's control
 * messages too (docs/ENGINE.md §6). uTP wires keep the records unless the engine option `tls` asks
 * (over the in-memory stream TLS measured slower). Engine option `tls: false` turns it off.
 */
export const TLS_SWITCH_ENABLED = true
/** From our `tls-start` to the peer's binding MAC checked; past it the connection ends (tls-timeout). */
export const TLS_SWITCH_TIMEOUT_MS = 10_000
/** Our messages held while the binding is checked (blocks asked for just before the switch). */
export const TLS_HELD_MAX_BYTES = 16 * 1024 * 1024
/**
 * What the TLS socket on the raw TCP socket buffers before webtorrent's pipeline waits for it to
 * drain. Node completes each TLS write on the next event-loop turn (its TLSWrap "simulates
 * asynchronous finishing"), so at the default 16 KiB one block left per turn; with room for 16,
 * every turn's writes leave as one. The send budget (engine/send-budget.ts) still bounds what is
 * read from disk for the connection.
 */
export const TLS_SOCKET_BUFFER_BYTES = 256 * 1024
/** RFC 8446 §7.5: in TLS 1.3 an empty context and none give the same exporter. */
const NO_CONTEXT = Buffer.alloc(0)

const TLS_VERSIONS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const
// AES-128-GCM first: the fastest suite with AES instructions; the others stay acceptable.
const PREFERRED_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'

let options: { minVersion: 'TLSv1.3'; maxVersion: 'TLSv1.3'; ciphers?: string } | null | undefined

/**
 * The TLS options this runtime takes, found once: with our suite order if its TLS library lets it
 * be set (Electron's BoringSSL fixes the TLS 1.3 suites and may refuse the option), else its
 * defaults; null if it cannot do what the switch needs (TLS 1.3 and the RFC 8446 exporter), and
 * then the switch is not offered at all rather than offered and failed.
 */
export function tlsSwitchOptions(): typeof options {
  if (options !== undefined) return options
  options = null
  if (typeof TLSSocket.prototype.exportKeyingMaterial !== 'function') return options
  for (const candidate of [{ ...TLS_VERSIONS, ciphers: PREFERRED_SUITES }, { ...TLS_VERSIONS }]) {
    try {
      throwawayServerContext(candidate)
      return (options = candidate)
    } catch {
      // the next candidate
    }
  }
  return options
}

/** Puts the Duplex `wrap` returns in place of the wire's TCP socket, once nothing is in flight. */
export type ReplaceConn = (wrap: (conn: Socket) => Duplex) => void

export interface TlsSwitchOptions {
  readonly role: HandshakeRole
  /** tlsBindingKey(session, th) of this connection's handshake. */
  readonly bindingKey: Uint8Array
  readonly framing: Framing
  /** The binding held both ways: from here on, everything on this wire is inside TLS. */
  readonly onBound?: () => void
  /** The switch failed: called once, just before the wire is destroyed. */
  readonly onFailed: (code: TlsErrorCode) => void
  /**
   * TLS on the raw TCP socket (install.ts, webtorrent's `replaceConn`), asked at our `tls-start`:
   * a function to call at the peer's, whose `wrap` gets the TCP socket once webtorrent's pipeline
   * is drained and returns the TLS socket that takes its place; undefined (or no `rawSocket`): TLS
   * over an in-memory stream inside the wire.
   */
  readonly rawSocket?: (() => ReplaceConn | undefined) | undefined
}

export class TlsSwitch {
  readonly #wire: Wire
  readonly #o: TlsSwitchOptions
  #tls: TLSSocket | undefined
  #raw: Duplex | undefined
  /** The wire's own output, under our held messages. */
  #rawPush: ((data: Uint8Array) => unknown) | undefined
  /** TLS on the raw TCP socket: how to put it there (set at our `tls-start`). */
  #replaceConn: ReplaceConn | undefined
  /** Our messages, until the peer's binding held. */
  #held: Uint8Array[] = []
  #heldBytes = 0
  /** The TLS socket is corked until the end of this tick: its writes leave as one (full) record run. */
  #corked = false
  #bound = false
  #peerMac: Uint8Array[] = []
  #peerMacBytes = 0
  #outSwitched = false
  #inSwitched = false
  #over = false
  #timer: NodeJS.Timeout | undefined

  constructor(wire: Wire, o: TlsSwitchOptions) {
    this.#wire = wire
    this.#o = o
    wire.once('close', () => this.#stop())
  }

  get bound(): boolean {
    return this.#bound
  }

  /**
   * Right after our `tls-start` was pushed: everything the wire pushes from now on goes into TLS.
   * The TLS session starts here (the client's hello follows our marker on the wire).
   */
  switchOutput(): void {
    if (this.#outSwitched || this.#over) return
    this.#outSwitched = true
    const rawPush = this.#wire._push.bind(this.#wire)
    this.#rawPush = rawPush
    this.#wire._push = (data: Uint8Array) => this.#push(data)
    this.#timer = setTimeout(() => this.#fail('tls-timeout'), TLS_SWITCH_TIMEOUT_MS)
    this.#timer.unref?.()
    if (tlsSwitchOptions() === null) return this.#fail('tls-failed') // never offered then: see install.ts
    // On the raw socket, TLS starts at the peer's `tls-start` (switchInput); meanwhile our output is held.
    this.#replaceConn = this.#o.rawSocket?.()
    if (this.#replaceConn !== undefined) return
    this.#raw = new Duplex({
      read() {},
      write: (chunk: Uint8Array, _enc, cb) => {
        if (!this.#over) rawPush(chunk)
        cb()
      },
      final: (cb) => cb(),
    })
    this.#start(this.#raw)
  }

  /** The TLS session over `socket` (the raw TCP socket or the in-memory stream). */
  #start(socket: Duplex): TLSSocket {
    const o = tlsSwitchOptions()!
    // Documented for tls.connect and passed on by both (Node's net.Socket option), not in @types/node.
    const buffer = { highWaterMark: this.#replaceConn !== undefined ? TLS_SOCKET_BUFFER_BYTES : undefined }
    const tls =
      this.#o.role === ROLE.responder
        ? new TLSSocket(socket, { isServer: true, secureContext: throwawayServerContext(o), ...buffer })
        : connect({ ...o, socket, rejectUnauthorized: false, ...buffer })
    this.#tls = tls
    tls.on(this.#o.role === ROLE.responder ? 'secure' : 'secureConnect', () => this.#onSecure())
    tls.on('error', () => this.#fail('tls-failed'))
    tls.on('close', () => this.#fail('tls-failed'))
    tls.on('end', () => this.#fail('tls-failed'))
    // On the raw socket the clear bytes come back through webtorrent's pipeline (throttles, then
    // the wire, whose framing hands them to #onClear); inside the wire they come from here.
    if (this.#replaceConn === undefined) tls.on('data', (d: Uint8Array) => this.#onClear(d))
    return tls
  }

  /**
   * Inside the parser, on the peer's `tls-start`: the bytes after it, held or still to come, are
   * TLS. Our own output switched first (a conforming peer sends its marker only after ours).
   */
  switchInput(): void {
    if (this.#inSwitched || this.#over) return
    if (!this.#outSwitched) return this.#fail('tls-unexpected')
    this.#inSwitched = true
    const replaceConn = this.#replaceConn
    if (replaceConn === undefined) {
      const held = this.#o.framing.divert((b) => this.#raw?.push(b))
      for (const b of held) this.#raw!.push(b)
      return
    }
    // Until the socket is replaced, received bytes are the peer's first TLS bytes, in order; after
    // it, they are what TLS decrypted, back through the pipeline.
    let early: Uint8Array[] | undefined = this.#o.framing.divert((b) => {
      if (early !== undefined) early.push(b)
      else this.#onClear(b)
    })
    replaceConn((conn) => {
      const first = early!
      early = undefined
      if (first.length > 0) conn.unshift(Buffer.concat(first))
      return this.#start(conn)
    })
  }

  #push(data: Uint8Array): boolean {
    if (this.#over) return false
    if (!this.#bound) {
      this.#heldBytes += data.length
      if (this.#heldBytes > TLS_HELD_MAX_BYTES) return (this.#fail('tls-overflow'), false)
      this.#held.push(data)
      return true
    }
    // On the raw socket the wire's output goes through webtorrent's pipeline into TLS, as before.
    if (this.#replaceConn !== undefined) return this.#rawPush!(data) !== false
    const tls = this.#tls!
    // A PIECE is pushed as its 13-byte header, then its block: corked, node's TLS joins the writes
    // of a tick into one buffer before sealing, so a header never gets a TLS record of its own.
    if (!this.#corked) {
      this.#corked = true
      tls.cork()
      queueMicrotask(() => {
        this.#corked = false
        tls.uncork()
      })
    }
    return tls.write(data)
  }

  #onSecure(): void {
    const tls = this.#tls!
    const exporter = tls.exportKeyingMaterial(TLS_EXPORTER_BYTES, TLS_EXPORTER_LABEL, NO_CONTEXT)
    tls.write(tlsBindingMac(this.#o.bindingKey, this.#o.role, exporter))
  }

  #onClear(d: Uint8Array): void {
    if (this.#over) return
    if (this.#bound) return this.#o.framing.feed(d)
    const need = TLS_BINDING_BYTES - this.#peerMacBytes
    this.#peerMac.push(d.subarray(0, need))
    this.#peerMacBytes += Math.min(need, d.length)
    if (this.#peerMacBytes < TLS_BINDING_BYTES) return
    const mac = Buffer.concat(this.#peerMac)
    const exporter = this.#tls!.exportKeyingMaterial(TLS_EXPORTER_BYTES, TLS_EXPORTER_LABEL, NO_CONTEXT)
    const peerRole = this.#o.role === ROLE.initiator ? ROLE.responder : ROLE.initiator
    if (!tlsBindingHolds(this.#o.bindingKey, peerRole, exporter, mac)) return this.#fail('tls-binding-failed')
    this.#bound = true
    clearTimeout(this.#timer)
    const held = this.#held
    this.#held = []
    this.#heldBytes = 0
    for (const m of held) this.#push(m)
    if (this.#replaceConn !== undefined) this.#wire._push = this.#rawPush!
    this.#o.onBound?.()
    if (d.length > need) this.#o.framing.feed(d.subarray(need))
  }

  #fail(code: TlsErrorCode): void {
    if (this.#over) return
    const wasOpen = !this.#wire.destroyed
    this.#stop()
    if (!wasOpen) return
    this.#o.onFailed(code)
    this.#wire.destroy()
  }

  #stop(): void {
    if (this.#over) return
    this.#over = true
    clearTimeout(this.#timer)
    this.#held = []
    this.#tls?.destroy()
  }
}
