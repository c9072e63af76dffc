import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { isProfileError } from './errors.js'
import { ProfileStore } from './store.js'
import { startChild, tempDir } from './testing/processes.js'

describe('two processes on one profile', () => {
  it("lose none of each other's read-modify-write updates", async (t) => {
    const dir = await tempDir(t)
    await ProfileStore.open(dir, { create: true, displayName: '0' })
    const n = 25
    const children = ['a', 'b'].map((tag) => startChild('increment', dir, tag, String(n)))
    t.after(() => children.forEach((c) => c.proc.kill('SIGKILL')))
    // Both start together, so their updates interleave rather than run one after the other.
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')))
    children.forEach((c) => c.proc.stdin.write('go\n'))
    const times = (word: string) =>
      Promise.all(children.map((c) => c.waitFor((l) => l.startsWith(`${word} `)).then((l) => Number(l.split(' ')[1]))))
    const [starts, ends] = await Promise.all([times('start'), times('done')])
    assert.ok(
      Math.max(...starts) < Math.min(...ends),
      'the two writers ran at the same time (otherwise this test proves nothing)',
    )
    const p = (await ProfileStore.open(dir)).current
    const names = new Set(p.friends.map((f) => f.name))
    for (const tag of ['a', 'b'])
      for (let i = 0; i < n; i++) assert.ok(names.has(`${tag}-${i}`), `${tag}-${i} was lost`)
    assert.equal(p.friends.length, 2 * n)
    assert.equal(p.displayName, String(2 * n))
    assert.equal(p.revision, 2 * n)
  })

  it("gives up with 'locked' when another process holds the lock too long, and takes over once it dies", async (t) => {
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true, lockTimeoutMs: 300 })
    const holder = startChild('hold', dir)
    t.after(() => holder.proc.kill('SIGKILL'))
    await holder.waitFor((l) => l === 'holding')

    let error: unknown
    await store.update((d) => void (d.displayName = 'blocked')).catch((e: unknown) => (error = e))
    assert.ok(isProfileError(error, 'locked'), String(error))
    assert.match(error.message, new RegExp(`pid ${holder.proc.pid}\\b`))
    assert.ok(error.message.includes(dir) && error.message.includes('0.3 s'), error.message)
    assert.equal((await store.read()).displayName, '', 'reads need no lock')

    holder.proc.kill('SIGKILL')
    await holder.closed
    // Well within the stale timeout (10 s): the dead holder's lock is recognised and broken.
    const patient = await ProfileStore.open(dir, { lockTimeoutMs: 3000 })
    const { profile } = await patient.update((d) => void (d.displayName = 'after the holder died'))
    assert.equal(profile.displayName, 'after the holder died')
    assert.equal(profile.revision, 1, "the holder's unfinished change was never written")
  })

  it('leaves no lock behind when a process exits while holding it', async (t) => {
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true })
    const child = startChild('exit', dir)
    await child.closed
    assert.equal(child.proc.exitCode, 0)
    assert.deepEqual((await readdir(dir)).sort(), ['identity.json', 'profile.json'])
    assert.equal((await store.update((d) => void (d.displayName = 'x'))).changed, true)
  })

  it('breaks a lock that never got its owner record (its holder died right after taking it)', async (t) => {
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true, lockTimeoutMs: 6000 })
    await mkdir(store.layout.lock)
    const { profile } = await store.update((d) => void (d.displayName = 'took over'))
    assert.equal(profile.displayName, 'took over')
  })
})
