import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MemberView } from '../../shared/ipc/views.js'
import { presenceText } from './members.js'

const member = (o: Partial<MemberView>): MemberView => ({ key: 'coterie1b', fingerprint: 'F', self: false, ...o })

test("a member's row says whether their node is connected, and never claims more than this node saw", () => {
  const now = new Date('2026-12-02T15:00:00')
  assert.equal(presenceText(member({ connected: true }), now), 'Connected')
  assert.equal(
    presenceText(member({ connected: false }), now),
    'Not connected',
    'not seen since start: no "never joined"',
  )
  const today = presenceText(
    member({ connected: false, lastSeen: new Date('2026-12-02T14:05:00').toISOString() }),
    now,
  )!
  assert.match(today, /^Not connected · last seen .*05/)
  const earlier = presenceText(
    member({ connected: false, lastSeen: new Date('2026-11-28T09:00:00').toISOString() }),
    now,
  )!
  assert.match(earlier, /^Not connected · last seen .*28/)
  assert.equal(presenceText(member({ connected: false, lastSeen: 'garbage' }), now), 'Not connected')
  assert.equal(presenceText(member({ self: true }), now), undefined, 'nothing for yourself')
  assert.equal(presenceText(member({}), now), undefined, 'nothing when the main side said nothing')
})
