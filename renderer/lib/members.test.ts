import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MemberView } from '../../shared/ipc/views.js'
import { date } from './format.js'
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
  assert.equal(
    earlier,
    `Not connected · last seen ${date('2026-11-28T09:00:00')}`,
    'another day reads in the one date format of the app',
  )
  assert.equal(presenceText(member({ connected: false, lastSeen: 'garbage' }), now), 'Not connected')
  assert.equal(presenceText(member({ self: true }), now), undefined, 'nothing for yourself')
  assert.equal(presenceText(member({}), now), undefined, 'nothing when the main side said nothing')
})

test("a row says whether the member has the group's items, from the figures its node announced", () => {
  const now = new Date('2026-12-02T15:00:00')
  const seen = new Date('2026-12-02T14:05:00').toISOString()
  assert.equal(presenceText(member({ connected: true, has: 4, of: 4, progress: 1 }), now), 'Has all 4 items')
  assert.equal(presenceText(member({ connected: true, has: 1, of: 1, progress: 1 }), now), 'Has all 1 item')
  assert.equal(
    presenceText(member({ connected: true, has: 2, of: 4, progress: 0.7399 }), now),
    'Getting 2 of 4 (73 %)',
    'rounded down',
  )
  assert.equal(
    presenceText(member({ connected: true, has: 3, of: 4, progress: 0.9999 }), now),
    'Getting 3 of 4 (99 %)',
    'never "100 %" while something is missing',
  )
  assert.equal(
    presenceText(member({ connected: true, has: 0, of: 0, progress: 0 }), now),
    'Connected',
    'nothing shared',
  )
  assert.match(
    presenceText(member({ connected: false, lastSeen: seen, has: 4, of: 4, progress: 1 }), now)!,
    /^Not connected · last seen .*05.* · had all 4 items$/,
  )
  assert.match(
    presenceText(member({ connected: false, lastSeen: seen, has: 1, of: 4, progress: 0.5 }), now)!,
    /^Not connected · last seen .*05.* · had 1 of 4 \(50 %\)$/,
  )
  assert.equal(
    presenceText(member({ connected: false, has: 0, of: 4, progress: 0 }), now),
    'Not connected',
    'never seen: no figures claimed',
  )
  assert.equal(presenceText(member({ self: true, has: 4, of: 4, progress: 1 }), now), 'Has all 4 items', 'your own')
  assert.equal(presenceText(member({ self: true, has: 1, of: 2, progress: 0.5 }), now), 'Getting 1 of 2 (50 %)')
})
