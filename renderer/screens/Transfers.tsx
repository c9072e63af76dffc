/** Every torrent, honestly labelled, with its peers: who gets data, who is refused and why. */
import { useState } from 'react'
import { REJECT_REASONS } from '../../shared/ui/reason-text.js'
import type { PeerView, TorrentView } from '../../shared/ipc/views.js'
import { ConfirmButton, Empty, Progress, Screen } from '../components/common.js'
import { bytes, duration, percent, speed } from '../lib/format.js'
import { call } from '../store/api.js'
import { useNav } from '../store/nav.js'
import { useProfile } from '../store/profile.js'
import { useSettings } from '../store/settings.js'
import { toast } from '../store/toasts.js'
import { sortTorrents, useTorrents } from '../store/torrents.js'

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

export function Transfers() {
  const byHash = useTorrents((s) => s.byHash)
  const loaded = useTorrents((s) => s.loaded)
  const groups = useProfile((s) => s.groups)
  const seedingPaused = useSettings((s) => s.settings?.seedingPaused ?? false)
  const go = useNav((s) => s.go)
  const torrents = sortTorrents(Object.values(byHash))
  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id
  const down = torrents.reduce((n, t) => n + t.downloadSpeed, 0)
  const up = torrents.reduce((n, t) => n + t.uploadSpeed, 0)
  return (
    <Screen title="Transfers" intro={<>Everything you share and receive. Now: ↓ {speed(down)} · ↑ {speed(up)}</>}>
      {seedingPaused && (
        <div className="banner info" role="note">
          Sharing is paused on this network: nobody receives anything from you. <button type="button" className="link" onClick={() => go('settings')}>Change in Settings</button>
        </div>
      )}
      {loaded && torrents.length === 0 ? (
        <Empty title="Nothing here yet">
          Share files by dropping them on a group in <button type="button" className="link" onClick={() => go('groups')}>Groups</button>, or open an invite from a friend in <button type="button" className="link" onClick={() => go('invites')}>Invites</button>.
        </Empty>
      ) : (
        <ul className="list" aria-label="Transfers">
          {torrents.map((t) => <TorrentRow key={t.infoHash} t={t} group={groupName(t.groupId)} seedingPaused={seedingPaused} />)}
        </ul>
      )}
    </Screen>
  )
}

function TorrentRow({ t, group, seedingPaused }: { t: TorrentView; group: string; seedingPaused: boolean }) {
  const [open, setOpen] = useState(false)
  const done = t.progress >= 1
  const act = async (what: 'torrents.pause' | 'torrents.resume' | 'torrents.remove') => {
    const r = await call(what, { infoHash: t.infoHash })
    if (!r.ok) toast('error', `Could not ${what.split('.')[1]} “${t.name}”`, r.error.message)
  }
  const reveal = async () => {
    const r = await call('torrents.reveal', { infoHash: t.infoHash })
    if (r.ok) toast('info', 'Files are in', r.value.path)
    else toast('error', 'Could not show the files', r.error.message)
  }
  const authorized = t.peers.filter((p) => p.state === 'authorized').length
  return (
    <li className="card torrent" data-testid="torrent" data-infohash={t.infoHash}>
      <div className="row">
        <div className="grow">
          <p className="title">{t.name}</p>
          <p className="muted small">in {group} · {bytes(t.length)}</p>
        </div>
        <span className={`state state-${t.state}`} data-testid="torrent-state">{stateLabel(t, seedingPaused)}</span>
      </div>
      <Progress value={t.progress} label={`${t.name}: ${percent(t.progress)}`} />
      <p className="stats small">
        <span>{percent(t.progress)}{!done && ` of ${bytes(t.length)}`}</span>
        <span>↓ {speed(t.downloadSpeed)}</span>
        <span>↑ {speed(t.uploadSpeed)}</span>
        {!done && t.state === 'downloading' && <span>{duration(t.eta)} left</span>}
        <span>sent {bytes(t.uploaded)}</span>
      </p>
      {t.error && <p className="field-error" role="alert">{t.error}</p>}
      <div className="row">
        {t.state === 'paused'
          ? <button type="button" className="secondary" onClick={() => void act('torrents.resume')}>Resume</button>
          : <button type="button" className="secondary" onClick={() => void act('torrents.pause')}>Pause</button>}
        <button type="button" className="secondary" onClick={() => void reveal()}>Show in folder</button>
        <ConfirmButton label="Remove" question={`Stop sharing “${t.name}”? The files stay on disk.`} confirm="Remove" onConfirm={() => act('torrents.remove')} />
        <button type="button" className="secondary peers-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          Peers ({authorized}/{t.peers.length} authorized)
        </button>
      </div>
      {open && <Peers peers={t.peers} />}
    </li>
  )
}

function Peers({ peers }: { peers: PeerView[] }) {
  const friends = useProfile((s) => s.friends)
  const groups = useProfile((s) => s.groups)
  // A member is shown by our name for them when we know their fingerprint.
  const names = new Map<string, string>()
  for (const f of friends) names.set(f.fingerprint, f.name)
  for (const g of groups) for (const m of g.members) if (m.name && !names.has(m.fingerprint)) names.set(m.fingerprint, m.name)
  if (peers.length === 0) return <p className="muted small peers-empty">No peers connected right now.</p>
  return (
    <table className="peers">
      <caption className="visually-hidden">Peers</caption>
      <thead>
        <tr><th scope="col">Peer</th><th scope="col">Status</th><th scope="col">↓</th><th scope="col">↑</th></tr>
      </thead>
      <tbody>
        {peers.map((p) => (
          <tr key={p.address} data-testid="peer" data-state={p.state}>
            <td><code>{p.address}</code><br /><span className="muted small">{p.client}</span></td>
            <td>
              <span className={`peer-state peer-${p.state}`}>{PEER_LABELS[p.state]}</span>
              {p.state === 'authorized' && p.member && <> as {names.get(p.member) ?? 'member'} <code className="small">{p.member}</code></>}
              {p.state === 'refused' && p.reason && <span className="small"> — {REJECT_REASONS[p.reason]}</span>}
            </td>
            <td>{speed(p.downloadSpeed)}</td>
            <td>{speed(p.uploadSpeed)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
