/** The data of the `writes` child (child.ts), which crash.test.ts checks the profile against. Tests only. */
import { bytesToHex } from '../../protocol/bytes.js'
import { encode } from '../../protocol/canonical.js'
import { INFO_SWARM_KEY } from '../../protocol/constants.js'
import { keyPair } from '../../testing/fixtures.js'
import type { Group } from '../schema.js'

const SWARM = keyPair('crash scenario swarm')

export const scenarioGroup = (): Group => ({
  id: 'scenario',
  name: 'Scenario',
  owner: true,
  swarmPublicKey: bytesToHex(SWARM.publicKey),
  swarmSecretKey: bytesToHex(SWARM.secretKey),
  groupSecret: '5c'.repeat(32),
  members: [],
  announcePublic: false,
  peers: [],
  createdAt: new Date().toISOString(),
})

/** A small single-file torrent of the scenario's group; `n` tells two apart. */
export const scenarioInfo = (n: number): Uint8Array =>
  encode({
    length: 3 * 16384,
    name: `file ${n}`,
    'piece length': 16384,
    pieces: new Uint8Array(60).fill(n),
    [INFO_SWARM_KEY]: SWARM.publicKey,
  })

/** Stands for a signed index: the store writes the bytes it is given. */
export const SCENARIO_INDEX = new TextEncoder().encode('a group index, as far as the store can tell')
