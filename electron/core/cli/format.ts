/** Human-readable output for the CLI: sizes, speeds, and one line per torrent. */
import type { TorrentStatus } from '../service/index.js'
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

export function peerLines(t: TorrentStatus): string[] {
  return t.peers.map((p) => {
    const why = p.state === 'refused' && p.reason ? ` (${shown(p.reason)})` : ''
    // The client name is the peer's own claim (its peer id): shown escaped like any name from outside.
    return `    ${shown(p.address).padEnd(22)} ${shown(p.client).padEnd(18)} ${p.state}${why}  ↑${bytes(p.uploaded)} ↓${bytes(p.downloaded)}`
  })
}
