/**
 * The proof a subscriber gives a content provider that it holds the identity key it wants a
 * certificate for: it signs the provider's fresh random challenge, bound to the provider's swarm
 * key, in its own role (PROTOCOL.md §3, `provider-login`), so the signature is useless anywhere
 * else: not as a handshake proof, not for another provider, not twice (the provider spends each
 * challenge once). Pure: bytes in, a yes or no out.
 */
import { KEY_BYTES, ROLE, SIGNATURE_BYTES } from './constants.js'
import { concatBytes } from './bytes.js'
import { sign, verify } from './signing.js'

/** Random bytes in a provider's challenge: enough that no two challenges ever repeat. */
export const LOGIN_CHALLENGE_BYTES = 32

function payload(challenge: Uint8Array, swarmKey: Uint8Array): Uint8Array {
  if (challenge.length !== LOGIN_CHALLENGE_BYTES || swarmKey.length !== KEY_BYTES) {
    throw new RangeError('provider-login: need a 32-byte challenge and a 32-byte swarm key')
  }
  return concatBytes(challenge, swarmKey)
}

/** The subscriber's answer: its member secret key's signature over challenge ‖ swarm key. */
export const signLoginChallenge = (memberSecret: Uint8Array, challenge: Uint8Array, swarmKey: Uint8Array): Uint8Array =>
  sign(memberSecret, ROLE.providerLogin, payload(challenge, swarmKey))

/** Whether `signature` is `member`'s answer to this challenge for this swarm. Never throws. */
export function verifyLoginAnswer(
  member: Uint8Array,
  challenge: Uint8Array,
  swarmKey: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (challenge.length !== LOGIN_CHALLENGE_BYTES || swarmKey.length !== KEY_BYTES) return false
  if (signature.length !== SIGNATURE_BYTES) return false
  return verify(member, ROLE.providerLogin, payload(challenge, swarmKey), signature)
}
