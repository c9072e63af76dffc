/**
 * What a group's member row says of the member: whether their node is connected to ours (or when
 * it last was), and whether they have the group's items ("Has all 4 items", "Getting 2 of 4
 * (73 %)"), by what their node last announced to ours (issue 17; the figures come with the view).
 */
import type { MemberView } from '../../shared/ipc/views.js'
import { date } from './format.js'

const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`
// Down, so that a member missing a few bytes never reads "100 %".
const percent = (p: number) => `${Math.floor(Math.min(1, Math.max(0, p)) * 100)} %`

/**
 * "Has all 4 items" or "Getting 2 of 4 (73 %)" (past tense, "had", for what a member not connected
 * last announced); undefined when there is nothing to say (no items here, or no figures).
 */
export function deliveryText(m: MemberView): string | undefined {
  if (m.has === undefined || m.of === undefined || m.progress === undefined || m.of === 0) return undefined
  const now = m.self || m.connected === true
  if (m.has >= m.of) return `${now ? 'Has' : 'Had'} all ${items(m.of)}`
  if (!now) return m.lastSeen === undefined ? undefined : `had ${m.has} of ${m.of} (${percent(m.progress)})`
  return `Getting ${m.has} of ${m.of} (${percent(m.progress)})`
}

/**
 * The row's sentence: "Has all 4 items" / "Getting 2 of 4 (73 %)" while connected ("Connected" when
 * nothing is shared), else "Not connected · last seen …" with what it last had. Never "never
 * joined": not seen by this profile says nothing about before.
 */
export function presenceText(m: MemberView, now = new Date()): string | undefined {
  const delivery = deliveryText(m)
  if (m.self) return delivery
  if (m.connected === undefined) return undefined
  if (m.connected) return delivery ?? 'Connected'
  if (m.lastSeen === undefined) return 'Not connected'
  const seen = new Date(m.lastSeen)
  if (Number.isNaN(seen.getTime())) return 'Not connected'
  const sameDay = seen.toDateString() === now.toDateString()
  const when = sameDay ? seen.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : date(m.lastSeen) // the app's one date format (lib/format.ts), as on every other screen
  const had = delivery === undefined ? '' : ` · ${delivery.charAt(0).toLowerCase()}${delivery.slice(1)}`
  return `Not connected · last seen ${when}${had}`
}
