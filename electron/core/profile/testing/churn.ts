/**
 * One step of the crash test's writer: every part of the profile is rewritten so that all of it
 * names the same step number n. A state mixing two steps, or naming a torrent whose info file is
 * missing, is a torn write. The state file is about 700 KB, so writing it takes several system
 * calls: a writer that did not replace it atomically could be caught half-way. Tests only.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { encode } from '../../protocol/canonical.js'
import { INFO_SWARM_KEY } from '../../protocol/constants.js'
import type { KeyPair } from '../../protocol/keys.js'
import { keyPair } from '../../testing/fixtures.js'
import type { ProfileData } from '../schema.js'
import type { Profile, UpdateContext } from '../store.js'

export const CHURN_GROUPS = 7
const PEERS_PER_GROUP = 1000

/** The keys every step uses, derived once by the test and handed to each writer (derivation is slow). */
export interface ChurnKeys {
  readonly friends: readonly string[]
  readonly swarms: readonly KeyPair[]
}

export const makeChurnKeys = (): ChurnKeys => ({
  friends: Array.from({ length: 60 }, (_, i) => bytesToHex(keyPair(`churn friend ${i}`).publicKey)),
  swarms: Array.from({ length: CHURN_GROUPS }, (_, g) => keyPair(`churn swarm ${g}`)),
})

export const churnKeysToText = (k: ChurnKeys): string =>
  JSON.stringify({
    friends: k.friends,
    swarms: k.swarms.map((s) => [bytesToHex(s.publicKey), bytesToHex(s.secretKey)]),
  })

export function churnKeysFromText(text: string): ChurnKeys {
  const o = JSON.parse(text) as { friends: string[]; swarms: [string, string][] }
  return {
    friends: o.friends,
    swarms: o.swarms.map(([p, s]) => ({ publicKey: hexToBytes(p), secretKey: hexToBytes(s) })),
  }
}

const peer = (n: number, g: number, i: number) =>
  `peer-${g}-${i}-of-step-${n}.${'a'.repeat(40)}.example.org:${1024 + (n % 60000)}`

/** `swarms[0]` is the swarm of the group this profile owns; the others are groups it joined. */
export function churnStep(draft: ProfileData, ctx: UpdateContext, { friends: friendKeys, swarms }: ChurnKeys): number {
  const n = Number(draft.displayName) + 1
  const at = new Date().toISOString()
  draft.displayName = String(n)
  // A varying count makes the file grow and shrink, so a torn write could not keep its length.
  const count = friendKeys.length - (n % 10)
  draft.friends = friendKeys
    .slice(0, count)
    .map((publicKey, i) => ({ name: `friend ${i} of step ${n} ${'x'.repeat(80)}`, publicKey, addedAt: at }))
  draft.groups = swarms.map((swarm, g) => ({
    id: `churn-${g}`,
    name: `group ${g} of step ${n}`,
    owner: g === 0,
    swarmPublicKey: bytesToHex(swarm.publicKey),
    swarmSecretKey: g === 0 ? bytesToHex(swarm.secretKey) : undefined,
    groupSecret: (n % 256).toString(16).padStart(2, '0').repeat(32),
    members: friendKeys.slice(0, count),
    announcePublic: n % 2 === 0,
    peers: Array.from({ length: PEERS_PER_GROUP }, (_, i) => peer(n, g, i)),
    createdAt: at,
  }))
  const owned = swarms[0]!
  const infoHash = ctx.putTorrentInfo(bigInfo(owned.publicKey, n))
  draft.torrents = [
    {
      infoHash,
      groupId: 'churn-0',
      name: `torrent of step ${n}`,
      downloadDir: '/tmp/coterie-churn',
      addedAt: at,
      paused: false,
    },
  ]
  return n
}

/** Throws unless every part of `p` belongs to one step, which it returns. */
export function churnStepOf(p: Profile): number {
  const n = Number(p.displayName)
  if (n === 0 && p.revision === 0 && p.friends.length + p.groups.length + p.torrents.length === 0) return 0
  const ok =
    Number.isSafeInteger(n) &&
    p.revision === n &&
    p.friends.every((f) => f.name.startsWith('friend ') && f.name.includes(` of step ${n} `)) &&
    p.groups.length === CHURN_GROUPS &&
    p.groups.every(
      (g, gi) =>
        g.name === `group ${gi} of step ${n}` &&
        g.members.length === p.friends.length &&
        g.peers.every((x, i) => x === peer(n, gi, i)),
    ) &&
    p.torrents.length === 1 &&
    p.torrents[0]!.name === `torrent of step ${n}`
  if (!ok) throw new Error(`torn profile: displayName ${p.displayName}, revision ${p.revision}`)
  return n
}

/** A single-file info dictionary of about 40 KB (a 2000-piece torrent) that differs at every step. */
function bigInfo(swarm: Uint8Array, n: number): Uint8Array {
  const pieces = new Uint8Array(20 * 2000).map((_, i) => (i * 31 + n) % 256)
  return encode({
    length: 2000 * 16384,
    name: `file of step ${n}`,
    'piece length': 16384,
    pieces,
    [INFO_SWARM_KEY]: swarm,
  })
}
