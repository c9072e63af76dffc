/** Deterministic keys and certificates for tests and vectors. Never used outside tests. */
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8 } from '../protocol/bytes.js'
import { issueCertificate } from '../protocol/certificate.js'
import { encode } from '../protocol/canonical.js'
import { INFO_SWARM_KEY } from '../protocol/constants.js'
import { keyPairFromSecret, type KeyPair } from '../protocol/keys.js'
import { infoHashOf } from '../protocol/torrent-info.js'

/** 32 bytes derived from a label, so every test key has a readable origin. */
export const seed = (label: string): Uint8Array => sha256(utf8(`coterie test seed: ${label}`))
export const keyPair = (label: string): KeyPair => keyPairFromSecret(seed(label))

/** A fixed clock: 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600
export const DAY = 86_400

/**
 * A member's credential in `swarm` for a node under test: the key pair named `who`, certified from
 * a minute ago for a day by the wall clock (a running engine checks expiry against it).
 */
export function membershipIn(swarm: KeyPair, who: string) {
  const k = keyPair(who)
  const now = Math.floor(Date.now() / 1000)
  return {
    swarm: swarm.publicKey,
    credential: {
      certificate: issueCertificate(swarm, { member: k.publicKey, iat: now - 60, exp: now + DAY }),
      secretKey: k.secretKey,
    },
  }
}

/** A minimal single-file info dictionary carrying the swarm key, as the engine will create. */
export function infoDict(swarm: Uint8Array, name = 'file.bin', length = 1024): Uint8Array {
  return encode({
    length,
    name: utf8(name),
    'piece length': 16384,
    pieces: seed(`pieces ${name}`).subarray(0, 20),
    [INFO_SWARM_KEY]: swarm,
  })
}

export interface World {
  readonly swarm: KeyPair
  readonly alice: KeyPair
  readonly bob: KeyPair
  readonly info: Uint8Array
  readonly infoHash: Uint8Array
  readonly aliceCert: Uint8Array
  readonly bobCert: Uint8Array
}

/** A swarm with one torrent and two members, certified from NOW - 1 day to NOW + 30 days. */
export function world(label = 'default'): World {
  const swarm = keyPair(`${label} swarm`)
  const alice = keyPair(`${label} alice`)
  const bob = keyPair(`${label} bob`)
  const info = infoDict(swarm.publicKey)
  const cert = (member: KeyPair) =>
    issueCertificate(swarm, { member: member.publicKey, iat: NOW - DAY, exp: NOW + 30 * DAY })
  return { swarm, alice, bob, info, infoHash: infoHashOf(info), aliceCert: cert(alice), bobCert: cert(bob) }
}
