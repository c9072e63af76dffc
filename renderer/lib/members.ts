/** What a group's member row says of the member's node: connected to ours now, or when last seen. */
import type { MemberView } from '../../shared/ipc/views.js'

/**
 * "Connected", or "Not connected" with the last time this node saw them since it started. Never
 * "never joined": not seen since this node started says nothing about before.
 */
export function presenceText(m: MemberView, now = new Date()): string | undefined {
  if (m.self || m.connected === undefined) return undefined
  if (m.connected) return 'Connected'
  if (m.lastSeen === undefined) return 'Not connected'
  const seen = new Date(m.lastSeen)
  if (Number.isNaN(seen.getTime())) return 'Not connected'
  const sameDay = seen.toDateString() === now.toDateString()
  const when = sameDay
    ? seen.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : seen.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
  return `Not connected · last seen ${when}`
}
