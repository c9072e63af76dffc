/**
 * Real profiles for node-level tests: a fresh profile directory with a display name, the identity
 * key text friends would paste, and a download folder of its own.
 */
import { existsSync, readFileSync } from 'node:fs'
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
  return { store, key: keyToText('identity', hexToBytes(store.current.identity.publicKey)), downloads: temp(`dl-${name}`) }
}

/** A check for `until`: the file at `path` holds exactly `data`. */
export const fileDone = (path: string, data: Buffer) => (): boolean => existsSync(path) && readFileSync(path).equals(data)
