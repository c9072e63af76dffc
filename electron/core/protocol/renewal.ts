/**
 * Renewal for a member whose certificate expired (docs/PROTOCOL.md §13.3). Such a member is
 * refused `expired` like any other, so no sealed channel opens between it and an up-to-date peer,
 * and it could never hear of the renewal the owner put in the group index. A peer that refused it
 * may instead send it the newest index, sealed, and nothing else, provided:
 *
 *   - the refused peer proved its member key on this connection (handshake.ts: `lapsed`), and
 *   - the newest index the sender holds lists that key as a member (so it is not revoked), and
 *     carries a certificate for it that is valid now: a renewal, not the certificate that expired.
 *
 * The index is signed by the swarm key, so the receiver needs no trust in the sender; the sender
 * tells it only what the owner wrote for it. Pure: an index and a time in, a verdict or payloads out.
 *
 *   sender -> receiver, sealed:  index(version)  index-part(offset 0)  index-part(6144) ...
 *
 * The parts are pushed in order without being asked for: the receiver is not accepted by the
 * sender, so it may not send sealed messages back (§5.6). Its IndexSync takes them as the answers
 * to the fetch the announcement starts, and verifies the whole.
 */
import { bytesToHex, equalBytes } from './bytes.js'
import { encode } from './canonical.js'
import { checkCertificate } from './certificate.js'
import { isRevoked, type GroupIndex } from './group-index.js'
import { INDEX_PART_BYTES } from './index-sync.js'

/** Whether `index` is one to send to the lapsed member `member` at `now` (unix seconds). */
export function renewalFor(index: GroupIndex | undefined, member: Uint8Array, now: number): boolean {
  if (index === undefined || isRevoked(index, member)) return false
  if (!index.members.some((m) => equalBytes(m.key, member))) return false
  const renewed = index.certificateOf.get(bytesToHex(member))
  return renewed !== undefined && checkCertificate(renewed, { swarm: index.swarm, now }) === undefined
}

/** The announcement and every part of `index`, in order: what a renewal sends (§13.3). */
export function renewalPayloads(index: GroupIndex): Uint8Array[] {
  const out = [encode({ t: 'index', version: index.version })]
  const total = index.bytes.length
  for (let offset = 0; offset < total; offset += INDEX_PART_BYTES) {
    const data = index.bytes.subarray(offset, offset + INDEX_PART_BYTES)
    out.push(encode({ t: 'index-part', version: index.version, offset, total, data }))
  }
  return out
}
