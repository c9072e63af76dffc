// The provider-login proof (PROTOCOL.md §3): what is signed is exactly the documented signing
// input (cross-checked with the bencode package and noble's Ed25519, not with our own encoder),
// and the signature verifies only for that member, that challenge, that swarm and that role.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import bencode from 'bencode'
import { ed25519 } from '@noble/curves/ed25519.js'
import { keyPair } from '../testing/fixtures.js'
import { LOGIN_CHALLENGE_BYTES, signLoginChallenge, verifyLoginAnswer } from './provider-login.js'
import { ROLE } from './constants.js'
import { sign, verify } from './signing.js'

const member = keyPair('provider-login member')
const other = keyPair('provider-login other')
const swarm = keyPair('provider-login swarm').publicKey
const challenge = new Uint8Array(LOGIN_CHALLENGE_BYTES).map((_, i) => i)

describe('provider-login', () => {
  it('signs bencode(["coterie", 1, "provider-login", challenge ‖ swarm key]), as PROTOCOL.md §3 says', () => {
    const input = bencode.encode(['coterie', 1, 'provider-login', Buffer.concat([challenge, swarm])])
    const sig = signLoginChallenge(member.secretKey, challenge, swarm)
    assert.equal(ed25519.verify(sig, input, member.publicKey), true)
  })

  it('verifies only for the same member, challenge, swarm and role', () => {
    const sig = signLoginChallenge(member.secretKey, challenge, swarm)
    assert.equal(verifyLoginAnswer(member.publicKey, challenge, swarm, sig), true)
    assert.equal(verifyLoginAnswer(other.publicKey, challenge, swarm, sig), false, 'another member')
    const next = challenge.map((b) => b ^ 1)
    assert.equal(verifyLoginAnswer(member.publicKey, next, swarm, sig), false, 'another challenge')
    assert.equal(verifyLoginAnswer(member.publicKey, challenge, other.publicKey, sig), false, 'another provider')
    const payload = Buffer.concat([challenge, swarm])
    // A handshake proof over the same 64 bytes is not a login answer, nor the reverse.
    const asProof = sign(member.secretKey, ROLE.initiator, payload)
    assert.equal(verifyLoginAnswer(member.publicKey, challenge, swarm, asProof), false)
    assert.equal(verify(member.publicKey, ROLE.initiator, payload, sig), false)
  })

  it('says no, never throws, on wrong lengths', () => {
    const sig = signLoginChallenge(member.secretKey, challenge, swarm)
    assert.equal(verifyLoginAnswer(member.publicKey, challenge.subarray(1), swarm, sig), false)
    assert.equal(verifyLoginAnswer(member.publicKey, challenge, swarm.subarray(1), sig), false)
    assert.equal(verifyLoginAnswer(member.publicKey, challenge, swarm, sig.subarray(1)), false)
    assert.equal(verifyLoginAnswer(member.publicKey.subarray(1), challenge, swarm, sig), false)
    assert.throws(() => signLoginChallenge(member.secretKey, challenge.subarray(1), swarm), RangeError)
  })
})
