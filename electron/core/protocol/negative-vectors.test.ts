// The negative vectors (protocol-v1.json, key `negative`; built by electron/core/testing/
// negative-vectors.ts) replayed through the reference: every input gets exactly the stated code, in
// the orders docs/PROTOCOL.md gives, and every reason code of every list is exercised at least once.
// vectors.test.ts already checks that the stored file is what the code builds; this file checks
// that what it states is what the reference does, reading only the stored file.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { hexToBytes } from '@noble/hashes/utils.js'
import Wire from 'bittorrent-protocol'
import { isValidPublicKey, keyPairFromSecret, parseKeyText } from './keys.js'
import { verify } from './signing.js'
import { decodeCanonical } from './canonical.js'
import { verifyCertificate } from './certificate.js'
import { Handshake, helloBytes, type PeerVerdict, type SelfVerdict } from './handshake.js'
import { openInvite, isPeerAddress, isTrackerUrl } from './invite.js'
import { openIndex, supersedes } from './group-index.js'
import { asRendezvous } from './rendezvous.js'
import { SealedTransfer, sealedBox } from './transfer.js'
import { decodeEnvelope } from './envelope.js'
import { MAX_HELLO_BYTES, ROLE } from './constants.js'
import { INDEX_CODES, INVITE_CODES, KEY_TEXT_CODES, REJECT_CODES } from '../../../shared/protocol-codes.js'

const stored = JSON.parse(readFileSync(new URL('./vectors/protocol-v1.json', import.meta.url), 'utf8'))
const n = stored.negative
const h = (s: string) => hexToBytes(s)
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex')
const keyOf = (label: string) =>
  keyPairFromSecret(h(stored.keys.find((k: { seedLabel: string }) => k.seedLabel === label).secretKey))
const peerText = (v: PeerVerdict): string => (v.kind === 'refused' ? `refused:${v.code}` : v.kind)
const selfText = (v: SelfVerdict): string => (v.kind === 'refused' ? `refused:${v.code}` : v.kind)

interface SideJson {
  role: 'initiator' | 'responder'
  nonce: string
  ephemeralSecret: string
  certificate: string | null
  secretKey: string | null
  revoked?: string[]
}
interface StepJson {
  hello?: string
  message?: string
  now?: number
  timeout?: true
  recheck?: number
  send: string[]
  peer: string
  self: string
}

function handshakeFrom(side: SideJson): Handshake {
  const revoked = side.revoked ?? []
  return new Handshake({
    role: side.role,
    infoHash: h(n.handshake.infoHash),
    swarm: h(n.handshake.swarm),
    credential:
      side.certificate === null ? undefined : { certificate: h(side.certificate), secretKey: h(side.secretKey!) },
    nonce: h(side.nonce),
    ephemeralSecret: h(side.ephemeralSecret),
    isRevoked: (m) => revoked.includes(hexOf(m)),
  })
}

/** Replays the stored steps; returns the last peer verdict. */
function replay(subject: Handshake, steps: StepJson[], what: string): string {
  steps.forEach((s, i) => {
    const step =
      s.hello !== undefined
        ? subject.onPeerHello(decodeCanonical(h(s.hello), 1 << 20))
        : s.message !== undefined
          ? subject.onMessage(h(s.message), s.now!)
          : s.timeout === true
            ? subject.timeout()
            : subject.recheck(s.recheck!)
    const at = `${what}, step ${i}`
    assert.deepEqual(step.send.map(hexOf), s.send, `${at}: sent`)
    assert.equal(peerText(subject.peer), s.peer, `${at}: peer verdict`)
    assert.equal(selfText(subject.self), s.self, `${at}: self verdict`)
  })
  return steps.at(-1)!.peer
}

const seen = { reject: new Set<string>(), invite: new Set<string>(), index: new Set<string>(), key: new Set<string>() }

describe('negative vectors: what a second implementation must refuse, and with which code', () => {
  it('key texts (§4.2): each code, in the order of the steps', () => {
    for (const c of n.keyTexts) {
      const r = parseKeyText(c.kind, c.text)
      assert.equal(r.ok ? 'ok' : r.error.code, c.expect, JSON.stringify(c.text))
      seen.key.add(c.expect)
    }
  })

  it('Ed25519 is strict (§3): non-canonical S and R, small-order and mixed-order keys are refused', () => {
    const v = n.ed25519
    for (const c of v.cases) {
      assert.equal(isValidPublicKey(h(c.publicKey)), c.keyValid, `key: ${c.why}`)
      assert.equal(verify(h(c.publicKey), v.role, h(v.payload), h(c.signature)), c.valid, c.why)
    }
  })

  it('bencode (§2): depth and integer bounds', () => {
    for (const x of n.bencode.accepted) assert.notEqual(decodeCanonical(h(x), n.bencode.maxBytes), undefined, x)
    for (const x of n.bencode.rejected) assert.equal(decodeCanonical(h(x.hex), n.bencode.maxBytes), undefined, x.why)
  })

  it('certificates (§4.4): each code, and which check wins when two fail', () => {
    for (const c of n.certificates.cases) {
      const r = verifyCertificate(h(c.hex), {
        swarm: h(n.certificates.swarm),
        now: c.now,
        ...(c.infoHash === null ? {} : { infoHash: h(c.infoHash) }),
      })
      assert.equal(r.ok ? 'ok' : r.error.code, c.expect, c.why)
      seen.reject.add(c.expect)
    }
  })

  it('hellos (§5.1): each code, in the order of the checks', () => {
    for (const c of n.handshake.hellos) {
      assert.equal(replay(handshakeFrom(c.responder), c.steps, c.why), c.expect, c.why)
      seen.reject.add(c.expect.replace('refused:', ''))
    }
  })

  it('proofs (§5.3): each code of the six checks, and revoked last', () => {
    for (const c of n.handshake.proofs) {
      assert.equal(replay(handshakeFrom(c.responder), c.steps, c.why), c.expect, c.why)
      seen.reject.add(c.expect.replace('refused:', ''))
    }
  })

  it('the state tables (§5.3): sends and verdicts after every input', () => {
    for (const c of n.handshake.sequences) {
      replay(handshakeFrom(c.subject), c.steps, c.why)
      for (const s of c.steps as StepJson[]) {
        seen.reject.add(s.peer.replace('refused:', ''))
        seen.reject.add(s.self.replace('refused:', ''))
      }
    }
  })

  it('invites (§7): each code, IPv6 and hostname peers, several trackers', () => {
    const me = keyOf(n.invites.recipient)
    for (const c of n.invites.cases) {
      const r = openInvite(h(c.file), me, n.invites.now)
      assert.equal(r.ok ? 'ok' : r.error.code, c.expect, c.why)
      seen.invite.add(c.expect)
    }
    const withPeers = openInvite(h(n.invites.cases[1].file), me, n.invites.now)
    assert.ok(withPeers.ok)
    assert.deepEqual(withPeers.value.peers, ['[2001:db8::1]:51413', 'peer-1.example.org:6881', '192.0.2.7:6881'])
    assert.equal(withPeers.value.group.trackers.length, 3)
    const ignored = openInvite(h(n.invites.cases[2].file), me, n.invites.now)
    assert.ok(ignored.ok)
    assert.deepEqual(
      ignored.value.group.trackers,
      ['udp://tracker.example:6969/announce'],
      'only the URL in the grammar',
    )
  })

  it('an invite over 16 MiB is oversize (synthesized: the file would not fit in the vectors)', () => {
    const r = openInvite(new Uint8Array(16 * 1024 * 1024 + 1), keyOf(n.invites.recipient), n.invites.now)
    assert.equal(r.ok ? 'ok' : r.error.code, 'oversize')
    seen.invite.add('oversize')
  })

  it('group indexes (§6.4): each code in the order of the list; an index carrying its rendezvous', () => {
    for (const c of n.groupIndexes.cases) {
      const r = openIndex(h(c.hex), h(c.swarm))
      const code = !r.ok ? r.error.code : c.held !== null && !supersedes({ version: c.held }, r.value) ? 'stale' : 'ok'
      assert.equal(code, c.expect, c.why)
      seen.index.add(c.expect)
    }
    const v = n.groupIndexes.rendezvous
    const r = openIndex(h(v.index), h(n.handshake.swarm))
    assert.ok(r.ok)
    assert.equal(hexOf(r.value.torrents[0]!), v.rendezvousInfo, 'the rendezvous travels first')
    assert.ok(asRendezvous(r.value.torrents[0]!, h(n.handshake.swarm)) !== undefined)
    assert.equal(
      asRendezvous(r.value.torrents[1]!, h(n.handshake.swarm)),
      undefined,
      'the share is an ordinary torrent',
    )
  })

  it('an index over 16 MiB is oversize (synthesized: it would not fit in the vectors)', () => {
    const r = openIndex(new Uint8Array(16 * 1024 * 1024 + 1), h(n.handshake.swarm))
    assert.equal(r.ok ? 'ok' : r.error.code, 'oversize')
    seen.index.add('oversize')
  })

  it('peer and tracker grammar (§7.1)', () => {
    for (const p of n.grammar.peers.accepted) assert.ok(isPeerAddress(p), p)
    for (const p of n.grammar.peers.refused) assert.ok(!isPeerAddress(p), p)
    for (const t of n.grammar.trackers.accepted) assert.ok(isTrackerUrl(t), t)
    for (const t of n.grammar.trackers.refused) assert.ok(!isTrackerUrl(t), t)
  })

  it('sealed transfers (§5.6): several records each way, counted per direction; out of order fails', () => {
    const v = n.transfer
    const receivers = {
      initiator: new SealedTransfer(h(v.sessionSecret), h(v.transcriptHash), ROLE.responder),
      responder: new SealedTransfer(h(v.sessionSecret), h(v.transcriptHash), ROLE.initiator),
    }
    for (const rec of v.records) {
      const rx = receivers[rec.from as 'initiator' | 'responder']
      if (rec.kind === 'piece') assert.equal(hexOf(rx.openPiece(rec.index, rec.begin, h(rec.box))!), rec.block)
      else {
        const box = sealedBox(h(rec.message))
        assert.ok(box instanceof Uint8Array)
        assert.equal(hexOf(rx.openMessage(box)!), rec.payload)
      }
    }
    // A fresh receiver that skips the initiator's record 0 cannot open record 1 as its first.
    const fresh = new SealedTransfer(h(v.sessionSecret), h(v.transcriptHash), ROLE.responder)
    const second = v.records.find((r: { from: string; record: number }) => r.from === 'initiator' && r.record === 1)
    assert.equal(fresh.openMessage(sealedBox(h(second.message)) as Uint8Array), undefined)
  })

  it('BEP 10 frames: a real bittorrent-protocol wire reads the extended handshakes and the hello in them', async () => {
    const v = n.bep10
    for (const side of [v.initiator, v.responder]) {
      const frame = h(side.frame)
      assert.equal(new DataView(frame.buffer).getUint32(0), frame.length - 4, 'length prefix')
      assert.deepEqual([frame[4], frame[5]], [v.messageId, v.extendedHandshakeId])
      const wire = new Wire()
      wire.on('error', () => {})
      const got = new Promise<Record<string, unknown>>((resolve) =>
        wire.on('extended', (ext: unknown, obj: unknown) => {
          if (ext === 'handshake') resolve(obj as Record<string, unknown>)
        }),
      )
      const reserved = new Uint8Array(8)
      reserved[5] = 0x10
      wire.write(
        Buffer.concat([
          Buffer.from([19]),
          Buffer.from('BitTorrent protocol'),
          reserved,
          h(v.infoHash),
          new Uint8Array(20),
          frame,
        ]),
      )
      const ext = await got
      assert.equal((ext.m as Record<string, number>).coterie, side.coterieId)
      assert.equal(helloBytes(ext.coterie), v.helloShare.bytes)
      assert.ok(v.helloShare.bytes <= MAX_HELLO_BYTES)
      assert.deepEqual(ext.coterie, decodeCanonical(h(side.hello), 1024))
      wire.destroy()
    }
    const proof = h(v.initiatorProof.frame)
    assert.equal(proof[5], v.responder.coterieId, "addressed to the responder's id")
    assert.equal(decodeEnvelope(proof.subarray(6)).kind, 'handshake')
    const disabled = decodeCanonical(h(v.disabled.extendedHandshake), 1024) as { m: { coterie: number } }
    assert.equal(disabled.m.coterie, 0)
  })

  it('every reason code of every list appears in the vectors (unknown: as a recorded refusal)', () => {
    for (const c of REJECT_CODES) assert.ok(seen.reject.has(c), `reject code ${c}`)
    for (const c of INVITE_CODES) assert.ok(seen.invite.has(c), `invite code ${c}`)
    for (const c of INDEX_CODES) assert.ok(seen.index.has(c), `index code ${c}`)
    for (const c of KEY_TEXT_CODES) assert.ok(seen.key.has(c), `key-text code ${c}`)
  })
})
