/**
 * Real profiles for node-level tests: a fresh profile directory with a display name, the identity
 * key text friends would paste, and a download folder of its own.
 */
import { existsSync, readFileSync } from 'node:fs'
import { CoterieNode } from '../service/runtime/node.js'
import { ProfileStore } from '../profile/index.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { keyToText } from '../protocol/keys.js'

export interface TestProfile {
  readonly store: ProfileStore
  /** The identity key as text (coterie1…). */
  readonly key: string
  readonly downloads: string
}

/** `temp` makes a fresh directory for a label (testing/swarm.ts tempDirs). */
export async function testProfile(temp: (label: string) => string, name: string): Promise<TestProfile> {
  const store = await ProfileStore.open(temp(`profile-${name}`), { create: true, displayName: name })
  return {
    store,
    key: keyToText('identity', hexToBytes(store.current.identity.publicKey)),
    downloads: temp(`dl-${name}`),
  }
}

/** A check for `until`: the file at `path` holds exactly `data`. */
export const fileDone = (path: string, data: Buffer) => (): boolean =>
  existsSync(path) && readFileSync(path).equals(data)

/**
 * Nodes on real profiles, loopback only (no DHT; peers given explicitly), all stopped by `stopAll`
 * (call it in `after`).
 */
export function nodeStarter(): {
  start(store: ProfileStore, peers?: string[]): Promise<CoterieNode>
  stopAll(): Promise<unknown>
} {
  const nodes: CoterieNode[] = []
  return {
    async start(store, peers = []) {
      const n = await CoterieNode.start(store, { dht: false, peers })
      nodes.push(n)
      return n
    },
    stopAll: () => Promise.allSettled(nodes.map((n) => n.stop())),
  }
}
