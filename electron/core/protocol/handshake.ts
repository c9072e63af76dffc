/**
 * The mutual-authentication handshake as a pure state machine: bytes and time in, messages and verdict changes out.
 * The gate's handshake driver (../gate/handshake-driver.ts) wires it to a connection; tests drive it
 * directly and through piped wires. docs/PROTOCOL.md §5 is the normative description.
 *
 *   extended handshake   I -> R  coterie: {v, n: nI, e: eI}    R -> I  coterie: {v, n: nR, e: eR}
 *   I -> R  {t: "proof", box: AEAD(kIR, th, {cert, sig})}   or  {t: "noproof"}
 *   R -> I  {t: "proof", box: AEAD(kRI, th, {cert, sig})}   only after I's proof verified,
 *           or {t: "noproof"}, or {t: "refuse", code}       (R's certificate stays hidden)
 *   I -> R  {t: "accept"}   after R's proof verified (so both sides know both verdicts)
 *   either  {t: "refuse", code}   "I will not upload to you, because code"
 *
 * sig = Ed25519(member secret, bencode(["coterie", 1, role, th || SHA-256(cert)])).
 * Authorization is per direction: `peer` says whether WE upload to the peer; `self` records what
 * the peer told us about our own proof. A peer refused `expired` whose proof was otherwise good is
 * `lapsed`; a side refused `expired` before being accepted `awaitsRenewal` (§13.3: the refuser may
 * send it the group index, which carries its renewal, and nothing else).
 *
 * Each step returns what it changed as a value (HandshakeStep: messages to send, new verdicts), as
 * index-sync.ts does, so a caller learns what happened from the step it drove; the verdicts so far
 * stay readable on the Handshake but change only from those returned steps.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { z } from 'zod'
import { decodeEnvelope, type Envelope, type HandshakeMessage } from './envelope.js'
import { isRejectCode, type RejectCode } from '../../../shared/protocol-codes.js'
import { concatBytes, equalBytes } from './bytes.js'
import { decodeCanonical, encode, type Bencodable } from './canonical.js'
import { checkCertificate, decodeCertificate, type Certificate } from './certificate.js'
import {
  EXTENSION_NAME,
  INFOHASH_BYTES,
  KEY_BYTES,
  MAX_HELLO_BYTES,
  MAX_MESSAGE_BYTES,
  NONCE_BYTES,
  PROTOCOL_VERSION,
  ROLE,
  SIGNATURE_BYTES,
} from './constants.js'
import { bytesOf, uint, versionField } from './schema.js'
import {
  deriveKeys,
  ephemeralFromSecret,
  open,
  seal,
  transcriptHash,
  type Ephemeral,
  type SessionKeys,
} from './session.js'
import { sign, verify } from './signing.js'

export type HandshakeRole = typeof ROLE.initiator | typeof ROLE.responder

/** What this node holds to prove membership: a certificate and the member secret key it names. */
export interface Credential {
  readonly certificate: Uint8Array
  readonly secretKey: Uint8Array
}

export interface HandshakeOptions {
  /** "initiator" on the side that opened the connection. */
  readonly role: HandshakeRole
  readonly infoHash: Uint8Array
  /** The swarm public key from the torrent's info dictionary. */
  readonly swarm: Uint8Array
  readonly credential?: Credential | undefined
  /** 32 fresh random bytes; injected so that vectors are reproducible. */
  readonly nonce: Uint8Array
  /** 32 fresh random bytes: the X25519 ephemeral secret. */
  readonly ephemeralSecret: Uint8Array
  /**
   * True if a nonce or ephemeral key is one of this node's own, on any of its connections: an
   * attacker who cross-forwards a node's hellos between its incoming and outgoing connections
   * would otherwise make the node authorize itself (found by the SPIN model, docs/MODEL.md).
   */
  readonly isOwn?: ((nonce: Uint8Array, ephemeral: Uint8Array) => boolean) | undefined
  /** True for a member the group's owner removed (the newest group index's revocation list, §12). */
  readonly isRevoked?: ((member: Uint8Array) => boolean) | undefined
}

/** Our verdict on the peer: do we upload to it? */
export type PeerVerdict =
  | { readonly kind: 'pending' }
  | { readonly kind: 'authorized'; readonly certificate: Certificate }
  | { readonly kind: 'refused'; readonly code: RejectCode }

/** What the peer made of us, as far as it told us. */
export type SelfVerdict =
  | { readonly kind: 'pending' }
  | { readonly kind: 'no-credential' }
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly code: RejectCode }
  /** We refused the peer before showing our certificate, so it has nothing to judge. */
  | { readonly kind: 'withheld' }

export interface Hello {
  readonly v: number
  readonly n: Uint8Array
  readonly e: Uint8Array
}

const helloSchema = z.strictObject({ v: uint, n: bytesOf(NONCE_BYTES), e: bytesOf(KEY_BYTES) })
const proofSchema = z.strictObject({
  cert: z.instanceof(Uint8Array), // decodeCertificate bounds it ("oversize")
  sig: bytesOf(SIGNATURE_BYTES),
})

// Any message that is not a well-formed handshake message (envelope.ts) is refused as malformed.
function handshakeMessage(e: Envelope): HandshakeMessage | 'oversize' | 'malformed' {
  return e.kind === 'handshake'
    ? e.message
    : e.kind === 'malformed' && e.reason === 'oversize'
      ? 'oversize'
      : 'malformed'
}

/**
 * Bytes a hello adds to the BEP 10 extended handshake: the "coterie" key, the hello dictionary,
 * and our entry in "m". Undefined if the value is not bencodable at all.
 */
export function helloBytes(hello: unknown): number | undefined {
  try {
    const name = encode(EXTENSION_NAME).length
    return name + encode(hello as Bencodable).length + name + 3
  } catch {
    return undefined
  }
}

export const proofPayload = (th: Uint8Array, certificate: Uint8Array): Uint8Array =>
  concatBytes(th, sha256(certificate))

/**
 * What one step did: the messages to send, and each verdict it changed (absent if unchanged).
 * Every step returns its change as a value, as index-sync.ts's SyncOutput does, so the caller
 * reads what happened from the step itself; the Handshake keeps only a read-only view of the sum.
 */
export interface HandshakeStep {
  readonly send: Uint8Array[]
  /** Our new verdict on the peer. */
  readonly peer?: PeerVerdict
  /** What the peer now made of us. */
  readonly self?: SelfVerdict
  /** 32 bytes bound to this connection's transcript, when the hellos are exchanged. */
  readonly sessionSecret?: Uint8Array
  /**
   * The peer's certificate when it was refused `expired` and nothing else: of this swarm, signed
   * by the swarm key, covering this torrent, its member key proven by the proof signature over this
   * transcript, and not revoked. Such a peer gets nothing from us but, possibly, a renewal sealed
   * to it (PROTOCOL.md §13.3); the verdict and the refuse code are the same as for any expired one.
   */
  readonly lapsed?: Certificate
}

const nothing: HandshakeStep = { send: [] }
const ACCEPTED: SelfVerdict = { kind: 'accepted' }

export class Handshake {
  readonly role: HandshakeRole
  // The verdicts, set only by #apply from the step each public method returns.
  #peer: PeerVerdict = { kind: 'pending' }
  #self: SelfVerdict
  #sessionSecret: Uint8Array | undefined
  #lapsed: Certificate | undefined

  readonly #o: HandshakeOptions
  readonly #ephemeral: Ephemeral
  #th: Uint8Array | undefined
  #keys: SessionKeys | undefined
  #sentProof = false
  #wasAccepted = false
  #peerHello: Hello | undefined

  constructor(o: HandshakeOptions) {
    if (o.infoHash.length !== INFOHASH_BYTES || o.swarm.length !== KEY_BYTES)
      throw new RangeError('Handshake: bad infoHash or swarm')
    if (o.nonce.length !== NONCE_BYTES || o.ephemeralSecret.length !== KEY_BYTES)
      throw new RangeError('Handshake: bad randomness')
    this.#o = o
    this.role = o.role
    this.#ephemeral = ephemeralFromSecret(o.ephemeralSecret)
    this.#self = o.credential === undefined ? { kind: 'no-credential' } : { kind: 'pending' }
  }

  /** Our verdict on the peer so far: do we upload to it? */
  get peer(): PeerVerdict {
    return this.#peer
  }

  /** What the peer made of us so far, as far as it told us. */
  get self(): SelfVerdict {
    return this.#self
  }

  /** The session secret, once the hellos are exchanged (see HandshakeStep). */
  get sessionSecret(): Uint8Array | undefined {
    return this.#sessionSecret
  }

  /** The certificate of a peer refused `expired` that proved its key (see HandshakeStep). */
  get lapsed(): Certificate | undefined {
    return this.#lapsed
  }

  /** The transcript hash th, once the hellos are exchanged. */
  get transcript(): Uint8Array | undefined {
    return this.#th
  }

  /** Our hello, to put under "coterie" in the BEP 10 extended handshake. */
  get hello(): Hello {
    return { v: PROTOCOL_VERSION, n: this.#o.nonce, e: this.#ephemeral.publicKey }
  }

  /**
   * The peer refused our proof as `expired` before it ever accepted us: it may send our renewal
   * next, sealed (PROTOCOL.md §13.3). Never after an authorization that lapsed mid-connection.
   */
  get awaitsRenewal(): boolean {
    return this.#sentProof && !this.#wasAccepted && this.#self.kind === 'refused' && this.#self.code === 'expired'
  }

  /** True once neither side can change its verdict by a message (failure or full success). */
  get settled(): boolean {
    return this.#peer.kind !== 'pending' && this.#self.kind !== 'pending'
  }

  /** Handles the peer's hello from its extended handshake. */
  onPeerHello(value: unknown): HandshakeStep {
    return this.#apply(this.#onPeerHello(value))
  }

  #onPeerHello(value: unknown): HandshakeStep {
    const size = helloBytes(value)
    if (size === undefined) return this.#refuse('malformed')
    if (size > MAX_HELLO_BYTES) return this.#refuse('oversize')
    const version = versionField(value)
    if (version !== undefined && version !== PROTOCOL_VERSION) return this.#refuse('unsupported-version')
    const parsed = helloSchema.safeParse(value)
    if (!parsed.success) return this.#refuse('malformed')
    const h = parsed.data
    // BEP 10 lets a peer resend its extended handshake; the same hello again changes nothing.
    if (this.#peerHello !== undefined && equalBytes(h.n, this.#peerHello.n) && equalBytes(h.e, this.#peerHello.e))
      return nothing
    if (this.#th !== undefined || this.#peer.kind !== 'pending') return this.#refuse('unexpected-message')
    this.#peerHello = h
    const mine = this.hello
    if (equalBytes(h.n, mine.n) || equalBytes(h.e, mine.e) || this.#o.isOwn?.(h.n, h.e) === true)
      return this.#refuse('reflected')
    const [i, r] = this.role === ROLE.initiator ? [mine, h] : [h, mine]
    const th = transcriptHash({
      infoHash: this.#o.infoHash,
      initiatorNonce: i.n,
      initiatorEphemeral: i.e,
      responderNonce: r.n,
      responderEphemeral: r.e,
    })
    const keys = deriveKeys(this.#ephemeral, h.e, th)
    if (keys === undefined) return this.#refuse('bad-key-exchange')
    this.#th = th
    this.#keys = keys
    // The side that opened the connection proves first; the responder waits for that proof.
    return { send: this.role === ROLE.initiator ? [this.#proofOrNone()] : [], sessionSecret: keys.session }
  }

  /** Handles one extension message from the peer at time `now` (unix seconds). */
  onMessage(bytes: Uint8Array, now: number): HandshakeStep {
    return this.onEnvelope(decodeEnvelope(bytes), now)
  }

  /** The same, for a message the caller decoded once (envelope.ts). */
  onEnvelope(e: Envelope, now: number): HandshakeStep {
    return this.#apply(this.#onEnvelope(e, now))
  }

  #onEnvelope(e: Envelope, now: number): HandshakeStep {
    const m = handshakeMessage(e)
    if (m === 'oversize' || m === 'malformed') return this.#refuse(m)
    switch (m.t) {
      case 'refuse': {
        // A newer peer may give a reason we do not know yet: keep the fact, not a wrong reason.
        const self: SelfVerdict = { kind: 'refused', code: isRejectCode(m.code) ? m.code : 'unknown' }
        // A refused initiator never sees the responder's certificate; that is the point.
        if (this.#peer.kind === 'pending' && this.role === ROLE.initiator)
          return { send: [], self, peer: { kind: 'refused', code: 'no-certificate' } }
        return { send: [], self }
      }
      case 'accept':
        if (this.role !== ROLE.responder || !this.#sentProof || this.#self.kind !== 'pending')
          return this.#refuse('unexpected-message')
        return { send: [], self: ACCEPTED }
      case 'proof':
      case 'noproof':
        return this.#onProof(m.t === 'proof' ? m.box : undefined, now)
    }
  }

  #onProof(box: Uint8Array | undefined, now: number): HandshakeStep {
    if (this.#keys === undefined || this.#peer.kind !== 'pending') return this.#refuse('unexpected-message')
    let accepted: { self?: SelfVerdict } = {}
    if (this.role === ROLE.initiator) {
      // The responder speaks only after our proof; its proof (or noproof) means it accepted ours.
      if (!this.#sentProof) return this.#refuse('unexpected-message')
      accepted = { self: ACCEPTED }
    }
    const self = accepted.self ?? this.#self
    if (box === undefined) return { ...accepted, ...this.#refuse('no-certificate', self) }
    const v = this.#verifyProof(box, now)
    if (!v.ok)
      return { ...accepted, ...this.#refuse(v.code, self), ...(v.lapsed === undefined ? {} : { lapsed: v.lapsed }) }
    const peer: PeerVerdict = { kind: 'authorized', certificate: v.certificate }
    return { ...accepted, peer, send: this.role === ROLE.responder ? [this.#proofOrNone()] : [encode({ t: 'accept' })] }
  }

  /**
   * Re-checks an authorized peer's certificate at `now` (and against the revocation list); its
   * step refuses the peer if it lapsed.
   */
  recheck(now: number): HandshakeStep {
    return this.#apply(this.#recheck(now))
  }

  #recheck(now: number): HandshakeStep {
    if (this.#peer.kind !== 'authorized') return nothing
    if (this.#o.isRevoked?.(this.#peer.certificate.member) === true) return this.#refuse('revoked')
    const code = checkCertificate(this.#peer.certificate, { swarm: this.#o.swarm, infoHash: this.#o.infoHash, now })
    return code === undefined ? nothing : this.#refuse(code)
  }

  /** The handshake's deadline passed: a peer still pending is refused. */
  timeout(): HandshakeStep {
    return this.#apply(this.#peer.kind === 'pending' ? this.#refuse('timeout') : nothing)
  }

  // The one place the verdicts change: from the step a public method returns.
  #apply(step: HandshakeStep): HandshakeStep {
    if (step.peer !== undefined) this.#peer = step.peer
    if (step.self !== undefined) {
      this.#self = step.self
      if (step.self.kind === 'accepted') this.#wasAccepted = true
    }
    if (step.sessionSecret !== undefined) this.#sessionSecret = step.sessionSecret
    if (step.lapsed !== undefined) this.#lapsed = step.lapsed
    return step
  }

  #verifyProof(
    box: Uint8Array,
    now: number,
  ): { ok: true; certificate: Certificate } | { ok: false; code: RejectCode; lapsed?: Certificate } {
    const th = this.#th!
    const key = this.role === ROLE.responder ? this.#keys!.initiatorToResponder : this.#keys!.responderToInitiator
    const plain = open(key, th, box)
    if (plain === undefined) return { ok: false, code: 'decrypt-failed' }
    const proof = proofSchema.safeParse(decodeCanonical(plain, MAX_MESSAGE_BYTES))
    if (!proof.success) return { ok: false, code: 'malformed' }
    const decoded = decodeCertificate(proof.data.cert)
    if (!decoded.ok) return { ok: false, code: decoded.error.code }
    const cert = decoded.value
    const code = checkCertificate(cert, { swarm: this.#o.swarm, infoHash: this.#o.infoHash, now })
    const peerRole = this.role === ROLE.responder ? ROLE.initiator : ROLE.responder
    const signed = () => verify(cert.member, peerRole, proofPayload(th, proof.data.cert), proof.data.sig)
    if (code === 'expired') {
      // Expired and nothing else: the code stays `expired` whatever else we learn, but a peer that
      // also proved its key (and is not revoked) is remembered for a renewal (§13.3).
      if (this.#inScope(cert) && signed() && this.#o.isRevoked?.(cert.member) !== true)
        return { ok: false, code, lapsed: cert }
      return { ok: false, code }
    }
    if (code !== undefined) return { ok: false, code }
    if (!signed()) return { ok: false, code: 'bad-proof-signature' }
    if (this.#o.isRevoked?.(cert.member) === true) return { ok: false, code: 'revoked' }
    return { ok: true, certificate: cert }
  }

  // checkCertificate looks at the scope only after the expiry, so an expired certificate's scope
  // has not been checked yet.
  #inScope(c: Certificate): boolean {
    const ih = this.#o.infoHash
    return c.scope === undefined || c.scope.some((h) => equalBytes(h, ih))
  }

  #proofOrNone(): Uint8Array {
    const c = this.#o.credential
    if (c === undefined) return encode({ t: 'noproof' })
    const th = this.#th!
    const sig = sign(c.secretKey, this.role, proofPayload(th, c.certificate))
    const key = this.role === ROLE.initiator ? this.#keys!.initiatorToResponder : this.#keys!.responderToInitiator
    this.#sentProof = true
    return encode({ t: 'proof', box: seal(key, th, encode({ cert: c.certificate, sig })) })
  }

  /** `self` is what the peer made of us within this step, before the refusal. */
  #refuse(code: RejectCode, self: SelfVerdict = this.#self): HandshakeStep {
    // Said once: a refused peer that keeps talking gets silence, not an echo of refusals.
    if (this.#peer.kind === 'refused') return nothing
    const step: HandshakeStep = { send: [encode({ t: 'refuse', code })], peer: { kind: 'refused', code } }
    // A responder that refuses before proving keeps its certificate to itself.
    return self.kind === 'pending' && !this.#sentProof ? { ...step, self: { kind: 'withheld' } } : step
  }
}
