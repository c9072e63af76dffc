// The stored vectors are what a second implementation checks itself against; this test keeps
// them true: the code must rebuild them byte for byte, and must accept and reject what they say.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { hexToBytes } from '@noble/hashes/utils.js'
import { buildVectors } from '../testing/vectors.js'
import { keyPairFromSecret, parseKeyText, fingerprint } from './keys.js'
import { verifyCertificate } from './certificate.js'
import { decodeCanonical } from './canonical.js'
import { openInvite } from './invite.js'
import { inviteLink, readInviteText } from '../../../shared/invite-link.js'
import { infoHashOf } from './torrent-info.js'
import { decodePex } from './pex.js'
import { formatAddress } from './address.js'
import { discoveryTopic } from './topic.js'
import { openIndex } from './group-index.js'
import { parseIceUrl } from './ice.js'
import { ICE_URL_CODES } from '../../../shared/protocol-codes.js'
import { IndexSync } from './index-sync.js'
import { renewalFor } from './renewal.js'
import { decodeEnvelope } from './envelope.js'
import { SealedTransfer, sealedBox } from './transfer.js'
import { TLS_EXPORTER_BYTES, TLS_EXPORTER_LABEL, tlsBindingHolds, tlsBindingKey, tlsBindingMac } from './tls-binding.js'
import { asRendezvous } from './rendezvous.js'
import { openBackup, readBackup } from './backup.js'
import { assertOk, assertErr } from '../testing/assert-result.js'

const stored = JSON.parse(readFileSync(new URL('./vectors/protocol-v1.json', import.meta.url), 'utf8'))
const h = hexToBytes

describe('protocol test vectors (electron/core/protocol/vectors/protocol-v1.json)', () => {
  it('are exactly what the code produces (run `npm run vectors` only for a deliberate change)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(buildVectors())), stored)
  })

  it('key texts and fingerprints read back to their keys', () => {
    for (const k of stored.keys) {
      assert.equal(k.publicKey, Buffer.from(keyPairFromSecret(h(k.secretKey)).publicKey).toString('hex'))
      const id = parseKeyText('identity', k.identityText)
      const group = parseKeyText('swarm', k.groupText)
      assertOk(id)
      assertOk(group)
      assert.deepEqual(id.value, h(k.publicKey))
      assert.deepEqual(group.value, h(k.publicKey))
      assert.equal(fingerprint(h(k.publicKey)), k.fingerprint)
    }
  })

  it('certificates give the stated verdicts', () => {
    const swarm = h(stored.handshake.swarm)
    const byMember = new Map(stored.certificates.valid.map((c: { member: string; hex: string }) => [c.member, c.hex]))
    for (const c of stored.certificates.checks) {
      const r = verifyCertificate(h(byMember.get(c.cert) as string), { swarm, infoHash: h(c.infoHash), now: c.now })
      assert.equal(r.ok ? 'ok' : r.error.code, c.expect)
    }
  })

  it('the torrent commits to its swarm key', () => {
    assert.equal(Buffer.from(infoHashOf(h(stored.torrent.info))).toString('hex'), stored.torrent.infoHash)
  })

  it('the invite opens for its recipient only', () => {
    const alice = stored.keys.find((k: { seedLabel: string }) => k.seedLabel === stored.invite.recipient)
    const bob = stored.keys.find((k: { seedLabel: string }) => k.seedLabel === 'vector bob')
    const opened = openInvite(h(stored.invite.file), keyPairFromSecret(h(alice.secretKey)), stored.invite.now)
    assertOk(opened)
    assert.deepEqual(opened.value.infoHashes, [stored.torrent.infoHash])
    const refused = openInvite(h(stored.invite.file), keyPairFromSecret(h(bob.secretKey)), stored.invite.now)
    assertErr(refused, 'cannot-open')
  })

  it('the invite link carries the same bytes as the file (§7.2)', () => {
    assert.ok(stored.invite.link.startsWith('coterie://invite/'))
    const read = readInviteText(stored.invite.link)
    assertOk(read)
    assert.equal(Buffer.from(read.value).toString('hex'), stored.invite.file)
    assert.equal(inviteLink(h(stored.invite.file)), stored.invite.link)
  })

  it('the public invite carries its flag and trackers; the private one reads as private', () => {
    const alice = stored.keys.find((k: { seedLabel: string }) => k.seedLabel === stored.publicInvite.recipient)
    const me = keyPairFromSecret(h(alice.secretKey))
    const pub = openInvite(h(stored.publicInvite.file), me, stored.publicInvite.now)
    assertOk(pub)
    assert.equal(pub.value.group.announcePublic, stored.publicInvite.announcePublic)
    assert.deepEqual(pub.value.group.trackers, stored.publicInvite.trackers)
    const priv = openInvite(h(stored.invite.file), me, stored.invite.now)
    assertOk(priv)
    assert.ok(!priv.value.group.announcePublic && priv.value.group.trackers.length === 0)
  })

  it('the named invite carries its sender’s claimed name; the others carry none', () => {
    const alice = stored.keys.find((k: { seedLabel: string }) => k.seedLabel === stored.namedInvite.recipient)
    const me = keyPairFromSecret(h(alice.secretKey))
    const named = openInvite(h(stored.namedInvite.file), me, stored.namedInvite.now)
    assertOk(named)
    assert.equal(named.value.fromName, stored.namedInvite.fromName)
    const plain = openInvite(h(stored.invite.file), me, stored.invite.now)
    assertOk(plain)
    assert.equal(plain.value.fromName, undefined)
  })

  it('the discovery topic and the pex messages decode as stated', () => {
    assert.equal(
      Buffer.from(discoveryTopic(h(stored.topic.groupSecret), h(stored.topic.infoHash))).toString('hex'),
      stored.topic.topic,
    )
    const pex = decodePex(h(stored.pex.hex))
    assertOk(pex)
    assert.deepEqual(pex.value.map(formatAddress), stored.pex.peers)
    for (const r of stored.pex.rejected) assert.deepEqual(decodePex(h(r.hex)), { ok: false, error: r.why })
  })

  it('non-canonical encodings are rejected', () => {
    for (const x of stored.rejected.canonical) assert.equal(decodeCanonical(h(x), 1024), undefined, x)
  })

  it('the group index opens for its group, at its version, with its revocation', () => {
    const r = openIndex(h(stored.groupIndex.hex), h(stored.handshake.swarm))
    assertOk(r)
    assert.equal(r.value.version, stored.groupIndex.version)
    assert.equal(r.value.revoked.length, 1)
  })

  it('the index of a group behind NATs carries its WebSocket tracker and ICE servers (§7.1)', () => {
    const r = openIndex(h(stored.iceIndex.hex), h(stored.handshake.swarm))
    assertOk(r)
    assert.deepEqual(r.value.trackers, stored.iceIndex.trackers)
    assert.deepEqual(r.value.ice, stored.iceIndex.ice)
  })

  it('ICE server URLs get the verdicts stated, and every reason code has a case', () => {
    for (const c of stored.iceUrls) {
      const r = parseIceUrl(c.text)
      assert.equal(r.ok ? 'ok' : r.error.code, c.verdict, c.text)
    }
    for (const code of ICE_URL_CODES)
      assert.ok(
        stored.iceUrls.some((c: { verdict: string }) => c.verdict === code),
        `no vector for ${code}`,
      )
  })

  it("the TLS switch: each side's offer and start open as such, and the binding MACs derive from the session", () => {
    const hs = stored.handshake
    const v = stored.tlsSwitch
    const mine = {
      initiator: new SealedTransfer(h(hs.sessionSecret), h(hs.transcriptHash), 'responder'),
      responder: new SealedTransfer(h(hs.sessionSecret), h(hs.transcriptHash), 'initiator'),
    }
    // What each side opens of the other: the records before the switch messages, then the two.
    mine.initiator.openPiece(
      stored.transfer.initiatorPiece.index,
      stored.transfer.initiatorPiece.begin,
      h(stored.transfer.initiatorPiece.box),
    )
    mine.initiator.openMessage(sealedBox(h(stored.transfer.initiatorMessage.message)) as Uint8Array)
    mine.responder.openPiece(0, 0, h(stored.transfer.responderPiece.box))
    for (const [from, names] of [
      ['initiator', ['initiatorOffer', 'initiatorStart']],
      ['responder', ['responderOffer', 'responderStart']],
    ] as const) {
      for (const name of names) {
        const box = sealedBox(h(v[name].message))
        assert.ok(box instanceof Uint8Array)
        const plain = mine[from].openMessage(box)
        assert.deepEqual(plain, h(v[name].payload), name)
        assert.equal(decodeEnvelope(plain!).kind, 'switch', name)
      }
    }
    const kb = tlsBindingKey(h(hs.sessionSecret), h(hs.transcriptHash))
    assert.equal(Buffer.from(kb).toString('hex'), v.bindingKey)
    assert.equal(v.exporterLabel, TLS_EXPORTER_LABEL)
    assert.equal(v.exporterBytes, TLS_EXPORTER_BYTES)
    const x = h(v.exporter)
    assert.equal(Buffer.from(tlsBindingMac(kb, 'initiator', x)).toString('hex'), v.initiatorMac)
    assert.equal(Buffer.from(tlsBindingMac(kb, 'responder', x)).toString('hex'), v.responderMac)
    assert.notEqual(v.initiatorMac, v.responderMac, "a MAC echoed back does not pass as the other side's")
    assert.ok(tlsBindingHolds(kb, 'responder', x, h(v.responderMac)))
    assert.ok(!tlsBindingHolds(kb, 'initiator', x, h(v.responderMac)), 'the role is in the MAC')
    const otherX = x.slice()
    otherX[0]! ^= 1
    assert.ok(!tlsBindingHolds(kb, 'responder', otherX, h(v.responderMac)), 'another TLS session: another exporter')
  })

  it('the renewal: R refuses the expired proof, and its records after the refusal open as the index that renews I', () => {
    const v = stored.renewal
    const refuse = decodeCanonical(h(v.messages[1].hex), 8192) as Record<string, Uint8Array>
    assert.equal(new TextDecoder().decode(refuse.t), 'refuse')
    assert.equal(new TextDecoder().decode(refuse.code), 'expired')
    assertErr(verifyCertificate(h(v.initiator.certificate), { swarm: h(stored.handshake.swarm), now: v.now }))
    const mine = new SealedTransfer(h(v.sessionSecret), h(v.transcriptHash), 'initiator')
    const sync = new IndexSync(h(stored.handshake.swarm), () => undefined)
    const accepted = v.pushed
      .map((p: { message: string; payload: string }) => {
        const box = sealedBox(h(p.message))
        assert.ok(box instanceof Uint8Array)
        const plain = mine.openMessage(box)
        assert.deepEqual(plain, h(p.payload))
        return sync.onPayload(plain!).accepted
      })
      .filter((a: unknown) => a !== undefined)
    assert.equal(accepted.length, 1)
    assert.equal(Buffer.from(accepted[0].bytes).toString('hex'), stored.groupIndex.hex)
    const member = Buffer.from(
      h(stored.keys.find((k: { seedLabel: string }) => k.seedLabel === v.initiator.member).publicKey),
    ).toString('hex')
    assert.ok(renewalFor(accepted[0], h(member), v.now), 'an index that renews I at that time')
  })

  it('the rendezvous torrent is recognised for its group only, and its one file is its id', () => {
    const swarm = h(stored.handshake.swarm)
    const r = asRendezvous(h(stored.rendezvous.info), swarm)
    assert.ok(r !== undefined)
    assert.equal(Buffer.from(infoHashOf(h(stored.rendezvous.info))).toString('hex'), stored.rendezvous.infoHash)
    assert.equal(stored.rendezvous.content, stored.rendezvous.id)
    assert.equal(asRendezvous(h(stored.rendezvous.info), h(stored.keys[1].publicKey)), undefined, "another group's key")
    const altered = h(stored.rendezvous.info)
    altered[25]! ^= 1 // the first byte of the id: its pieces hash no longer matches
    assert.equal(asRendezvous(altered, swarm), undefined, 'not exactly the rendezvous of the id it names')
  })

  it('the identity backup opens with its stretched key to its identity, and not with another', () => {
    const v = stored.backup
    const b = readBackup(new TextEncoder().encode(v.file))
    assert.ok(b.ok)
    const opened = openBackup(b.value, h(v.key))
    assert.ok(opened.ok)
    assert.equal(
      Buffer.from(opened.value).toString('hex'),
      stored.keys.find((k: { seedLabel: string }) => k.seedLabel === v.identity).secretKey,
    )
    const wrong = h(v.key)
    wrong[0]! ^= 1
    assert.deepEqual(openBackup(b.value, wrong), { ok: false, error: { code: 'cannot-open' } })
  })
})
