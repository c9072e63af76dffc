/**
 * Every torrent, honestly labelled, with its peers: who gets data, who is refused and why. Compact
 * rows, work under way first, a filter and a sort, so it stays usable with hundreds of items.
 */
import { memo, useState } from 'react'
import { REJECT_REASONS } from '../../shared/ui/reason-text.js'
import type { PeerView, TorrentView } from '../../shared/ipc/views.js'
import { ConfirmButton, Empty, Progress, Screen, useFieldId } from '../components/common.js'
import { bytes, duration, percent, speed } from '../lib/format.js'
import { call } from '../store/api.js'
import { useNav } from '../store/nav.js'
import { useProfile } from '../store/profile.js'
import { useSettings } from '../store/settings.js'
import { toast } from '../store/toasts.js'
import { useDrafts, type TransferFilter, type TransferSort } from '../store/drafts.js'
import { activeFirst, isActive, sortTorrents, useTorrents } from '../store/torrents.js'

const STATE_LABELS: Record<TorrentView['state'], string> = {
  checking: 'Checking files',
  metadata: 'Getting file list',
  downloading: 'Downloading',
  seeding: 'Sharing',
  paused: 'Paused',
  stalled: 'Waiting for members',
  error: 'Error',
}
/** Complete but not uploading because of "Don't seed on this network" is not "Sharing". */
export const stateLabel = (t: TorrentView, seedingPaused: boolean): string =>
  seedingPaused && t.state === 'seeding' ? 'Complete, not sharing here' : STATE_LABELS[t.state]

const PEER_LABELS: Record<PeerView['state'], string> = {
  authorized: 'Authorized',
  refused: 'Refused',
  pending: 'Checking their membership…',
  'no-extension': 'Not a Coterie client: gets nothing',
}

/** How a peer is reached (docs/NAT.md), in words: a relayed peer costs the group's TURN server. */
const PATH_LABELS: Record<PeerView['path'], string> = {
  direct: 'Direct',
  mapped: 'Through a router port mapping',
  holepunch: 'Through both routers (hole punched)',
  relay: 'Relayed by the group’s TURN server',
}
const TRANSPORT_LABELS: Record<PeerView['transport'], string> = { tcp: 'TCP', utp: 'uTP', webrtc: 'WebRTC' }

/** Below this a speed is keep-alive traffic, not a transfer: the row shows no speed at all. */
const IDLE_BPS = 1024
const moving = (n: number): boolean => n >= IDLE_BPS

/** Rows rendered at first, and added per "Show more": keeps a 500-item list responsive (e2e bench). */
const PAGE = 100

const FILTERS: { value: TransferFilter; label: string }[] = [
  { value: 'active', label: 'Active' },
  { value: 'sharing', label: 'Sharing' },
  { value: 'all', label: 'All' },
]

/** The list as chosen: filtered (work under way, finished and shared, or everything), then sorted. */
export function arrange(ts: TorrentView[], filter: TransferFilter, sort: TransferSort): TorrentView[] {
  const shown = filter === 'all' ? ts : ts.filter((t) => (filter === 'active' ? isActive(t) : !isActive(t)))
  if (sort === 'name') return sortTorrents(shown)
  if (sort === 'size') return sortTorrents(shown).sort((a, b) => b.length - a.length)
  return activeFirst(shown)
}

export function Transfers() {
  const byHash = useTorrents((s) => s.byHash)
  const loaded = useTorrents((s) => s.loaded)
  const groups = useProfile((s) => s.groups)
  const seedingPaused = useSettings((s) => s.settings?.seedingPaused ?? false)
  const filter = useDrafts((s) => s.transferFilter)
  const sort = useDrafts((s) => s.transferSort)
  const setDraft = useDrafts((s) => s.set)
  const go = useNav((s) => s.go)
  const all = Object.values(byHash)
  const torrents = arrange(all, filter, sort)
  const names = new Map(groups.map((g) => [g.id, g.name]))
  // Removing an item of a group you own takes it out of the group too (its index lists what you hold).
  const owned = new Set(groups.filter((g) => g.owner).map((g) => g.id))
  const down = all.reduce((n, t) => n + (t.progress < 1 ? t.downloadSpeed : 0), 0)
  const up = all.reduce((n, t) => n + t.uploadSpeed, 0)
  const active = all.filter(isActive).length
  const id = useFieldId()
  // Hundreds of rows cost seconds to lay out; the first page holds what matters (active first).
  const [shown, setShown] = useState(PAGE)
  return (
    <Screen
      title="Transfers"
      intro={
        <>
          Everything you share and receive.
          {moving(down) || moving(up) ? (
            <>
              {' '}
              Now: {moving(down) && `↓ ${speed(down)}`}
              {moving(down) && moving(up) && ' · '}
              {moving(up) && `↑ ${speed(up)}`}
            </>
          ) : (
            ' Nothing is moving right now.'
          )}
        </>
      }
    >
      {seedingPaused && (
        <div className="banner info" role="note">
          Sharing is paused on this network: nobody receives anything from you.{' '}
          <button type="button" className="link" onClick={() => go('settings')}>
            Change in Settings
          </button>
        </div>
      )}
      {loaded && all.length === 0 ? (
        <Empty title="Nothing here yet">
          Share files by dropping them on a group in{' '}
          <button type="button" className="link" onClick={() => go('groups')}>
            Groups
          </button>
          , or open an invite from a friend in{' '}
          <button type="button" className="link" onClick={() => go('invites')}>
            Invites
          </button>
          .
        </Empty>
      ) : (
        <>
          <div className="toolbar">
            <div className="segmented" role="group" aria-label="Show">
              {FILTERS.map((f) => (
                <button
                  key={f.value}
                  type="button"
                  className="secondary"
                  aria-pressed={filter === f.value}
                  onClick={() => setDraft({ transferFilter: f.value })}
                >
                  {f.label}
                  {f.value === 'active'
                    ? ` (${active})`
                    : f.value === 'sharing'
                      ? ` (${all.length - active})`
                      : ` (${all.length})`}
                </button>
              ))}
            </div>
            <label htmlFor={`${id}-sort`} className="inline small">
              Sort by
            </label>
            <select
              id={`${id}-sort`}
              className="sort"
              value={sort}
              onChange={(e) => setDraft({ transferSort: e.target.value as TransferSort })}
            >
              <option value="active-first">Active first</option>
              <option value="name">Name</option>
              <option value="size">Size</option>
            </select>
          </div>
          {torrents.length === 0 ? (
            <p className="muted" data-testid="transfers-none">
              {filter === 'active' ? 'Nothing is downloading or being checked.' : 'Nothing finished yet.'}
            </p>
          ) : (
            <>
              <ul className="list transfers" aria-label="Transfers">
                {torrents.slice(0, shown).map((t) => (
                  <TorrentRow
                    key={t.infoHash}
                    t={t}
                    group={names.get(t.groupId) ?? t.groupId}
                    owned={owned.has(t.groupId)}
                    seedingPaused={seedingPaused}
                  />
                ))}
              </ul>
              {torrents.length > shown && (
                <div className="row center">
                  <button
                    type="button"
                    className="secondary"
                    data-testid="show-more"
                    onClick={() => setShown(shown + PAGE)}
                  >
                    Show {Math.min(PAGE, torrents.length - shown)} more ({torrents.length - shown} not shown)
                  </button>
                </div>
              )}
            </>
          )}
        </>
      )}
    </Screen>
  )
}

/** One compact row; memoized: an event replaces only the views that changed, so the others skip rendering. */
const TorrentRow = memo(function TorrentRow({
  t,
  group,
  owned,
  seedingPaused,
}: {
  t: TorrentView
  group: string
  owned: boolean
  seedingPaused: boolean
}) {
  const [open, setOpen] = useState(false)
  const done = t.progress >= 1
  const act = async (what: 'torrents.pause' | 'torrents.resume' | 'torrents.remove') => {
    const r = await call(what, { infoHash: t.infoHash })
    if (!r.ok) toast('error', `Could not ${what.split('.')[1]} “${t.name}”`, r.error.message)
  }
  // "Retry now" (issue 14): the members' known addresses are dialled at once and the item is announced again.
  const retry = async () => {
    const r = await call('torrents.retry', { infoHash: t.infoHash })
    if (!r.ok) toast('error', `Could not retry “${t.name}”`, r.error.message)
    else
      toast(
        'info',
        `Looking for members of “${t.name}” again`,
        r.value.dialled === 0
          ? 'Announced again; no known address to try.'
          : `Trying ${r.value.dialled} known address${r.value.dialled === 1 ? '' : 'es'}.`,
      )
  }
  const reveal = async () => {
    const r = await call('torrents.reveal', { infoHash: t.infoHash })
    if (r.ok) toast('info', 'Files are in', r.value.path)
    else toast('error', 'Could not show the files', r.error.message)
  }
  const authorized = t.peers.filter((p) => p.state === 'authorized').length
  return (
    <li className="torrent" data-testid="torrent" data-infohash={t.infoHash} data-active={isActive(t)}>
      <div className="torrent-line">
        <div className="grow">
          <p className="title">{t.name}</p>
          <p className="muted small">
            in {group} · {bytes(t.length)}
            {!done && <> · {percent(t.progress)}</>}
            {/* A finished item downloads nothing: the engine's decaying average is not news. */}
            {!done && moving(t.downloadSpeed) && <> · ↓ {speed(t.downloadSpeed)}</>}
            {moving(t.uploadSpeed) && <> · ↑ {speed(t.uploadSpeed)}</>}
            {!done && t.state === 'downloading' && moving(t.downloadSpeed) && <> · {duration(t.eta)} left</>}
            {t.uploaded > 0 && <> · sent {bytes(t.uploaded)} since Coterie started</>}
          </p>
        </div>
        <span className={`state state-${t.state}`} data-testid="torrent-state">
          {stateLabel(t, seedingPaused)}
        </span>
      </div>
      {!done && <Progress value={t.progress} label={`${t.name}: ${percent(t.progress)}`} />}
      {t.error && (
        <p className="field-error" role="alert">
          {t.error}
        </p>
      )}
      <div className="row actions">
        {t.state === 'paused' ? (
          <button type="button" className="secondary" onClick={() => void act('torrents.resume')}>
            Resume
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => void act('torrents.pause')}>
            Pause
          </button>
        )}
        {(t.state === 'stalled' || t.state === 'error') && (
          <button type="button" className="secondary" onClick={() => void retry()}>
            Retry now
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void reveal()}>
          Show in folder
        </button>
        <button type="button" className="secondary peers-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          Peers ({authorized}/{t.peers.length} authorized)
        </button>
        {/* Destructive, so apart from the everyday actions. */}
        <span className="apart">
          <ConfirmButton
            label="Remove"
            question={
              owned
                ? `Remove “${t.name}” from “${group}”? Members’ Coterie stops listing and sharing it too; what they downloaded stays theirs, and the files stay on disk.`
                : `Stop sharing “${t.name}”? The files stay on disk.`
            }
            confirm="Remove"
            onConfirm={() => act('torrents.remove')}
          />
        </span>
      </div>
      {open && <Peers peers={t.peers} />}
    </li>
  )
})

function Peers({ peers }: { peers: PeerView[] }) {
  const friends = useProfile((s) => s.friends)
  const groups = useProfile((s) => s.groups)
  // A member is shown by our name for them when we know their fingerprint.
  const names = new Map<string, string>()
  for (const f of friends) names.set(f.fingerprint, f.name)
  for (const g of groups)
    for (const m of g.members) if (m.name && !names.has(m.fingerprint)) names.set(m.fingerprint, m.name)
  if (peers.length === 0) return <p className="muted small peers-empty">No peers connected right now.</p>
  return (
    <table className="peers">
      <caption className="visually-hidden">Peers</caption>
      <thead>
        <tr>
          <th scope="col">Peer</th>
          <th scope="col">Status</th>
          <th scope="col">↓</th>
          <th scope="col">↑</th>
        </tr>
      </thead>
      <tbody>
        {peers.map((p) => (
          <tr key={p.address} data-testid="peer" data-state={p.state}>
            <td>
              <code>{p.address}</code>
              <br />
              <span className="muted small">{p.client}</span>
              <br />
              <span className="muted small" data-testid="peer-path" data-path={p.path}>
                {PATH_LABELS[p.path]} · {TRANSPORT_LABELS[p.transport]}
              </span>
            </td>
            <td>
              <span className={`peer-state peer-${p.state}`}>{PEER_LABELS[p.state]}</span>
              {p.state === 'authorized' && p.member && (
                <>
                  {' '}
                  as {names.get(p.member) ?? 'member'} <code className="small">{p.member}</code>
                </>
              )}
              {p.state === 'refused' && p.reason && <span className="small"> — {REJECT_REASONS[p.reason]}</span>}
              {p.holds !== undefined && (
                <>
                  <br />
                  <span className="muted small" data-testid="peer-holds">
                    {p.holds >= 1 ? 'Has all of it' : `Has ${Math.floor(p.holds * 100)} %`}
                  </span>
                </>
              )}
            </td>
            <td>{speed(p.downloadSpeed)}</td>
            <td>{speed(p.uploadSpeed)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
