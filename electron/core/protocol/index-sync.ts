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
import { z } from 'zod'
import type { IndexErrorCode } from '../../../shared/protocol-codes.js'
import { decodeCanonical, encode } from './canonical.js'
import { MAX_INDEX_BYTES, MAX_MESSAGE_BYTES } from './constants.js'
import { acceptIndex, type GroupIndex } from './group-index.js'
import { uint } from './schema.js'

/** Bytes of index per part: a part with its keys stays well under MAX_MESSAGE_BYTES once sealed. */
export const INDEX_PART_BYTES = 6144

const payloadSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('index'), version: uint.min(1) }),
  z.strictObject({ t: z.literal('index-get'), version: uint.min(1), offset: uint }),
  z.strictObject({
    t: z.literal('index-part'), version: uint.min(1), offset: uint, total: uint.min(1).max(MAX_INDEX_BYTES),
    data: z.instanceof(Uint8Array).refine((d) => d.length >= 1 && d.length <= INDEX_PART_BYTES),
  }),
])
export type IndexPayload = z.infer<typeof payloadSchema>

/** True for payloads this module handles (so other sealed payloads go elsewhere). */
export function isIndexPayload(bytes: Uint8Array): boolean {
  const d = decodeCanonical(bytes, MAX_MESSAGE_BYTES)
  if (typeof d !== 'object' || d === null || d instanceof Uint8Array || Array.isArray(d)) return false
  const t = d.t instanceof Uint8Array ? new TextDecoder().decode(d.t) : ''
  return t === 'index' || t === 'index-get' || t === 'index-part'
}

function decodePayload(bytes: Uint8Array): IndexPayload | undefined {
  const d = decodeCanonical(bytes, MAX_MESSAGE_BYTES)
  if (typeof d !== 'object' || d === null || d instanceof Uint8Array || Array.isArray(d)) return undefined
  const t = d.t instanceof Uint8Array ? new TextDecoder().decode(d.t) : undefined
  const parsed = payloadSchema.safeParse({ ...d, t })
  return parsed.success ? parsed.data : undefined
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
    const m = decodePayload(bytes)
    if (m === undefined) return { send: [], ignored: 'malformed' }
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
        return { send: [encode({ t: 'index-part', version: held.version, offset: m.offset, total: held.bytes.length, data })] }
      }
      case 'index-part':
        return this.#onPart(m)
    }
  }

  #onPart(m: Extract<IndexPayload, { t: 'index-part' }>): SyncOutput {
    const f = this.#fetch
    if (f === undefined || m.version !== f.version || m.offset !== f.received) return { send: [], ignored: 'unexpected' }
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
