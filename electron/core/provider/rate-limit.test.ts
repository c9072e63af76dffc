// The login attempt counters: a window's limit, its reset, its Retry-After, and the bound on how
// many keys are tracked (a flood from many addresses cannot grow the map without end).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AttemptCounter, MAX_TRACKED_KEYS } from './rate-limit.js'

test('a key gets its attempts per window, then waits for the next window', () => {
  const c = new AttemptCounter({ attempts: 3, windowMs: 1000 })
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => c.attempt('a', 100 + i)),
    [true, true, true, false, false],
  )
  assert.equal(c.attempt('b', 200), true, 'other keys are counted apart')
  assert.equal(c.retryAfterMs('a', 600), 500)
  assert.equal(c.retryAfterMs('b', 600), 0)
  assert.equal(c.attempt('a', 1100), true, 'a new window')
})

test('when every tracked key has a live window, a new key is refused; expired windows make room', () => {
  const c = new AttemptCounter({ attempts: 1, windowMs: 1000 })
  for (let i = 0; i < MAX_TRACKED_KEYS; i++) assert.equal(c.attempt(`k${i}`, 0), true)
  assert.equal(c.attempt('one more', 10), false)
  assert.equal(c.attempt('k0', 10), false, 'a tracked key is still counted')
  assert.equal(c.attempt('one more', 1000), true, 'the old windows expired and were pruned')
})
