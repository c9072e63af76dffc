/** Human-readable output for the CLI: sizes, speeds, and one line per torrent. */
import type { IndexProblem, MemberDetails, TorrentStatus } from '../service/index.js'
import { NAME_REASONS } from '../../../shared/ui/reason-text.js'
import { shown } from './terminal.js'

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** A torrent a user shared or joined; not a group's rendezvous (only `--json` shows that, flagged). */
export const isShare = (t: Pick<TorrentStatus, 'rendezvous'>): boolean => t.rendezvous !== true

export function torrentLine(t: TorrentStatus): string {
  const authorized = t.peers.filter((p) => p.state === 'authorized').length
  return [
    t.infoHash,
    t.state.padEnd(11),
    `${(t.progress * 100).toFixed(1)}%`.padStart(6),
    `↓${bytes(t.downloadSpeed)}/s`,
    `↑${bytes(t.uploadSpeed)}/s`,
    `peers ${authorized}/${t.peers.length}`,
    `${shown(t.group)}/${shown(t.name)}`,
  ].join('  ')
}

/** What `coterie run` says when a group's index was followed without some shares, or not at all. */
export function indexProblemLines(group: string, p: IndexProblem): string[] {
  if (p.kind === 'failed')
    return [
      `group ${shown(group)}: index version ${p.version} not followed yet (tried again at the next reload): ${shown(p.message)}`,
    ]
  return p.shares.map(
    (s) =>
      `group ${shown(group)}: index version ${p.version}: not downloaded ${s.infoHash} ${shown(s.name)}: ${NAME_REASONS[s.code]}`,
  )
}

export function peerLines(t: TorrentStatus): string[] {
  return t.peers.map((p) => {
    const why = p.state === 'refused' && p.reason ? ` (${shown(p.reason)})` : ''
    // How it is reached: direct, mapped, holepunch or relay, and over what (tcp, utp, webrtc).
    const via = `${p.path}/${p.transport}`.padEnd(16)
    // The client name is the peer's own claim (its peer id): shown escaped like any name from outside.
    return `    ${shown(p.address).padEnd(22)} ${via} ${shown(p.client).padEnd(18)} ${p.state}${why}  ↑${bytes(p.uploaded)} ↓${bytes(p.downloaded)}`
  })
}

const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`
const percent = (p: number) => `${Math.floor(Math.min(1, Math.max(0, p)) * 100)} %` // down: never "100 %" short of it

/**
 * What a member holds, as the app's member rows say it (renderer/lib/members.ts): "has all 4 items",
 * "getting 2 of 4 (73 %)", "not connected · last seen 2026-12-03 13:05 · had 1 of 4 (50 %)".
 */
export function memberState(m: MemberDetails, self: boolean): string {
  const now = self || m.connected
  const figures =
    m.of === 0
      ? undefined
      : m.has >= m.of
        ? `${now ? 'has' : 'had'} all ${items(m.of)}`
        : `${now ? 'getting' : 'had'} ${m.has} of ${m.of} (${percent(m.progress)})`
  if (now) return figures ?? (self ? '' : 'connected')
  if (m.lastSeen === null) return 'not connected'
  const seen = m.lastSeen.slice(0, 16).replace('T', ' ')
  return `not connected · last seen ${seen} UTC${figures === undefined ? '' : ` · ${figures}`}`
}
