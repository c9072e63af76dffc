/**
 * Access certificates: "the member key M may receive data of this swarm (or of these torrents)
 * from IAT until EXP", signed by the swarm key. Every field is signed, the expiry included (Closed
 * Swarms left it unsigned, so a holder could extend it), and the encoding is canonical bencode:
 *
 *   d 3:exp i<unix s>e  3:iat i<unix s>e  6:member 32:<Ed25519>  [5:scope l 20:<infohash>... e]
 *     3:sig 64:<Ed25519 sig>  5:swarm 32:<Ed25519>  1:v i1e e
 *
 * sig = Ed25519(swarm secret, bencode(["coterie", 1, "swarm", bencode(certificate without sig)])).
 * No scope means every torrent of the swarm; a scope is a sorted list of distinct infohashes.
 */
import { z } from 'zod'
import { err, ok, type Result, type Reason } from '../../../shared/result.js'
import type { RejectCode } from '../../../shared/protocol-codes.js'
import { compareBytes, equalBytes } from './bytes.js'
import { decodeCanonical, encode } from './canonical.js'
import {
  CLOCK_SKEW_S,
  INFOHASH_BYTES,
  KEY_BYTES,
  MAX_CERTIFICATE_BYTES,
  MAX_SCOPE_ENTRIES,
  PROTOCOL_VERSION,
  ROLE,
  SIGNATURE_BYTES,
} from './constants.js'
import { bytesOf, uint, versionField } from './schema.js'
import { sign, verify } from './signing.js'
import { isValidPublicKey, type KeyPair } from './keys.js'

export interface Certificate {
  readonly v: number
  readonly swarm: Uint8Array
  readonly member: Uint8Array
  readonly iat: number
  readonly exp: number
  /** Infohashes covered; undefined means every torrent of the swarm. */
  readonly scope?: readonly Uint8Array[] | undefined
  readonly sig: Uint8Array
}

export type RejectProblem = Reason<RejectCode>
export const reject = (code: RejectCode): { ok: false; error: RejectProblem } => err({ code })

const certificateSchema = z.strictObject({
  v: uint,
  swarm: bytesOf(KEY_BYTES),
  member: bytesOf(KEY_BYTES),
  iat: uint,
  exp: uint,
  scope: z.array(bytesOf(INFOHASH_BYTES)).min(1).max(MAX_SCOPE_ENTRIES).optional(),
  sig: bytesOf(SIGNATURE_BYTES),
})

export interface IssueOptions {
  readonly member: Uint8Array
  readonly iat: number
  readonly exp: number
  readonly scope?: readonly Uint8Array[] | undefined
}

/** Signs a certificate with the swarm key. Throws on caller bugs (bad lengths, exp before iat). */
export function issueCertificate(swarm: KeyPair, o: IssueOptions): Uint8Array {
  if (!isValidPublicKey(o.member)) throw new RangeError('issueCertificate: member is not a valid public key')
  if (!Number.isSafeInteger(o.iat) || !Number.isSafeInteger(o.exp) || o.iat < 0 || o.exp <= o.iat) {
    throw new RangeError('issueCertificate: need integer seconds with 0 <= iat < exp')
  }
  const scope = o.scope === undefined ? undefined : [...o.scope].sort(compareBytes)
  if (scope !== undefined) {
    if (scope.length === 0 || scope.length > MAX_SCOPE_ENTRIES) throw new RangeError('issueCertificate: scope size')
    if (scope.some((h, i) => h.length !== INFOHASH_BYTES || (i > 0 && compareBytes(scope[i - 1]!, h) === 0))) {
      throw new RangeError('issueCertificate: scope entries must be distinct 20-byte infohashes')
    }
  }
  const tbs = { v: PROTOCOL_VERSION, swarm: swarm.publicKey, member: o.member, iat: o.iat, exp: o.exp, scope }
  return encode({ ...tbs, sig: sign(swarm.secretKey, ROLE.swarm, encode(tbs)) })
}

/** Decodes a certificate and checks its own signature; says nothing yet about which swarm or when. */
export function decodeCertificate(bytes: Uint8Array): Result<Certificate, RejectProblem> {
  if (bytes.length > MAX_CERTIFICATE_BYTES) return reject('oversize')
  const decoded = decodeCanonical(bytes, MAX_CERTIFICATE_BYTES)
  const version = versionField(decoded)
  if (version !== undefined && version !== PROTOCOL_VERSION) return reject('unsupported-version')
  const parsed = certificateSchema.safeParse(decoded)
  if (!parsed.success) return reject('malformed')
  const c = parsed.data
  if (c.exp <= c.iat) return reject('malformed')
  if (c.scope?.some((h, i, s) => i > 0 && compareBytes(s[i - 1]!, h) >= 0)) return reject('malformed')
  const { sig, ...tbs } = c
  if (!verify(c.swarm, ROLE.swarm, encode(tbs), sig)) return reject('bad-certificate-signature')
  if (!isValidPublicKey(c.member)) return reject('malformed')
  return ok(c)
}

export interface CertificateContext {
  /** The swarm key from the torrent's info dictionary. */
  readonly swarm: Uint8Array
  /** The torrent the certificate must cover; omit to check swarm membership alone. */
  readonly infoHash?: Uint8Array
  /** Unix seconds. */
  readonly now: number
}

/** The full check a verifier makes: signature, swarm, validity window (with skew), scope. */
export function verifyCertificate(bytes: Uint8Array, ctx: CertificateContext): Result<Certificate, RejectProblem> {
  const decoded = decodeCertificate(bytes)
  if (!decoded.ok) return decoded
  const verdict = checkCertificate(decoded.value, ctx)
  return verdict === undefined ? decoded : reject(verdict)
}

/** The time-, swarm- and scope-dependent part of the check, for re-checking a live connection. */
export function checkCertificate(c: Certificate, ctx: CertificateContext): RejectCode | undefined {
  if (!equalBytes(c.swarm, ctx.swarm)) return 'wrong-swarm'
  if (ctx.now + CLOCK_SKEW_S < c.iat) return 'not-yet-valid'
  if (ctx.now >= c.exp + CLOCK_SKEW_S) return 'expired'
  const ih = ctx.infoHash
  if (ih !== undefined && c.scope !== undefined && !c.scope.some((h) => equalBytes(h, ih))) return 'out-of-scope'
  return undefined
}

/** Seconds until `c` stops being valid for a verifier at `now` (for the re-check timer). */
export const secondsLeft = (c: Certificate, now: number): number => c.exp + CLOCK_SKEW_S - now
