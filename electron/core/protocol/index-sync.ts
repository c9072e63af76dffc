/**
 * Passing the group index between two members on one connection (PROTOCOL.md §13.1), as a pure
 * state machine: payloads in, payloads out. Each payload travels as a `sealed` message (§5.6), so
 * only the two members ever see it.
 *
 *   d 1:t 5:index 7:version i<n>e e                          "I hold version n" (after authorization,
 *                                                           and again whenever it changes)
 *   d 6:offset i<o>e 1:t 9:index-get 7:version i<n>e e      "send me version n from byte o"
 *   d 4:data <≤ 6144 bytes> 6:offset i<o>e 1:t 10:index-part 5:total i<size>e 7:version i<n>e e
 *
 * A side that hears of a higher version than it holds fetches it in order, one part at a time (a
 * peer can make it hold at most MAX_INDEX_BYTES), verifies it whole (group-index.ts) and keeps it
 * only if it is still newer. A side answers only for the version it holds now.
 */
import type { IndexErrorCode } from '../../../shared/protocol-codes.js'
import { encode } from './canonical.js'
import { decodeEnvelope, INDEX_PART_BYTES, isFamily, type Envelope, type IndexPayload } from './envelope.js'
import { acceptIndex, type GroupIndex } from './group-index.js'

// The payloads' shapes are in envelope.ts's table of message kinds.
export { INDEX_PART_BYTES, type IndexPayload } from './envelope.js'

/** True for payloads this module handles (so other sealed payloads go elsewhere). */
export function isIndexPayload(bytes: Uint8Array): boolean {
  return isFamily(decodeEnvelope(bytes), 'index')
}

export interface SyncOutput {
  readonly send: Uint8Array[]
  /** A newer index, verified whole. */
  readonly accepted?: GroupIndex
  /** Why what the peer sent was not used (its connection need not end: an index is not a proof). */
  readonly ignored?: IndexErrorCode | 'unexpected'
}

const nothing: SyncOutput = { send: [] }

export class IndexSync {
  readonly #swarm: Uint8Array
  readonly #held: () => GroupIndex | undefined
  /** The version we are fetching from this peer, and what we have of it. */
  #fetch: { version: number; total: number | undefined; parts: Uint8Array[]; received: number } | undefined
  #announced = 0

  constructor(swarm: Uint8Array, held: () => GroupIndex | undefined) {
    this.#swarm = swarm
    this.#held = held
  }

  /** What to send once the connection is authorized both ways, and whenever our index changes. */
  announce(): Uint8Array[] {
    const v = this.#held()?.version ?? 0
    if (v === 0 || v === this.#announced) return []
    this.#announced = v
    return [encode({ t: 'index', version: v })]
  }

  onPayload(bytes: Uint8Array): SyncOutput {
    return this.onEnvelope(decodeEnvelope(bytes))
  }

  /** A payload decoded once by the caller (envelope.ts); anything but a well-formed index payload is 'malformed'. */
  onEnvelope(e: Envelope): SyncOutput {
    if (e.kind !== 'index') return { send: [], ignored: 'malformed' }
    const m = e.payload
    const held = this.#held()
    switch (m.t) {
      case 'index': {
        if (held !== undefined && m.version <= held.version) return nothing
        if (this.#fetch !== undefined && this.#fetch.version >= m.version) return nothing
        this.#fetch = { version: m.version, total: undefined, parts: [], received: 0 }
        return { send: [encode({ t: 'index-get', version: m.version, offset: 0 })] }
      }
      case 'index-get': {
        // Only the version we hold now; asking for another one is answered with what we hold.
        if (held === undefined) return { send: [], ignored: 'unexpected' }
        if (m.version !== held.version) return { send: this.announce() }
        if (m.offset >= held.bytes.length) return { send: [], ignored: 'unexpected' }
        const data = held.bytes.subarray(m.offset, m.offset + INDEX_PART_BYTES)
        return {
          send: [encode({ t: 'index-part', version: held.version, offset: m.offset, total: held.bytes.length, data })],
        }
      }
      case 'index-part':
        return this.#onPart(m)
    }
  }

  #onPart(m: Extract<IndexPayload, { t: 'index-part' }>): SyncOutput {
    const f = this.#fetch
    if (f === undefined || m.version !== f.version || m.offset !== f.received)
      return { send: [], ignored: 'unexpected' }
    if (f.total === undefined) f.total = m.total
    if (m.total !== f.total || f.received + m.data.length > f.total) {
      this.#fetch = undefined
      return { send: [], ignored: 'malformed' }
    }
    f.parts.push(m.data)
    f.received += m.data.length
    if (f.received < f.total) return { send: [encode({ t: 'index-get', version: f.version, offset: f.received })] }
    this.#fetch = undefined
    const whole = new Uint8Array(f.total)
    let at = 0
    for (const p of f.parts) {
      whole.set(p, at)
      at += p.length
    }
    const r = acceptIndex(this.#held(), whole, this.#swarm)
    if (!r.ok) return { send: [], ignored: r.error.code }
    if (r.value.version !== f.version) return { send: [], ignored: 'malformed' }
    return { send: [], accepted: r.value }
  }
}
