// The profile lock's recoveries (issue 20): real processes holding, hanging and dying, and locks
// written as another machine or a reused process number would leave them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import { CRASH_ENV } from './crash-points.js'
import { isProfileError } from './errors.js'
import { ProfileStore } from './store.js'
import { startChild, startChildWith, tempDir } from './testing/processes.js'

/** Leaves a lock as a holder that `owner` describes would, last refreshed `ageMs` ago. */
async function plantLock(store: ProfileStore, owner: Record<string, unknown>, ageMs: number): Promise<void> {
  await mkdir(store.layout.lock)
  await writeFile(path.join(store.layout.lock, 'owner.json'), JSON.stringify(owner))
  const then = new Date(Date.now() - ageMs)
  await utimes(store.layout.lock, then, then)
}

const rename = (store: ProfileStore, name: string) => store.update((d) => void (d.displayName = name))

describe('the profile lock', () => {
  it("says at once whose lock it is and how to clear it when its owner is on another machine, and 'coterie unlock' clears it", async (t) => {
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true }) // default 15 s wait: it must not be used
    const since = '2026-11-30T08:00:00.000Z'
    await plantLock(store, { pid: 4242, host: 'laptop.example', token: 'theirs', since }, 60_000)

    let error: unknown
    await rename(store, 'blocked').catch((e: unknown) => (error = e))
    assert.ok(isProfileError(error, 'locked'), String(error))
    assert.equal(error.lock?.code, 'unproven')
    assert.deepEqual(error.lock?.holder, { pid: 4242, host: 'laptop.example', since, thisMachine: false })
    for (const part of ['pid 4242', 'laptop.example', since, 'coterie unlock'])
      assert.ok(error.message.includes(part), `"${part}" missing from: ${error.message}`)
    assert.doesNotMatch(error.message, /ENOTEMPTY/)

    const seen = await ProfileStore.lockStatus(dir)
    assert.equal(seen.kind, 'held')
    assert.deepEqual(await ProfileStore.unlock(dir, 'not the token shown'), { ok: true, removed: false })
    assert.deepEqual(await ProfileStore.unlock(dir, seen.kind === 'held' ? seen.token : ''), {
      ok: true,
      removed: true,
    })
    assert.equal((await rename(store, 'after unlock')).profile.displayName, 'after unlock')
  })

  it('takes over at once a lock whose process number now belongs to another process', async (t) => {
    if (!existsSync('/proc/self/stat')) return t.skip('no /proc: a reused process number cannot be told here')
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true, lockTimeoutMs: 60_000 })
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'])
    t.after(() => other.kill('SIGKILL'))
    // Its pid is alive, but the record's start time is not that process's: the owner is gone.
    await plantLock(store, { pid: other.pid, host: hostname(), token: 'old', since: 'then', start: '1' }, 0)
    assert.equal((await ProfileStore.lockStatus(dir)).kind, 'abandoned')
    assert.equal((await rename(store, 'took over')).profile.displayName, 'took over')
  })

  it('a holder killed just as it took the lock leaves a lock the next process takes over without waiting', async (t) => {
    for (const [point, after] of [
      ['lock:pending', 'free'],
      ['lock:taken', 'abandoned'],
    ] as const) {
      const dir = await tempDir(t)
      const store = await ProfileStore.open(dir, { create: true, lockTimeoutMs: 60_000 })
      const child = startChildWith({ [CRASH_ENV]: point }, 'writes', dir)
      await child.closed
      assert.equal(child.proc.signalCode, 'SIGKILL', `killed at ${point}`)
      // Decided from the record alone, at the first look: no grace period, no stale timeout.
      const seen = await ProfileStore.lockStatus(dir)
      assert.equal(seen.kind, after, point)
      if (seen.kind === 'abandoned') assert.equal(seen.holder?.pid, child.proc.pid)
      assert.equal((await rename(store, point)).profile.displayName, point)
    }
  })

  it("gives a hung holder the 'locked' message naming it, and 'coterie unlock' refuses while it runs", async (t) => {
    const dir = await tempDir(t)
    // It counts as not responding once it has not refreshed the lock for 0.5 s (it refreshes every 5 s when alive).
    const store = await ProfileStore.open(dir, { create: true, lockTimeoutMs: 2000, lockStaleMs: 500 })
    const holder = startChild('hang', dir)
    t.after(() => holder.proc.kill('SIGKILL'))
    await holder.waitFor((l) => l === 'holding')

    let error: unknown
    await rename(store, 'blocked').catch((e: unknown) => (error = e))
    assert.ok(isProfileError(error, 'locked'), String(error))
    assert.equal(error.lock?.code, 'not-responding')
    assert.equal(error.lock?.holder?.pid, holder.proc.pid)
    assert.match(error.message, new RegExp(`pid ${holder.proc.pid}\\b.*stopped responding`))

    const seen = await ProfileStore.lockStatus(dir)
    const refused = await ProfileStore.unlock(dir, seen.kind === 'held' ? seen.token : '')
    assert.equal(refused.ok, false, 'unlock refused while the owner runs on this machine')
    assert.equal((await ProfileStore.lockStatus(dir)).kind, 'held')

    holder.proc.kill('SIGKILL')
    await holder.closed
    assert.equal((await rename(store, 'after the holder died')).profile.displayName, 'after the holder died')
  })
})
