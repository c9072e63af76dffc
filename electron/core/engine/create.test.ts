// Hashing a share off the UI's thread, on real files: the worker and the fallback on this thread
// make the same torrent, and a failure of the hashing itself is reported, not retried.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createClosedTorrent, hashInWorker } from './create.js'
import { randomFile, tempDir } from '../testing/swarm.js'
import { keyPair } from '../testing/fixtures.js'

const dir = tempDir('create')
after(() => dir.remove())

describe('createClosedTorrent: hashing in a worker thread', () => {
  it('makes the same torrent in the worker as on this thread, reporting progress up to the whole length', async () => {
    const file = randomFile(dir.path, 'a.bin', 3 * 1024 * 1024 + 5)
    const seen: number[] = []
    const t = await createClosedTorrent(file.path, keyPair('create swarm').publicKey, {
      onProgress: (hashed) => void seen.push(hashed),
    })
    assert.equal(seen.at(-1), file.data.length)
    const job = {
      path: file.path,
      opts: { name: 'a.bin', private: true, announceList: [], creationDate: 1_700_000_000 },
    }
    const inWorker = await hashInWorker(job)
    const fallback = await hashInWorker(job, undefined, new URL('./no-such-worker.mjs', import.meta.url))
    assert.deepEqual(fallback, inWorker, 'a worker that cannot start falls back to the same hashing here')
    assert.match(t.infoHash, /^[0-9a-f]{40}$/)
  })

  it('reports a hashing failure (a file gone) from the worker instead of falling back', async () => {
    await assert.rejects(
      hashInWorker({ path: join(dir.path, 'gone.bin'), opts: { name: 'gone.bin' } }),
      /ENOENT|no such file/,
    )
  })
})
