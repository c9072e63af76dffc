// Sealed transfers (PROTOCOL.md §5.6) as pure functions: the stored vectors recomputed from the
// spec's formulas with the primitives directly, and every way a record can be misused failing.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { encode } from './canonical.js'
import { SealedTransfer, encodeSealedMessage, pieceAad, recordNonce, sealedBox, transferKeys } from './transfer.js'

const stored = JSON.parse(readFileSync(new URL('./vectors/protocol-v1.json', import.meta.url), 'utf8'))
const h = hexToBytes
const session = h(stored.handshake.sessionSecret)
const th = h(stored.handshake.transcriptHash)
const block = new Uint8Array(16384).map((_, i) => i * 31)
const pair = () => ({
  i: new SealedTransfer(session, th, 'initiator'),
  r: new SealedTransfer(session, th, 'responder'),
})

describe('sealed transfers: keys and records', () => {
  it('the vectors follow from the spec: HKDF from session and th, AES-256-GCM, counter nonces, the stated aad', () => {
    const okm = hkdf(sha256, session, th, encode(['coterie', 1, 'transfer']), 64)
    const v = stored.transfer
    assert.deepEqual(h(v.initiatorToResponderKey), okm.subarray(0, 32))
    assert.deepEqual(h(v.responderToInitiatorKey), okm.subarray(32, 64))
    const nonce0 = new Uint8Array(12)
    const nonce1 = new Uint8Array(12)
    nonce1[11] = 1
    const aad = Uint8Array.of(7, 0, 0, 0, 1, 0, 0, 0x40, 0) // PIECE, index 1, begin 16384
    assert.deepEqual(h(v.initiatorPiece.box), gcm(okm.subarray(0, 32), nonce0, aad).encrypt(h(v.initiatorPiece.block)))
    const message = encodeSealedMessage(
      gcm(okm.subarray(0, 32), nonce1, Uint8Array.of(0x14)).encrypt(h(v.initiatorMessage.payload)),
    )
    assert.deepEqual(h(v.initiatorMessage.message), message)
    assert.deepEqual(
      h(v.responderPiece.box),
      gcm(okm.subarray(32, 64), nonce0, pieceAad(0, 0)).encrypt(h(v.responderPiece.block)),
    )
  })

  it('records open in order on the other side, pieces and messages sharing one count per direction', () => {
    const { i, r } = pair()
    for (let n = 0; n < 5; n++) {
      const box = i.sealPiece(n, n * 16384, block)!
      assert.equal(box.length, block.length + 16)
      assert.deepEqual(r.openPiece(n, n * 16384, box), block)
      const m = i.sealMessage(Uint8Array.of(n))!
      assert.deepEqual(r.openMessage(m), Uint8Array.of(n))
    }
    assert.equal(i.recordsSent, 10)
    assert.equal(r.recordsReceived, 10)
    assert.deepEqual(i.openPiece(0, 0, r.sealPiece(0, 0, block)!), block, 'the other direction counts on its own')
  })

  it('refuses a flipped bit, a replayed, reordered, reflected or relabelled record', () => {
    const flip = pair()
    const box = flip.i.sealPiece(0, 0, block)!
    for (const at of [0, 100, box.length - 1]) {
      const bad = box.slice()
      bad[at]! ^= 1
      assert.equal(pair().r.openPiece(0, 0, bad), undefined, `bit at ${at}`)
    }
    const replay = pair()
    const first = replay.i.sealPiece(0, 0, block)!
    assert.ok(replay.r.openPiece(0, 0, first))
    assert.equal(replay.r.openPiece(0, 0, first), undefined, 'the same record again: its number is used')

    const reorder = pair()
    const a = reorder.i.sealPiece(0, 0, block)!
    const b = reorder.i.sealPiece(0, 16384, block)!
    assert.equal(reorder.r.openPiece(0, 16384, b), undefined)
    void a

    const reflect = pair()
    assert.equal(reflect.i.openPiece(0, 0, reflect.i.sealPiece(0, 0, block)!), undefined, 'our own record sent back')

    const relabel = pair()
    assert.equal(relabel.r.openPiece(1, 0, relabel.i.sealPiece(0, 0, block)!), undefined, 'another index')
    const asMessage = pair()
    assert.equal(
      asMessage.r.openMessage(asMessage.i.sealPiece(0, 0, block)!),
      undefined,
      'a block passed off as a message',
    )
  })

  it('is bound to the session: another th or session secret opens nothing', () => {
    const box = new SealedTransfer(session, th, 'initiator').sealPiece(0, 0, block)!
    const otherTh = th.slice()
    otherTh[0]! ^= 1
    assert.equal(new SealedTransfer(session, otherTh, 'responder').openPiece(0, 0, box), undefined)
    const otherSession = session.slice()
    otherSession[31]! ^= 1
    assert.equal(new SealedTransfer(otherSession, th, 'responder').openPiece(0, 0, box), undefined)
    assert.throws(() => transferKeys(session.subarray(1), th), RangeError)
  })

  it('numbers records as big-endian 64-bit counters', () => {
    assert.deepEqual(recordNonce(0), new Uint8Array(12))
    assert.deepEqual(recordNonce(2 ** 32 + 2), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2))
  })

  it("tells a sealed message from the handshake's, and rejects malformed ones", () => {
    const box = new Uint8Array(20)
    assert.deepEqual(sealedBox(encodeSealedMessage(box)), box)
    assert.equal(sealedBox(encode({ t: 'proof', box })), 'other')
    assert.equal(sealedBox(encode({ t: 'accept' })), 'other')
    assert.equal(sealedBox(Uint8Array.of(1, 2, 3)), 'other')
    assert.equal(sealedBox(encode({ t: 'sealed' })), 'malformed')
    assert.equal(sealedBox(encode({ t: 'sealed', box: new Uint8Array(15) })), 'malformed', 'shorter than a tag')
    assert.equal(sealedBox(encode({ t: 'sealed', box, x: 1 })), 'malformed', 'extra keys')
    assert.equal(sealedBox(encode({ t: 'sealed', box: 5 })), 'malformed')
  })
})
