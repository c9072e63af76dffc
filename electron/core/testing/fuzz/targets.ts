/**
 * Every parser that reads bytes from outside (a peer, a file, a paste, a browser tab), as a fuzz
 * target: one input in, one outcome label out. The fuzzer (fuzz.ts) holds each target to the same
 * properties: it never throws, it answers within a bound, and every outcome is "ok" or one of the
 * typed reasons the target may give (docs/PROTOCOL.md §6, §14), never something else. Stateful
 * targets (a handshake, an index fetch, a real BEP 10 wire) take a sequence of inputs and also
 * report what they kept, which must stay bounded.
 *
 * Seeds come from the protocol vectors (protocol-v1.json, positive and negative) and from
 * corpus.json (hostile inputs worth keeping, and any counterexample a long run found).
 */
import { readFileSync } from 'node:fs'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import bencode from 'bencode'
import Wire from 'bittorrent-protocol'
import { concatBytes, fromUtf8, utf8 } from '../../protocol/bytes.js'
import { decodeCanonical, encode } from '../../protocol/canonical.js'
import { verifyCertificate } from '../../protocol/certificate.js'
import { DOMAIN, PROTOCOL_VERSION } from '../../protocol/constants.js'
import { decodeEnvelope } from '../../protocol/envelope.js'
import { openIndex } from '../../protocol/group-index.js'
import { Handshake } from '../../protocol/handshake.js'
import { IndexSync } from '../../protocol/index-sync.js'
import { openInvite } from '../../protocol/invite.js'
import { keyPairFromSecret, parseKeyText, type KeyPair } from '../../protocol/keys.js'
import { parseLsdAnnounce } from '../../protocol/lsd.js'
import { decodePex } from '../../protocol/pex.js'
import { readBackup } from '../../protocol/backup.js'
import { safeLayoutOfInfo } from '../../protocol/file-names.js'
import { parseIceUrl } from '../../protocol/ice.js'
import { coterieExtension, extensionOf } from '../../gate/extension.js'
import { parseClientFrame } from '../../ui-server/socket.js'
import { uploadSegments } from '../../ui-server/upload.js'
import {
  ICE_URL_CODES,
  INDEX_CODES,
  INVITE_CODES,
  KEY_TEXT_CODES,
  NAME_CODES,
  REJECT_CODES,
} from '../../../../shared/protocol-codes.js'

export interface Outcome {
  /** "ok", or the typed reason the input was refused. */
  readonly outcome: string
  /** Bytes the target kept after the input (stateful targets); must stay under `maxRetained`. */
  readonly retained?: number
}

export interface FuzzTarget {
  readonly name: string
  /** What the target parses, and where in the code. */
  readonly what: string
  readonly seeds: readonly Uint8Array[]
  /** Every outcome the target may give. */
  readonly outcomes: ReadonlySet<string>
  /** Sequence targets take up to this many inputs per run; 1 for the others. */
  readonly sequence: number
  readonly maxRetained?: number
  run(inputs: readonly Uint8Array[]): Outcome | Promise<Outcome>
}

const vectors = JSON.parse(
  readFileSync(new URL('../../protocol/vectors/protocol-v1.json', import.meta.url), 'utf8'),
) as Record<string, unknown>
const corpus = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8')) as Record<string, string[]>

/** Every string value under `path` keys of the vectors that is hex of at least 2 bytes. */
function hexValues(node: unknown, keys: ReadonlySet<string>, out: Uint8Array[] = [], key = ''): Uint8Array[] {
  if (typeof node === 'string') {
    if (keys.has(key) && node.length >= 4 && node.length % 2 === 0 && /^[0-9a-f]+$/.test(node))
      out.push(hexToBytes(node))
  } else if (Array.isArray(node)) node.forEach((x) => hexValues(x, keys, out, key))
  else if (typeof node === 'object' && node !== null)
    for (const [k, v] of Object.entries(node)) hexValues(v, keys, out, typeof v === 'string' ? k : keys.has(k) ? k : '')
  return out
}
const seedsOf = (keys: string[], corpusName: string): Uint8Array[] => [
  ...hexValues(vectors, new Set(keys)),
  ...(corpus[corpusName] ?? []).map((s) => (s.startsWith('hex:') ? hexToBytes(s.slice(4)) : utf8(s))),
]
const textsOf = (node: unknown, key: string): Uint8Array[] => {
  const out: Uint8Array[] = []
  const walk = (n: unknown, k: string) => {
    if (typeof n === 'string' && k === key) out.push(utf8(n))
    else if (Array.isArray(n)) n.forEach((x) => walk(x, k))
    else if (typeof n === 'object' && n !== null) for (const [kk, v] of Object.entries(n)) walk(v, kk)
  }
  walk(node, '')
  return out
}

const keyOf = (label: string): KeyPair => {
  const k = (vectors.keys as { seedLabel: string; secretKey: string }[]).find((x) => x.seedLabel === label)!
  return keyPairFromSecret(hexToBytes(k.secretKey))
}
const handshakeVector = vectors.handshake as Record<string, unknown> & {
  infoHash: string
  swarm: string
  now: number
  initiator: { hello: string; nonce: string; ephemeralSecret: string; certificate: string }
  responder: { hello: string; nonce: string; ephemeralSecret: string; certificate: string }
  messages: { hex: string }[]
}
const SWARM = hexToBytes(handshakeVector.swarm)
const INFOHASH = hexToBytes(handshakeVector.infoHash)
const NOW = handshakeVector.now
const alice = keyOf('vector alice')
const bob = keyOf('vector bob')

const codes = (...lists: (readonly string[])[]) => new Set(lists.flat())
const refusals = (list: readonly string[]) => list.map((c) => `refused:${c}`)

/** The inner plaintext of an invite sealed to `me` (PROTOCOL.md §7, Sealing), or undefined. */
function inviteInner(file: Uint8Array, me: KeyPair): Uint8Array | undefined {
  const d = decodeCanonical(file, file.length) as { e?: Uint8Array; box?: Uint8Array } | undefined
  if (d?.e === undefined || d.box === undefined) return undefined
  const uR = ed25519.utils.toMontgomery(me.publicKey)
  const shared = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(me.secretKey), d.e)
  const k = hkdf(sha256, shared, concatBytes(d.e, uR), encode([DOMAIN, PROTOCOL_VERSION, 'invite']), 32)
  return chacha20poly1305(k, new Uint8Array(12), utf8('coterie-invite')).decrypt(d.box)
}
/** Seals `inner` to `to` with a fixed ephemeral (a fuzz input needs no fresh one). */
function sealInner(inner: Uint8Array, to: Uint8Array): Uint8Array {
  const es = new Uint8Array(32).fill(7)
  const uR = ed25519.utils.toMontgomery(to)
  const e = x25519.getPublicKey(es)
  const k = hkdf(
    sha256,
    x25519.getSharedSecret(es, uR),
    concatBytes(e, uR),
    encode([DOMAIN, PROTOCOL_VERSION, 'invite']),
    32,
  )
  return encode({
    'coterie-invite': 1,
    e,
    box: chacha20poly1305(k, new Uint8Array(12), utf8('coterie-invite')).encrypt(inner),
  })
}

/** A hello as a wire would hand it over: decoded by the lenient `bencode` package bittorrent-protocol uses. */
function asWireValue(b: Uint8Array): unknown {
  const strict = decodeCanonical(b, 1 << 16)
  if (strict !== undefined) return strict
  try {
    return bencode.decode(b)
  } catch {
    return undefined
  }
}

const responder = () =>
  new Handshake({
    role: 'responder',
    infoHash: INFOHASH,
    swarm: SWARM,
    credential: { certificate: hexToBytes(handshakeVector.responder.certificate), secretKey: bob.secretKey },
    nonce: hexToBytes(handshakeVector.responder.nonce),
    ephemeralSecret: hexToBytes(handshakeVector.responder.ephemeralSecret),
  })

const inviteFiles = seedsOf(['file'], 'invite')
const inviteInners = inviteFiles.flatMap((f) => {
  try {
    const inner = inviteInner(f, alice)
    return inner === undefined ? [] : [inner]
  } catch {
    return []
  }
})

const BT_HANDSHAKE = (() => {
  const reserved = new Uint8Array(8)
  reserved[5] = 0x10
  return concatBytes(new Uint8Array([19]), utf8('BitTorrent protocol'), reserved, INFOHASH, new Uint8Array(20).fill(9))
})()
/** A BEP 10 frame: length prefix, id 20, the extended id, the payload. */
function frame(extendedId: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + payload.length)
  new DataView(out.buffer).setUint32(0, 2 + payload.length)
  out[4] = 20
  out[5] = extendedId
  out.set(payload, 6)
  return out
}

export const targets: readonly FuzzTarget[] = [
  {
    name: 'envelope',
    what: 'a Coterie message or sealed payload (protocol/envelope.ts decodeEnvelope)',
    seeds: seedsOf(['hex', 'message', 'payload'], 'envelope'),
    outcomes: new Set(['handshake', 'sealed', 'pex', 'index', 'switch', 'malformed:oversize', 'malformed:malformed']),
    sequence: 1,
    run: ([b]) => {
      const e = decodeEnvelope(b!)
      return { outcome: e.kind === 'malformed' ? `malformed:${e.reason}` : e.kind }
    },
  },
  {
    name: 'hello',
    what: "a peer's hello from its extended handshake (protocol/handshake.ts onPeerHello)",
    seeds: seedsOf(['hello'], 'hello'),
    outcomes: codes(['pending', 'not-bencode'], refusals(REJECT_CODES)),
    sequence: 1,
    run: ([b]) => {
      const value = asWireValue(b!)
      if (value === undefined) return { outcome: 'not-bencode' }
      const r = responder()
      r.onPeerHello(value)
      return { outcome: r.peer.kind === 'refused' ? `refused:${r.peer.code}` : r.peer.kind }
    },
  },
  {
    name: 'handshake',
    what: "a responder's state machine fed the vector initiator's hello, then messages (protocol/handshake.ts)",
    seeds: seedsOf(['hex', 'message'], 'envelope'),
    // "echo" (a second message after a refusal) is deliberately not an outcome: it fails the run.
    outcomes: codes(['pending', 'authorized'], refusals(REJECT_CODES)),
    sequence: 6,
    run: (inputs) => {
      const r = responder()
      r.onPeerHello(decodeCanonical(hexToBytes(handshakeVector.initiator.hello), 1024))
      let refusedAt = -1
      let echo = false
      inputs.forEach((m, i) => {
        const step = r.onMessage(m, NOW)
        // One refusal, then silence (§5.3): a refused peer never gets a second message.
        if (refusedAt >= 0 && step.send.length > 0) echo = true
        if (refusedAt < 0 && r.peer.kind === 'refused') refusedAt = i
      })
      return { outcome: echo ? 'echo' : r.peer.kind === 'refused' ? `refused:${r.peer.code}` : r.peer.kind }
    },
  },
  {
    name: 'certificate',
    what: 'a certificate (protocol/certificate.ts verifyCertificate)',
    seeds: seedsOf(['hex', 'certificate'], 'certificate'),
    outcomes: codes(['ok'], REJECT_CODES),
    sequence: 1,
    run: ([b]) => {
      const r = verifyCertificate(b!, { swarm: SWARM, infoHash: INFOHASH, now: NOW })
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'invite-file',
    what: 'an invite file (protocol/invite.ts openInvite)',
    seeds: inviteFiles,
    outcomes: codes(['ok'], INVITE_CODES),
    sequence: 1,
    run: ([b]) => {
      const r = openInvite(b!, alice, NOW)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'invite-content',
    what: "an invite's decrypted content, sealed to the reader so the fuzzer gets past the AEAD (openInvite)",
    seeds: [...inviteInners, ...(corpus['invite-content'] ?? []).map(utf8)],
    outcomes: codes(['ok'], INVITE_CODES),
    sequence: 1,
    run: ([b]) => {
      const r = openInvite(sealInner(b!, alice.publicKey), alice, NOW)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'group-index',
    what: 'a group index (protocol/group-index.ts openIndex)',
    seeds: seedsOf(['hex', 'index'], 'group-index').filter((b) => b[0] === 0x64),
    outcomes: codes(['ok'], INDEX_CODES),
    sequence: 1,
    run: ([b]) => {
      const r = openIndex(b!, SWARM)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'index-sync',
    what: 'index announcements and parts from a peer (protocol/index-sync.ts IndexSync)',
    seeds: seedsOf(['payload'], 'index-sync'),
    outcomes: codes(['ok', 'accepted', 'unexpected'], INDEX_CODES),
    sequence: 8,
    run: (inputs) => {
      const sync = new IndexSync(SWARM, () => undefined)
      let last = 'ok'
      for (const p of inputs) {
        const out = sync.onPayload(p)
        if (out.accepted !== undefined) last = 'accepted'
        else if (out.ignored !== undefined) last = out.ignored
      }
      return { outcome: last }
    },
  },
  {
    name: 'key-text',
    what: 'a pasted key text (protocol/keys.ts parseKeyText)',
    seeds: [...textsOf(vectors, 'identityText'), ...textsOf(vectors, 'groupText'), ...textsOf(vectors, 'text')],
    outcomes: codes(['ok'], KEY_TEXT_CODES),
    sequence: 1,
    run: ([b]) => {
      const text = new TextDecoder().decode(b!)
      const r = parseKeyText(b!.length % 2 === 0 ? 'identity' : 'swarm', text)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'pex',
    what: 'a pex payload (protocol/pex.ts decodePex)',
    seeds: seedsOf(['hex'], 'pex').filter((b) => fromUtf8(b)?.includes('3:pex') === true),
    outcomes: new Set(['ok', 'oversize', 'malformed', 'too-many']),
    sequence: 1,
    run: ([b]) => {
      const r = decodePex(b!)
      return { outcome: r.ok ? 'ok' : r.error }
    },
  },
  {
    name: 'lsd',
    what: 'a local service discovery datagram (protocol/lsd.ts parseLsdAnnounce)',
    seeds: (corpus.lsd ?? []).map(utf8),
    outcomes: new Set(['ok', 'oversize', 'malformed']),
    sequence: 1,
    run: ([b]) => {
      const r = parseLsdAnnounce(b!)
      return { outcome: r.ok ? 'ok' : r.error }
    },
  },
  {
    name: 'backup',
    what: 'an identity backup file (protocol/backup.ts readBackup)',
    seeds: [...textsOf(vectors, 'file').filter((b) => b[0] === 0x7b), ...(corpus.backup ?? []).map(utf8)],
    outcomes: new Set(['ok', 'oversize', 'not-a-backup', 'newer-version', 'cannot-open', 'key-mismatch', 'damaged']),
    sequence: 1,
    run: ([b]) => {
      const r = readBackup(b!)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'torrent-names',
    what: "an info dictionary's names and layout (protocol/file-names.ts safeLayoutOfInfo)",
    seeds: seedsOf(['info', 'rendezvousInfo'], 'torrent-names'),
    outcomes: codes(['ok', 'not-bencode'], NAME_CODES),
    sequence: 1,
    run: ([b]) => {
      if (decodeCanonical(b!, b!.length) === undefined) return { outcome: 'not-bencode' }
      const r = safeLayoutOfInfo(b!)
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'ice-url',
    what: 'an ICE server URL from an invite or a group index (protocol/ice.ts parseIceUrl)',
    seeds: [...textsOf(vectors, 'text'), ...textsOf(vectors, 'ice'), ...(corpus['ice-url'] ?? []).map(utf8)],
    outcomes: codes(['ok'], ICE_URL_CODES),
    sequence: 1,
    run: ([b]) => {
      const r = parseIceUrl(new TextDecoder().decode(b!))
      return { outcome: r.ok ? 'ok' : r.error.code }
    },
  },
  {
    name: 'ws-frame',
    what: "a browser tab's WebSocket frame (ui-server/socket.ts parseClientFrame)",
    seeds: (corpus['ws-frame'] ?? []).map(utf8),
    outcomes: new Set(['invoke', 'bad-request', 'close:1003', 'close:1007', 'close:1008']),
    sequence: 1,
    run: ([b]) => {
      const f = parseClientFrame(Buffer.from(b!), b!.length === 1 && b![0] === 0)
      return { outcome: f.kind === 'close' ? `close:${f.code}` : f.kind }
    },
  },
  {
    name: 'upload-name',
    what: "a browser upload's file name (ui-server/upload.ts uploadSegments)",
    seeds: (corpus['upload-name'] ?? []).map(utf8),
    // "unsafe" is deliberately not an outcome: a name accepted but not plain fails the run.
    outcomes: new Set(['ok', 'refused']),
    sequence: 1,
    run: ([b]) => {
      const segments = uploadSegments(new TextDecoder().decode(b!))
      if (segments === undefined) return { outcome: 'refused' }
      // What it accepts must stay below the upload folder: plain names only.
      const safe = segments.every((s) => s !== '' && s !== '.' && s !== '..' && !/[/\\:\u0000-\u001f]/.test(s))
      return { outcome: safe ? 'ok' : 'unsafe' }
    },
  },
  {
    name: 'bep10-wire',
    what: 'BEP 10 frames into a real bittorrent-protocol wire carrying the Coterie extension (gate/extension.ts)',
    seeds: [...seedsOf(['extendedHandshake'], 'bep10-wire'), ...seedsOf(['hex', 'message'], 'envelope').slice(0, 40)],
    // The wire's fate, and our extension's verdict on the peer (its state: PROTOCOL.md §5.3, §6.1).
    outcomes: new Set(
      ['alive', 'destroyed'].flatMap((w) =>
        ['pending', 'authorized', 'no-extension', ...refusals(REJECT_CODES)].map((v) => `${w}:${v}`),
      ),
    ),
    sequence: 6,
    maxRetained: 1 << 20,
    run: async (inputs) => {
      const wire = new Wire('tcpIncoming')
      wire.on('error', () => {})
      const gated = {
        swarm: SWARM,
        credential: { certificate: hexToBytes(handshakeVector.responder.certificate), secretKey: bob.secretKey },
      }
      wire.use(coterieExtension({ lookup: () => gated, now: () => NOW, timeoutMs: 60_000 }))
      wire.on('handshake', () => wire.handshake(INFOHASH, new Uint8Array(20).fill(3), { dht: false }))
      wire.write(BT_HANDSHAKE)
      // The first input is the peer's extended handshake (id 0); the rest go to our extension's id
      // (1: the only extension on this wire), or, when an input starts with 0xff, raw onto the wire.
      const bytes = inputs.map((b, i) => (b[0] === 0xff && b.length > 1 ? b.subarray(1) : frame(i === 0 ? 0 : 1, b)))
      wire.write(concatBytes(...bytes))
      // The stream hands written bytes to the parser on later ticks: let it finish.
      for (let i = 0; i < 4 && !wire.destroyed; i++) await new Promise((resolve) => setImmediate(resolve))
      const ext = extensionOf(wire)
      const p = ext?.state === 'refused' && ext.peer?.kind === 'refused' ? `refused:${ext.peer.code}` : ext?.state
      const outcome = `${wire.destroyed ? 'destroyed' : 'alive'}:${p ?? 'none'}`
      const retained = (wire as unknown as { _bufferSize?: number })._bufferSize ?? 0
      wire.destroy()
      return { outcome, retained }
    },
  },
]
