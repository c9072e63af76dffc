// The delivery record (profile/delivery.ts) on a real profile directory: it round-trips, and a
// damaged, newer or oversized file reads as empty instead of stopping a start.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { loadDelivery, saveDelivery, MAX_DELIVERY_ENTRIES, MAX_DELIVERY_FILE_BYTES } from './delivery.js'
import { profileLayout } from './paths.js'
import { tempDir } from '../testing/swarm.js'

const dir = tempDir('delivery-record')
after(() => dir.remove())
const layout = profileLayout(dir.path)
const ih = 'ab'.repeat(20)
const member = 'cd'.repeat(32)

test('the record round-trips; what cannot be used reads as empty', async () => {
  assert.deepEqual(await loadDelivery(layout), {}, 'no file: empty')
  const groups = {
    club: {
      items: { [ih]: 1_200_000 },
      members: { [member]: { lastSeen: '2026-12-03T13:05:00.000Z', held: { [ih]: 0.5 } } },
    },
  }
  await saveDelivery(layout, groups)
  assert.deepEqual(await loadDelivery(layout), groups)

  for (const [what, text] of [
    ['not JSON', '{'],
    ['a newer format', JSON.stringify({ version: 2, groups })],
    [
      'a share above 1',
      JSON.stringify({
        version: 1,
        groups: {
          club: { ...groups.club, members: { [member]: { lastSeen: '2026-12-03T13:05:00.000Z', held: { [ih]: 2 } } } },
        },
      }),
    ],
    [
      'a member key that is not hex',
      JSON.stringify({
        version: 1,
        groups: { club: { ...groups.club, members: { nope: groups.club.members[member] } } },
      }),
    ],
    ['larger than its bound', ' '.repeat(MAX_DELIVERY_FILE_BYTES + 1)],
  ] as const) {
    writeFileSync(layout.delivery, text)
    assert.deepEqual(await loadDelivery(layout), {}, what)
  }
})

test('a record past its bounds is a bug of the caller, never written', async () => {
  const held = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [i.toString(16).padStart(40, '0'), 1]))
  const members = Object.fromEntries(
    Array.from({ length: Math.ceil(MAX_DELIVERY_ENTRIES / 256) + 1 }, (_, i) => [
      i.toString(16).padStart(64, '0'),
      { lastSeen: '2026-12-03T13:05:00.000Z', held },
    ]),
  )
  await assert.rejects(saveDelivery(layout, { club: { items: {}, members } }), RangeError)
})
