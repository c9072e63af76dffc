// readBounded on real files, devices and FIFOs: a bound holds whatever stat says, and nothing blocks.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readBounded, readStreamBounded } from './bounded-read.js'

describe('platform: readBounded', () => {
  it('reads a file up to the bound, and refuses one byte more, a folder and a missing path', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'coterie-bounded-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'ten')
    await writeFile(file, Buffer.alloc(10, 7))
    const r = await readBounded(file, 10)
    assert.ok(r.ok)
    assert.deepEqual(r.value, new Uint8Array(10).fill(7))
    assert.deepEqual(await readBounded(file, 9), { ok: false, error: 'too-large' })
    const empty = path.join(dir, 'empty')
    await writeFile(empty, '')
    assert.deepEqual(await readBounded(empty, 0), { ok: true, value: new Uint8Array(0) })
    assert.deepEqual(await readBounded(dir, 10), { ok: false, error: 'not-a-file' })
    assert.deepEqual(await readBounded(path.join(dir, 'nope'), 10), { ok: false, error: 'missing' })
    await assert.rejects(readBounded(file, -1), RangeError)
  })

  it('refuses /dev/zero and a link to it at once (stat says 0 bytes, a read never ends)', async (t) => {
    if (!existsSync('/dev/zero')) return t.skip('no /dev/zero on this system')
    const dir = await mkdtemp(path.join(tmpdir(), 'coterie-bounded-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const link = path.join(dir, 'zero.coterie')
    await symlink('/dev/zero', link)
    assert.deepEqual(await readBounded('/dev/zero', 1_000_000), { ok: false, error: 'not-a-file' })
    assert.deepEqual(await readBounded(link, 1_000_000), { ok: false, error: 'not-a-file' })
  })

  it('refuses a FIFO without waiting for a writer', async (t) => {
    if (process.platform === 'win32') return t.skip('no FIFOs by path on Windows')
    const dir = await mkdtemp(path.join(tmpdir(), 'coterie-bounded-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const fifo = path.join(dir, 'pipe.coterie')
    execFileSync('mkfifo', [fifo])
    // Without O_NONBLOCK, open() would wait for a writer forever and this test would time out.
    assert.deepEqual(await readBounded(fifo, 1_000_000), { ok: false, error: 'not-a-file' })
  })
})

describe('platform: readStreamBounded', () => {
  it('reads a stream to its end within the bound, and stops one chunk past it', async () => {
    const chunks = (n: number, size: number) =>
      (async function* () {
        for (let i = 0; i < n; i++) yield new Uint8Array(size).fill(i)
      })()
    const whole = await readStreamBounded(chunks(3, 10), 30)
    assert.ok(whole.ok)
    assert.deepEqual([...whole.value.subarray(9, 11)], [0, 1])
    let pulled = 0
    const endless = (async function* () {
      for (;;) {
        pulled++
        yield new Uint8Array(1024)
      }
    })()
    const r = await readStreamBounded(endless, 10 * 1024)
    assert.deepEqual(r, { ok: false, error: 'too-large' })
    assert.equal(pulled, 11, 'stopped at the first chunk past the bound')
  })
})
