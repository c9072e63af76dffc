/**
 * Drives the pure handshake (../protocol/handshake.ts) over one wire: it feeds it the peer's hello
 * and handshake messages, sends each step's messages, keeps the one timer running (the handshake
 * deadline, then re-checks of the peer's certificate expiry while connected) and reports each
 * change of verdict once. It is apart from the BEP 10 adapter (extension.ts) so that the adapter
 * only routes what arrives, and the handshake's timing lives in one place; it knows no wire type,
 * only a function that sends one message.
 */
import type { Envelope } from '../protocol/envelope.js'
import { secondsLeft, type Certificate } from '../protocol/certificate.js'
import {
  Handshake,
  type HandshakeOptions,
  type HandshakeRole,
  type HandshakeStep,
  type PeerVerdict,
  type SelfVerdict,
} from '../protocol/handshake.js'
import type { RejectCode } from '../../../shared/protocol-codes.js'

/** What the driver tells its wire about, each once per change, in this order. */
export interface VerdictHooks {
  /** The peer refused us `expired` before accepting us: our renewal may come next (PROTOCOL.md §13.3). */
  readonly awaitsRenewal: () => void
  readonly authorized: (certificate: Certificate) => void
  /** `lapsed`: the peer's certificate if it was refused `expired` after proving its key. */
  readonly refused: (code: RejectCode, lapsed: Certificate | undefined) => void
  readonly self: (verdict: SelfVerdict) => void
  readonly mutual: () => void
}

export interface HandshakeDriverOptions {
  /** Unix seconds. */
  readonly now: () => number
  readonly timeoutMs: number
  /** Puts one extension message on the wire; false once the wire takes no more. */
  readonly send: (message: Uint8Array) => boolean
  readonly hooks: VerdictHooks
}

// Longest single wait for a re-check timer: setTimeout overflows past 2^31-1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1

export class HandshakeDriver {
  readonly #hs: Handshake
  readonly #o: HandshakeDriverOptions
  #timer: NodeJS.Timeout | undefined
  #announced: string | undefined

  /** Starts the handshake deadline. */
  constructor(handshake: HandshakeOptions, o: HandshakeDriverOptions) {
    this.#hs = new Handshake(handshake)
    this.#o = o
    this.#schedule(o.timeoutMs, () => this.#apply(this.#hs.timeout()))
  }

  get role(): HandshakeRole {
    return this.#hs.role
  }
  get peer(): PeerVerdict {
    return this.#hs.peer
  }
  get self(): SelfVerdict {
    return this.#hs.self
  }
  get sessionSecret(): Uint8Array | undefined {
    return this.#hs.sessionSecret
  }
  get transcript(): Uint8Array | undefined {
    return this.#hs.transcript
  }
  get lapsed(): Certificate | undefined {
    return this.#hs.lapsed
  }
  get awaitsRenewal(): boolean {
    return this.#hs.awaitsRenewal
  }
  /** We authorized the peer and it accepted our proof. */
  get mutual(): boolean {
    return this.#hs.peer.kind === 'authorized' && this.#hs.self.kind === 'accepted'
  }

  /** The peer's hello, from its BEP 10 extended handshake. */
  onPeerHello(value: unknown): void {
    this.#apply(this.#hs.onPeerHello(value))
  }

  /** A handshake message (or one that is none: refused as malformed), decoded once by the adapter. */
  onEnvelope(e: Envelope): void {
    this.#apply(this.#hs.onEnvelope(e, this.#o.now()))
  }

  /** Checks an authorized peer again now (a new revocation list arrived). */
  recheck(): void {
    if (this.#hs.peer.kind === 'authorized') this.#apply(this.#hs.recheck(this.#o.now()))
  }

  /** The wire closed, or the peer turned out not to speak Coterie: no more timers. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #apply(step: HandshakeStep): void {
    for (const m of step.send) if (!this.#o.send(m)) break
    this.#announce()
  }

  // Reports each change of verdict once, and keeps the right timer running.
  #announce(): void {
    const hs = this.#hs
    const hooks = this.#o.hooks
    if (hs.awaitsRenewal) hooks.awaitsRenewal()
    const key = `${hs.peer.kind}/${hs.peer.kind === 'refused' ? hs.peer.code : ''}/${hs.self.kind}`
    if (key === this.#announced) return
    const before = this.#announced
    this.#announced = key
    if (hs.peer.kind === 'authorized' && !before?.startsWith('authorized/')) {
      this.#scheduleRecheck(hs.peer.certificate)
      hooks.authorized(hs.peer.certificate)
    } else if (hs.peer.kind === 'refused' && !before?.startsWith('refused/')) {
      this.stop()
      hooks.refused(hs.peer.code, hs.lapsed)
    }
    if (!before?.endsWith(`/${hs.self.kind}`)) hooks.self(hs.self)
    const wasMutual = before?.startsWith('authorized/') === true && before.endsWith('/accepted')
    if (this.mutual && !wasMutual) hooks.mutual()
  }

  #scheduleRecheck(c: Certificate): void {
    const ms = Math.max(0, secondsLeft(c, this.#o.now()) * 1000)
    this.#schedule(Math.min(ms, MAX_TIMER_MS), () => {
      this.#apply(this.#hs.recheck(this.#o.now()))
      if (this.#hs.peer.kind === 'authorized') this.#scheduleRecheck(c)
    })
  }

  #schedule(ms: number, fn: () => void): void {
    this.stop()
    this.#timer = setTimeout(fn, ms)
    this.#timer.unref?.()
  }
}
