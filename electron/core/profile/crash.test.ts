import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { watch } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { CRASH_ENV, CRASH_POINTS } from './crash-points.js'
import { ProfileStore } from './store.js'
import { churnKeysToText, churnStepOf, makeChurnKeys } from './testing/churn.js'
import { startChild, startChildWith, tempDir } from './testing/processes.js'
import { scenarioGroup } from './testing/scenario.js'

const ROUNDS = 4

function firstChange(dir: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.startsWith('profile.json') !== true) return
      watcher.close()
      resolve()
    })
  })
}

describe('crash safety', () => {
  it('a writer killed at random moments leaves the old state or the new one, never a broken one', async (t) => {
    const dir = await tempDir(t)
    await ProfileStore.open(dir, { create: true, displayName: '0' })
    // Every writer starts up at once and waits for its turn: the rounds then cost no start-up time.
    const keys = churnKeysToText(makeChurnKeys())
    const writers = Array.from({ length: ROUNDS }, () => startChild('churn', dir, keys))
    t.after(() => writers.forEach((w) => w.proc.kill('SIGKILL')))
    let lastConfirmed = 0
    const delays: number[] = []
    for (const [round, writer] of writers.entries()) {
      await writer.waitFor((l) => l === 'ready')
      writer.proc.stdin.write('go\n')
      // Kill once the writer is in its loop: at a random point of some later update, or (every
      // other round) the instant the state file or its temporary copy is seen changing, which is
      // in the middle of writing it.
      await writer.waitFor((l) => l !== 'ready')
      const delay = Math.floor(Math.random() * 150)
      delays.push(delay)
      await new Promise((r) => setTimeout(r, delay))
      if (round % 2 === 1) await firstChange(dir)
      writer.proc.kill('SIGKILL')
      await writer.closed
      const confirmed = Math.max(lastConfirmed, ...writer.lines.filter((l) => l !== 'ready').map(Number))
      const context = `round ${round}, kill delays ${delays.join(', ')} ms, last confirmed step ${confirmed}`

      const store = await ProfileStore.open(dir) // reads and validates every file
      const step = churnStepOf(store.current) // every part belongs to one step
      assert.ok(step >= confirmed, `a confirmed step was lost: on disk ${step}; ${context}`)
      // Linux pipes are synchronous, so every commit but the one in flight was printed.
      if (process.platform === 'linux') assert.ok(step <= confirmed + 1, `on disk ${step}; ${context}`)
      await store.readTorrentInfo(store.current.torrents[0]!.infoHash) // present, and matches its hash
      lastConfirmed = step
    }
    assert.ok(lastConfirmed >= ROUNDS, 'the writers committed between kills')

    // What the kills left behind is only debris, and tidy() clears it.
    const store = await ProfileStore.open(dir)
    await store.tidy()
    assert.deepEqual((await readdir(store.dir)).sort(), ['identity.json', 'profile.json', 'torrents'])
    assert.deepEqual(await readdir(store.layout.torrents), [`${store.current.torrents[0]!.infoHash}.info`])
  })
})

/** Every file below `dir`, as paths relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

/** Kill runs at once: each is mostly a child's start-up, so a few overlap well even on a loaded machine. */
const LANES = 3

describe('crash safety at each named point of a write', () => {
  it('a writer killed at any point leaves, after the next start, only the profile’s own files, and loses nothing it finished', async (t) => {
    const points = CRASH_POINTS.filter((p) => p !== 'remove-group:committed') // a service step: cli/crash.test.ts
    const swarm = scenarioGroup().swarmPublicKey
    let tempsRemoved = 0
    let kills = 0
    // Kills the writer at the nth time it reaches `point`; false once it finished without reaching it.
    const killAt = async (point: string, nth: number): Promise<boolean> => {
      const dir = await tempDir(t)
      await ProfileStore.open(dir, { create: true })
      const child = startChildWith({ [CRASH_ENV]: `${point}#${nth}` }, 'writes', dir)
      await child.closed
      const done = new Set(child.lines)
      const context = `killed at ${point} #${nth}, after: ${[...done].join(', ') || 'nothing'}`
      if (child.proc.exitCode === 0) return false
      assert.equal(child.proc.signalCode, 'SIGKILL', `${context}: it died otherwise`)
      kills++

      // The next start: open (validates every file), then tidy under the lock, as openProfile does.
      const store = await ProfileStore.open(dir)
      const removed = await store.tidy()
      if (point === 'write:temp-full') tempsRemoved += removed.filter((f) => f.endsWith('.tmp')).length
      const p = store.current
      const torrents = p.torrents.map((x) => x.infoHash)
      for (const ih of torrents) await store.readTorrentInfo(ih) // present, and matches its hash

      // Nothing lost: every step the writer reported is on disk (the one it was in may be too).
      const names = p.torrents.map((x) => x.name).join()
      if (done.has('group')) assert.equal(p.groups[0]?.swarmPublicKey, swarm, context)
      if (done.has('replaced')) assert.equal(names, 'second', context)
      else if (done.has('group')) assert.ok(names === 'first' || names === 'second', `${context}: ${names}`)
      else assert.ok(names === '' || names === 'first', `${context}: ${names}`)
      const files = await filesBelow(dir)
      if (done.has('index')) assert.ok(files.includes(`indexes/${swarm}.index`), context)
      if (done.has('resume') && names === 'first') assert.ok(files.includes(`torrents/${torrents[0]}.resume`), context)

      // Nothing left but the profile's own files.
      const own = new Set([
        'identity.json',
        'profile.json',
        ...torrents.flatMap((ih) => [`torrents/${ih}.info`, `torrents/${ih}.resume`]),
        ...p.groups.map((g) => `indexes/${g.swarmPublicKey}.index`),
      ])
      assert.deepEqual(
        files.filter((f) => !own.has(f)),
        [],
        `${context}: left behind (tidy removed ${removed.join(', ') || 'nothing'})`,
      )
      assert.equal((await ProfileStore.lockStatus(dir)).kind, 'free', `${context}: the lock was left`)
      return true
    }
    const lanes = Array.from({ length: LANES }, (_, lane) => points.filter((_, i) => i % LANES === lane))
    await Promise.all(
      lanes.map(async (lane) => {
        for (const point of lane) {
          let nth = 1
          while (await killAt(point, nth)) nth++
          assert.ok(nth > 1, `the writer never reached ${point}`)
        }
      }),
    )
    assert.ok(tempsRemoved > 0, 'some kills left a full temporary copy (otherwise this test proves nothing)')
    t.diagnostic(`${kills} kills at ${points.length} named points`)
  })
})
