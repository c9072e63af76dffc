/**
 * The delivery record: for each group, what each member last announced holding of each item and
 * when this node last saw it connected (service/runtime/delivery.ts keeps it up to date). It is
 * kept across restarts so that a group screen opened before anyone reconnects still says "had 3
 * of 4 · last seen yesterday" instead of nothing (issue 17, docs/ENGINE.md §7).
 *
 * A cache, not state: nothing depends on it being there or right. A missing, damaged or newer file
 * reads as empty (the next look at the peers refills it), so it never stops a start. Written like
 * every file of the profile, whole, by rename (files.ts) under the lock, which it waits for only
 * briefly: a record not written this time is written at the next change.
 */
import { z } from 'zod'
import { readBounded } from '../platform/bounded-read.js'
import { writeAtomic } from './files.js'
import { DEFAULT_LOCK, withLock, type LockSettings } from './lock.js'
import type { ProfileLayout } from './paths.js'
import { MAX_INDEX_MEMBERS, MAX_INVITE_TORRENTS } from '../protocol/constants.js'

const VERSION = 1
/**
 * Member-item figures kept in all (the book drops the members seen longest ago past it): 64 Ki
 * pairs are about 5 MB of JSON, far above a group of a few dozen members and items.
 */
export const MAX_DELIVERY_ENTRIES = 65_536
/** What a read may allocate: the file at MAX_DELIVERY_ENTRIES with room to spare. */
export const MAX_DELIVERY_FILE_BYTES = 8 * 1024 * 1024
const RECORD_LOCK: LockSettings = { ...DEFAULT_LOCK, timeoutMs: 3_000 }

const hex40 = z.string().regex(/^[0-9a-f]{40}$/)
const hex64 = z.string().regex(/^[0-9a-f]{64}$/)
const groupId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/)

const memberSchema = z.strictObject({
  /** When this node last saw the member connected (ISO 8601). */
  lastSeen: z.iso.datetime(),
  /** Infohash -> the share of the item's pieces the member announced, 0..1. */
  held: z.record(hex40, z.number().min(0).max(1)),
})
const groupSchema = z.strictObject({
  /** Infohash -> the item's length in bytes, to weigh a member's progress over items. */
  items: z.record(hex40, z.number().int().min(0)),
  members: z.record(hex64, memberSchema),
})
const recordSchema = z.strictObject({ version: z.literal(VERSION), groups: z.record(groupId, groupSchema) })

export type DeliveryMember = z.infer<typeof memberSchema>
export type DeliveryGroup = z.infer<typeof groupSchema>
export type DeliveryGroups = Record<string, DeliveryGroup>

/** True when a record stays within its named bounds (a group's items and members, all entries). */
export function withinBounds(groups: DeliveryGroups): boolean {
  let entries = 0
  for (const g of Object.values(groups)) {
    const members = Object.values(g.members)
    if (Object.keys(g.items).length > MAX_INVITE_TORRENTS || members.length > MAX_INDEX_MEMBERS) return false
    for (const m of members) entries += Object.keys(m.held).length
  }
  return entries <= MAX_DELIVERY_ENTRIES
}

/** The record on disk, or an empty one when there is none or it cannot be used (see above). */
export async function loadDelivery(layout: ProfileLayout): Promise<DeliveryGroups> {
  const read = await readBounded(layout.delivery, MAX_DELIVERY_FILE_BYTES)
  if (!read.ok) return {}
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder().decode(read.value))
  } catch {
    return {}
  }
  const r = recordSchema.safeParse(raw)
  return r.success && withinBounds(r.data.groups) ? r.data.groups : {}
}

export async function saveDelivery(layout: ProfileLayout, groups: DeliveryGroups): Promise<void> {
  if (!withinBounds(groups)) throw new RangeError('saveDelivery: the record is past its bounds')
  const text = JSON.stringify({ version: VERSION, groups })
  await withLock(layout.dir, layout.lock, RECORD_LOCK, () => writeAtomic(layout.delivery, text, 'the delivery record'))
}
