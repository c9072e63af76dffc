/**
 * Starting a node that seeds: how long from CoterieNode.start() until every share is seeding,
 * with the resume records a share and a clean stop leave (profile/resume.ts), and without them
 * (records deleted: every piece hashed again, as every start did before). Also sharing: from
 * groups-level share() (the hash) to seeding, where the node used to hash it all a second time.
 *
 * Files are just written, so both starts read from the page cache: the verify figure is the
 * CPU's floor, and a cold disk makes it slower still (WebTorrent Desktop #1890). Medians of
 * BENCH_START_RUNS (3) starts each, alternated. BENCH_START_GIB=1 in 4 files; 0 skips it.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomFile } from './transfer.js'
import { median, round } from './stats.js'
import { ProfileStore } from '../electron/core/profile/index.js'
import { CoterieNode } from '../electron/core/service/runtime/node.js'
import { createGroup } from '../electron/core/service/operations/groups.js'
import { share } from '../electron/core/service/operations/share.js'

const MiB = 1024 * 1024
const FILES = 4

export interface StartResult {
  readonly gib: number
  readonly files: number
  /** Node start to all seeding, with records. */
  readonly start_resume_ms: number
  /** The same without records: every piece verified. */
  readonly start_verify_ms: number
  /** start_resume_ms / start_verify_ms. */
  readonly start_resume_ratio: number
  /** share() to seeding on a running node, all files: hashing once. */
  readonly share_to_seeding_ms: number
  /** Of which the node's part, after share() returned (it used to verify it all again). */
  readonly share_node_ms: number
}

async function startToSeeding(store: ProfileStore): Promise<number> {
  const t0 = performance.now()
  const node = await CoterieNode.start(store, { dht: false })
  const ms = performance.now() - t0
  if (!node.engine.summary().every((s) => s.state === 'seeding'))
    throw new Error('bench start: a share is not seeding after start')
  await node.stop()
  return ms
}

export async function benchStart(gib: number, runs: number, say: (s: string) => void): Promise<StartResult> {
  const root = mkdtempSync(join(tmpdir(), 'coterie-bench-start-'))
  try {
    const store = await ProfileStore.open(join(root, 'profile'), { create: true, displayName: 'Seeder' })
    await createGroup(store, 'Library')
    const bytes = Math.round((gib * 1024 * MiB) / FILES)
    const old = new Date(Date.now() - 3_600_000) // files as shares usually are: written a while ago
    const paths = Array.from({ length: FILES }, (_, i) => {
      const path = randomFile(join(root, 'src'), `part-${i}.bin`, bytes)
      utimesSync(path, old, old)
      return path
    })
    say(`start: sharing ${gib} GiB in ${FILES} files on a running node`)
    const node = await CoterieNode.start(store, { dht: false })
    const t0 = performance.now()
    let nodeMs = 0
    for (const p of paths) {
      await share(store, p, 'Library')
      const t1 = performance.now()
      await node.reload()
      nodeMs += performance.now() - t1
    }
    const shareMs = performance.now() - t0
    await node.stop()

    const withRecords: number[] = []
    const verifying: number[] = []
    for (let i = 0; i < runs; i++) {
      withRecords.push(await startToSeeding(store)) // the stop before left the records
      for (const t of store.current.torrents) await rm(store.layout.resumeRecord(t.infoHash), { force: true })
      verifying.push(await startToSeeding(store)) // and its clean stop records them again
      say(
        `start: run ${i + 1}/${runs}: ${round(withRecords.at(-1)!, 0)} ms with records, ${round(verifying.at(-1)!, 0)} ms verifying`,
      )
    }
    const resume = median(withRecords)
    const verify = median(verifying)
    return {
      gib,
      files: FILES,
      start_resume_ms: round(resume, 1),
      start_verify_ms: round(verify, 1),
      start_resume_ratio: round(resume / verify, 3),
      share_to_seeding_ms: round(shareMs, 0),
      share_node_ms: round(nodeMs, 1),
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
