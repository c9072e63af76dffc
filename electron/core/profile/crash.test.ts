import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { watch } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { ProfileStore } from './store.js'
import { churnKeysToText, churnStepOf, makeChurnKeys } from './testing/churn.js'
import { startChild, tempDir } from './testing/processes.js'

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
