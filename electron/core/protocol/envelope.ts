/**
 * Every message of the `coterie` BEP 10 extension, and every payload sealed inside a `sealed` one,
 * decoded once, here: bytes in, one typed value out. The message kinds live in ONE table (KINDS):
 * the "t" each carries, the family it belongs to and the shape of its fields. Callers switch on
 * `kind` and never read bencode themselves; a message that fits no shape is `malformed`, with the
 * family its "t" claimed (if any), because each family treats a bad message its own way (a bad
 * proof is refused, a bad `sealed` ends the wire, a bad pex is dropped: docs/PROTOCOL.md §5, §12.2).
 *
 *   handshake  proof, noproof, accept, refuse        (handshake.ts, §5)
 *   sealed     sealed                                 (transfer.ts, §5.6)
 *   pex        pex                                    (pex.ts, §12.2: fields only; pex.ts checks the lists)
 *   index      index, index-get, index-part           (index-sync.ts, §13.1)
 *   switch     tls-offer, tls-start                   (tls-switch.ts, §5.6: only ever inside `sealed`)
 *
 * Pure: no state, no I/O. The wire bytes are unchanged by it (protocol/vectors/ hold them).
 */
import { z } from 'zod'
import { decodeCanonical } from './canonical.js'
import { MAX_INDEX_BYTES, MAX_MESSAGE_BYTES } from './constants.js'
import { text, uint } from './schema.js'

/** Bytes of index per part: a part with its keys stays well under MAX_MESSAGE_BYTES once sealed. */
export const INDEX_PART_BYTES = 6144
/** An AEAD tag (transfer.ts): no sealed box is shorter. */
const TAG_BYTES = 16

const bytes = z.instanceof(Uint8Array)

/** The one table: each message "t", its family, and its fields. */
const KINDS = {
  proof: { family: 'handshake', schema: z.strictObject({ t: z.literal('proof'), box: bytes }) },
  noproof: { family: 'handshake', schema: z.strictObject({ t: z.literal('noproof') }) },
  accept: { family: 'handshake', schema: z.strictObject({ t: z.literal('accept') }) },
  refuse: { family: 'handshake', schema: z.strictObject({ t: z.literal('refuse'), code: text(64) }) },
  sealed: {
    family: 'sealed',
    schema: z.strictObject({ t: z.literal('sealed'), box: bytes.refine((b) => b.length >= TAG_BYTES) }),
  },
  pex: { family: 'pex', schema: z.strictObject({ t: z.literal('pex'), ip4: bytes.optional(), ip6: bytes.optional() }) },
  'tls-offer': { family: 'switch', schema: z.strictObject({ t: z.literal('tls-offer') }) },
  'tls-start': { family: 'switch', schema: z.strictObject({ t: z.literal('tls-start') }) },
  index: { family: 'index', schema: z.strictObject({ t: z.literal('index'), version: uint.min(1) }) },
  'index-get': {
    family: 'index',
    schema: z.strictObject({ t: z.literal('index-get'), version: uint.min(1), offset: uint }),
  },
  'index-part': {
    family: 'index',
    schema: z.strictObject({
      t: z.literal('index-part'),
      version: uint.min(1),
      offset: uint,
      total: uint.min(1).max(MAX_INDEX_BYTES),
      data: bytes.refine((d) => d.length >= 1 && d.length <= INDEX_PART_BYTES),
    }),
  },
} as const

type Kinds = typeof KINDS
type Family = Kinds[keyof Kinds]['family']
type MessageOf<F extends Family> = {
  [T in keyof Kinds]: Kinds[T]['family'] extends F ? z.infer<Kinds[T]['schema']> : never
}[keyof Kinds]

export type HandshakeMessage = MessageOf<'handshake'>
export type PexFields = MessageOf<'pex'>
export type IndexPayload = MessageOf<'index'>
export type SwitchMessage = MessageOf<'switch'>

export type MalformedReason = 'oversize' | 'malformed'

export type Envelope =
  | { readonly kind: 'handshake'; readonly message: HandshakeMessage }
  | { readonly kind: 'sealed'; readonly box: Uint8Array }
  | { readonly kind: 'pex'; readonly message: PexFields }
  | { readonly kind: 'index'; readonly payload: IndexPayload }
  | { readonly kind: 'switch'; readonly message: SwitchMessage }
  /** `claimed`: the family its "t" named, when it named one. */
  | { readonly kind: 'malformed'; readonly reason: MalformedReason; readonly claimed?: Family }

const isKind = (t: string): t is keyof Kinds => Object.hasOwn(KINDS, t)

/** Decodes one extension message (or sealed payload). Never throws. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  if (data.length > MAX_MESSAGE_BYTES) return { kind: 'malformed', reason: 'oversize' }
  const d = decodeCanonical(data, MAX_MESSAGE_BYTES)
  // The one place that asks "is it a dictionary, and what is its t?". The wire carries t as a byte string.
  if (d === undefined || typeof d !== 'object' || d instanceof Uint8Array || Array.isArray(d))
    return { kind: 'malformed', reason: 'malformed' }
  const t = d.t instanceof Uint8Array ? new TextDecoder().decode(d.t) : undefined
  if (t === undefined || !isKind(t)) return { kind: 'malformed', reason: 'malformed' }
  const { family, schema } = KINDS[t]
  const parsed = schema.safeParse({ ...d, t })
  if (!parsed.success) return { kind: 'malformed', reason: 'malformed', claimed: family }
  const m = parsed.data
  switch (m.t) {
    case 'proof':
    case 'noproof':
    case 'accept':
    case 'refuse':
      return { kind: 'handshake', message: m }
    case 'sealed':
      return { kind: 'sealed', box: m.box }
    case 'pex':
      return { kind: 'pex', message: m }
    case 'index':
    case 'index-get':
    case 'index-part':
      return { kind: 'index', payload: m }
    case 'tls-offer':
    case 'tls-start':
      return { kind: 'switch', message: m }
  }
}

/** True if the envelope is, or claims to be, of `family`. */
export const isFamily = (e: Envelope, family: Family): boolean =>
  e.kind === 'malformed' ? e.claimed === family : e.kind === family
