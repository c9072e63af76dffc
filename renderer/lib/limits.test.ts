import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fromKiB, toKiB } from './limits.js'

test('limits are typed in KiB/s, empty for none; anything else is refused, not guessed at', () => {
  assert.equal(fromKiB(''), null)
  assert.equal(fromKiB('  '), null)
  assert.equal(fromKiB('256'), 256 * 1024)
  assert.equal(fromKiB(' 1 '), 1024)
  for (const bad of ['0', '-5', '1.5', 'abc', '1e3x', '10000000']) assert.equal(fromKiB(bad), 'bad', bad)
  assert.equal(toKiB(null), '')
  assert.equal(toKiB(256 * 1024), '256')
  assert.equal(fromKiB(toKiB(300 * 1024)), 300 * 1024, 'what the form shows reads back the same')
})
