/**
 * The TLS switch's channel binding (docs/PROTOCOL.md §5.6.2): after two Coterie members authorized
 * each other on a TCP connection, they move the rest of it into TLS 1.3 made with throwaway
 * certificates nobody checks. What makes that TLS session theirs is this binding: each side sends,
 * as the first bytes inside TLS, a MAC keyed from the handshake's session secret over the TLS
 * exporter (RFC 8446 §7.5) of this TLS session, and checks the peer's before any BitTorrent byte
 * flows. A relay that terminates TLS toward each side has two TLS sessions with two different
 * exporters and no session secret: it can forge neither MAC.
 *
 *   kb     = HKDF-SHA256(IKM = session, salt = th, info = bencode(["coterie", 1, "tls-binding"]), 32)
 *   x      = TLS-Exporter("EXPORTER-coterie-binding", context = "" (same as none in TLS 1.3), 32)
 *   mac(ρ) = HMAC-SHA256(kb, bencode(["coterie", 1, "tls-binding", ρ, x]))    ρ = the sender's role
 *
 * The role in the MAC makes the two directions' MACs differ, so a peer's own MAC echoed back fails.
 * Pure: bytes in, bytes out; the exporter comes from the TLS library (gate/tls-switch.ts).
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { encode } from './canonical.js'
import { DOMAIN, KEY_BYTES, PROTOCOL_VERSION } from './constants.js'
import type { HandshakeRole } from './handshake.js'

/** The RFC 8446 exporter label both sides ask their TLS library for. */
export const TLS_EXPORTER_LABEL = 'EXPORTER-coterie-binding'
/** Bytes asked of the exporter. */
export const TLS_EXPORTER_BYTES = 32
/** Bytes of each side's binding MAC: the first bytes it sends inside TLS. */
export const TLS_BINDING_BYTES = 32

const LABEL = 'tls-binding'

/** kb: the binding key of one connection, from its handshake's session secret and transcript hash. */
export function tlsBindingKey(session: Uint8Array, th: Uint8Array): Uint8Array {
  if (session.length !== KEY_BYTES || th.length !== 32)
    throw new RangeError('tlsBindingKey: session and th are 32 bytes')
  return hkdf(sha256, session, th, encode([DOMAIN, PROTOCOL_VERSION, LABEL]), 32)
}

/** The MAC the side in `role` sends over the exporter `x` of its TLS session. */
export function tlsBindingMac(key: Uint8Array, role: HandshakeRole, exporter: Uint8Array): Uint8Array {
  if (key.length !== 32 || exporter.length !== TLS_EXPORTER_BYTES)
    throw new RangeError('tlsBindingMac: key and exporter are 32 bytes')
  return hmac(sha256, key, encode([DOMAIN, PROTOCOL_VERSION, LABEL, role, exporter]))
}

/** True if `mac` is what the peer in `peerRole` must send for our exporter; compared in constant time. */
export function tlsBindingHolds(
  key: Uint8Array,
  peerRole: HandshakeRole,
  exporter: Uint8Array,
  mac: Uint8Array,
): boolean {
  if (mac.length !== TLS_BINDING_BYTES) return false
  const want = tlsBindingMac(key, peerRole, exporter)
  let diff = 0
  for (let i = 0; i < want.length; i++) diff |= want[i]! ^ mac[i]!
  return diff === 0
}
