/**
 * Peer exchange among members (docs/PROTOCOL.md §12.2): a message of the `coterie` extension that
 * an authorized member sends to another, listing where other authorized members of the same
 * torrent listen. Plain ut_pex is off for private torrents because it tells anyone connected where
 * the members are; this one is sent only on connections authorized both ways.
 *
 *   pex  d [3:ip4 <6·k bytes>] [3:ip6 <18·k bytes>] 1:t 3:pex e      1 to MAX_PEX_PEERS entries
 *
 * Entries are compact (address, then port big-endian), distinct, port non-zero; an absent list is
 * omitted, never empty. This module only encodes and decodes; who may send, who is listed and how
 * often is the extension's and the engine's business.
 */
import { err, ok, type Result } from '../../../shared/result.js'
import { bytesToHex } from './bytes.js'
import { encode } from './canonical.js'
import { decodeEnvelope, isFamily, type PexFields } from './envelope.js'
import { MAX_MESSAGE_BYTES, MAX_PEX_PEERS } from './constants.js'
import { compact, type PeerAddress } from './address.js'

export const PEX_TYPE = 'pex'

/** Why a received pex was not used (local only: a pex is never answered with a refuse). */
export type PexProblem = 'oversize' | 'malformed' | 'too-many'

/** Whether a coterie-extension message is a pex (read before the handshake sees it). */
export function isPexMessage(bytes: Uint8Array): boolean {
  return isFamily(decodeEnvelope(bytes), 'pex')
}

/** Encodes up to MAX_PEX_PEERS addresses (a caller's longer list is a bug: it throws). */
export function encodePex(peers: readonly PeerAddress[]): Uint8Array {
  if (peers.length === 0 || peers.length > MAX_PEX_PEERS) throw new RangeError(`encodePex: 1 to ${MAX_PEX_PEERS} peers`)
  const v4 = peers.filter((p) => p.ip.length === 4).map(compact)
  const v6 = peers.filter((p) => p.ip.length === 16).map(compact)
  if (
    v4.length + v6.length !== peers.length ||
    peers.some((p) => !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
  ) {
    throw new RangeError('encodePex: addresses are 4 or 16 bytes, ports 1-65535')
  }
  const join = (parts: Uint8Array[]) => (parts.length === 0 ? undefined : Uint8Array.from(parts.flatMap((p) => [...p])))
  return encode({ t: PEX_TYPE, ip4: join(v4), ip6: join(v6) })
}

export function decodePex(bytes: Uint8Array): Result<PeerAddress[], PexProblem> {
  if (bytes.length > MAX_MESSAGE_BYTES) return err('oversize')
  const e = decodeEnvelope(bytes)
  return e.kind === 'pex' ? pexPeers(e.message) : err('malformed')
}

/** The addresses of a pex whose fields decodeEnvelope read (envelope.ts). */
export function pexPeers({ ip4, ip6 }: PexFields): Result<PeerAddress[], PexProblem> {
  if (
    (ip4 !== undefined && (ip4.length === 0 || ip4.length % 6 !== 0)) ||
    (ip6 !== undefined && (ip6.length === 0 || ip6.length % 18 !== 0))
  ) {
    return err('malformed')
  }
  const count = (ip4?.length ?? 0) / 6 + (ip6?.length ?? 0) / 18
  if (count === 0) return err('malformed')
  if (count > MAX_PEX_PEERS) return err('too-many')
  const peers = [...split(ip4, 4), ...split(ip6, 16)]
  const seen = new Set<string>()
  for (const p of peers) {
    const key = bytesToHex(compact(p))
    if (p.port === 0 || seen.has(key)) return err('malformed')
    seen.add(key)
  }
  return ok(peers)
}

function split(bytes: Uint8Array | undefined, ipBytes: number): PeerAddress[] {
  const out: PeerAddress[] = []
  if (bytes === undefined) return out
  for (let at = 0; at < bytes.length; at += ipBytes + 2) {
    out.push({ ip: bytes.slice(at, at + ipBytes), port: (bytes[at + ipBytes]! << 8) | bytes[at + ipBytes + 1]! })
  }
  return out
}
