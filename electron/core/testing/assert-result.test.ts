// The Result asserts fail with the error's code and reason in the message, which is their reason to exist.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { err, ok } from '../../../shared/result.js'
import { assertErr, assertOk, okValue } from './assert-result.js'
import { onceWithin } from './wait.js'

const refused = err({ code: 'bad-key', message: 'That key has a typo' })

describe('Result asserts', () => {
  it('assertOk passes an ok result and names the code and reason of an error', () => {
    assertOk(ok(1))
    assert.equal(okValue(ok(2)), 2)
    assert.throws(
      () => assertOk(refused, 'adding a friend'),
      /adding a friend: expected ok, got bad-key: That key has a typo/,
    )
  })

  it('assertErr checks the code, and says what came instead', () => {
    assertErr(refused, 'bad-key')
    assert.throws(
      () => assertErr(refused, 'unknown-group'),
      /expected error unknown-group, got bad-key: That key has a typo/,
    )
    assert.throws(
      () => assertErr(ok({ id: 7 }) as typeof refused | ReturnType<typeof ok<{ id: number }>>, 'bad-key'),
      /got ok: \{"id":7\}/,
    )
  })
})

describe('onceWithin', () => {
  it('resolves with the event arguments, or fails naming what it awaited', async () => {
    const e = new EventEmitter()
    const got = onceWithin<[number]>(e, 'n', 1_000, 'a number')
    e.emit('n', 5)
    assert.deepEqual(await got, [5])
    await assert.rejects(
      onceWithin(e, 'n', 10, 'a number that never comes'),
      /timed out after 10 ms waiting for a number that never comes/,
    )
    assert.equal(e.listenerCount('n'), 0, 'the listener is removed on timeout')
  })
})
