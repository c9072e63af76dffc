/**
 * Groups: create one with friends (or subscribe to a content provider: its group), drop files on it to share (and take one out again), save each
 * member's invite, see whose node is connected now; a member chooses whether new shares download by themselves; leave a
 * group, or delete one you own (the files stay).
 */
import { useState, type FormEvent } from 'react'
import type { GroupView, MemberView } from '../../shared/ipc/views.js'
import { ConfirmButton, Empty, FieldError, Screen, useFieldId } from '../components/common.js'
import { fromBase64, safeFileName, saveBytes } from '../lib/bytes.js'
import { inviteLink } from '../../shared/invite-link.js'
import { bytes, date, percent } from '../lib/format.js'
import { presenceText } from '../lib/members.js'
import { call, getApi } from '../store/api.js'
import { useNav } from '../store/nav.js'
import { useProfile } from '../store/profile.js'
import { useSettings } from '../store/settings.js'
import { toast } from '../store/toasts.js'
import { sortTorrents, useTorrents } from '../store/torrents.js'
import { stateLabel } from './Transfers.js'
import { AutoJoin, GroupLimits, RemoveGroup } from './group-settings.js'
import { ShareZone } from '../components/ShareZone.js'
import { SubscribeDialog } from '../components/SubscribeDialog.js'

export function Groups() {
  const groups = useProfile((s) => s.groups)
  const friends = useProfile((s) => s.friends)
  const loaded = useProfile((s) => s.loaded)
  const selected = useNav((s) => s.group)
  const go = useNav((s) => s.go)
  const [creating, setCreating] = useState(false)
  const [subscribing, setSubscribing] = useState(false)
  const current = groups.find((g) => g.id === selected) ?? groups[0]
  return (
    <Screen
      title="Groups"
      intro="A group is a closed circle: only its members can download what is shared in it."
      actions={
        <>
          {!creating && (
            <button type="button" onClick={() => setCreating(true)}>
              New group
            </button>
          )}
          <button type="button" className="secondary" onClick={() => setSubscribing(true)}>
            Subscribe to a provider…
          </button>
        </>
      }
    >
      <SubscribeDialog
        open={subscribing}
        onDone={(id) => {
          setSubscribing(false)
          if (id) go('groups', id)
        }}
      />
      {creating && (
        <CreateGroup
          onDone={(id) => {
            setCreating(false)
            if (id) go('groups', id)
          }}
        />
      )}
      {loaded && groups.length === 0 && !creating && (
        <Empty title="No groups yet">
          {friends.length === 0 ? (
            <>
              First add a friend in{' '}
              <button type="button" className="link" onClick={() => go('friends')}>
                Friends
              </button>
              , then create a group with them.
            </>
          ) : (
            <>Create a group with your friends: press “New group”. Then drop files on it to share them.</>
          )}
        </Empty>
      )}
      {groups.length > 0 && (
        <div className="groups">
          <ul className="group-list" aria-label="Your groups">
            {groups.map((g) => (
              <li key={g.id}>
                <button
                  type="button"
                  className={`group-tab${g.id === current?.id ? ' active' : ''}`}
                  aria-current={g.id === current?.id}
                  onClick={() => go('groups', g.id)}
                >
                  <span className="title">{g.name}</span>
                  <span className="muted small">
                    {g.owner ? othersText(g) : g.provider ? 'subscription' : 'you are a member'} · {g.torrents.length}{' '}
                    shared
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {current && <GroupDetail key={current.id} group={current} />}
        </div>
      )}
    </Screen>
  )
}

function CreateGroup({ onDone }: { onDone: (id?: string) => void }) {
  const friends = useProfile((s) => s.friends)
  const [name, setName] = useState('')
  const [members, setMembers] = useState<Set<string>>(new Set())
  const [error, setError] = useState<string | null>(null)
  const id = useFieldId()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await call('groups.create', { name: name.trim(), members: [...members] })
    if (!r.ok) return setError(r.error.message)
    toast(
      'success',
      `Group “${r.value.name}” created`,
      members.size > 0
        ? 'Drop files on it to share them, then save an invite for each member.'
        : 'Nobody else is in it yet: add a friend to it, then save an invite for them.',
    )
    onDone(r.value.id)
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="New group">
      <h2>New group</h2>
      <label htmlFor={`${id}-name`}>Group name</label>
      <input
        id={`${id}-name`}
        value={name}
        maxLength={200}
        placeholder="e.g. Family photos"
        onChange={(e) => setName(e.target.value)}
        autoFocus
      />
      <fieldset>
        <legend>Members</legend>
        {friends.length === 0 && <p className="muted">You have no friends to add yet; you can add members later.</p>}
        {friends.map((f) => (
          <label key={f.key} className="check">
            <input
              type="checkbox"
              checked={members.has(f.key)}
              onChange={(e) => {
                const next = new Set(members)
                if (e.target.checked) next.add(f.key)
                else next.delete(f.key)
                setMembers(next)
              }}
            />
            {f.name} <code className="muted small">{f.fingerprint}</code>
          </label>
        ))}
      </fieldset>
      <FieldError id={`${id}-err`} message={error} />
      <div className="row">
        <button type="submit" disabled={name.trim() === ''}>
          Create group
        </button>
        <button type="button" className="secondary" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Members other than you: "2 members", or "only you" (you are not a member of your own audience). */
export const othersText = (g: GroupView): string => {
  const n = g.members.filter((m) => !m.self).length
  return n === 0 ? 'only you' : `${n} member${n === 1 ? '' : 's'}`
}

const memberName = (m: MemberView): string => (m.self ? 'You' : (m.name ?? `Unknown (${m.fingerprint})`))

function GroupDetail({ group }: { group: GroupView }) {
  const friends = useProfile((s) => s.friends)
  const byHash = useTorrents((s) => s.byHash)
  const seedingPaused = useSettings((s) => s.settings?.seedingPaused ?? false)
  const [adding, setAdding] = useState('')
  const id = useFieldId()
  const candidates = friends.filter((f) => !group.members.some((m) => m.key === f.key))
  const collection = sortTorrents(group.torrents.map((h) => byHash[h]).filter((t) => t !== undefined))
  const pendingMeta = group.torrents.length - collection.length
  const [fetching, setFetching] = useState<Set<string>>(new Set())
  const go = useNav((s) => s.go)

  const addMember = async () => {
    if (!adding) return
    const r = await call('groups.addMember', { group: group.id, friend: adding })
    if (r.ok) {
      setAdding('')
      toast('success', 'Member added', 'Save an invite for them below and send it.')
    } else toast('error', 'Could not add the member', r.error.message)
  }
  const remove = async (m: MemberView) => {
    const r = await call('groups.removeMember', { group: group.id, friend: m.key })
    if (!r.ok) return toast('error', `Could not remove ${memberName(m)}`, r.error.message)
    toast(
      'success',
      `${memberName(m)} removed from “${group.name}”`,
      'Members’ Coterie refuses them from now on; the group’s discovery secret changed.',
    )
  }

  const invite = async (m: MemberView) => {
    if (getApi().pathForFile) return saveInvite(m)
    const r = await call('invites.create', { group: group.id, friend: m.key })
    if (!r.ok) return toast('error', `Could not make an invite for ${memberName(m)}`, r.error.message)
    const file = `${safeFileName(group.name)}-for-${safeFileName(memberName(m))}.coterie`
    saveBytes(file, r.value.data)
    // A browser saves without asking where: say where it went.
    toast(
      'success',
      `Invite for ${memberName(m)} saved as “${file}”`,
      'Your browser put it in its downloads folder. Send the file to them (mail, chat, USB stick): only they can open it.',
    )
  }

  // The desktop app: a save dialog opening in Downloads; the toast says the path it went to.
  const saveInvite = async (m: MemberView) => {
    const r = await call('invites.save', { group: group.id, friend: m.key })
    if (!r.ok) return toast('error', `Could not save an invite for ${memberName(m)}`, r.error.message)
    if (r.value.path === null) return // cancelled: the person knows
    toast(
      'success',
      `Invite for ${memberName(m)} saved`,
      `It is at ${r.value.path}. Send the file to them (mail, chat, USB stick): only they can open it.`,
    )
  }

  // The same sealed bytes as the file, as a coterie://invite/ link to paste into a chat (PROTOCOL.md §7.2).
  const copyInvite = async (m: MemberView) => {
    const r = await call('invites.create', { group: group.id, friend: m.key })
    if (!r.ok) return toast('error', `Could not make an invite for ${memberName(m)}`, r.error.message)
    const link = inviteLink(fromBase64(r.value.data))
    if (link === undefined)
      return toast('error', 'This invite is too large for a link', 'Send it as a file instead: “Invite…”.')
    try {
      await navigator.clipboard.writeText(link)
    } catch {
      return toast(
        'error',
        'Could not copy to the clipboard',
        'Your browser refused it: send the invite as a file (“Invite…”).',
      )
    }
    toast(
      'success',
      `Invite link for ${memberName(m)} copied`,
      'Paste it into a chat or mail to them. It is sealed like the file: only they can open it (on their Invites screen).',
    )
  }

  // Retracting a share (issue 17): the next group index leaves it out; members' nodes follow by themselves.
  const unshare = async (infoHash: string, name: string) => {
    const r = await call('groups.unshare', { group: group.id, infoHash })
    if (!r.ok) return toast('error', `Could not remove “${name}” from “${group.name}”`, r.error.message)
    toast(
      'success',
      `“${name}” removed from “${group.name}”`,
      'Members’ Coterie stops listing and sharing it as it hears; what they downloaded stays theirs.',
    )
  }

  const download = async (infoHash: string, name: string) => {
    setFetching((f) => new Set(f).add(infoHash))
    const r = await call('groups.download', { group: group.id, infoHash })
    setFetching((f) => {
      const next = new Set(f)
      next.delete(infoHash)
      return next
    })
    if (!r.ok) return toast('error', `Could not download ${name}`, r.error.message)
    toast('success', `Downloading ${name}`, 'It is in Transfers.')
  }

  return (
    <div className="group-detail" aria-label={`Group ${group.name}`}>
      <h2>
        {group.name}{' '}
        <span className="badge">{group.owner ? 'You own it' : group.provider ? 'Subscription' : 'Member'}</span>
      </h2>
      {group.owner ? (
        <ShareZone group={group} />
      ) : (
        <>
          {group.provider ? (
            <p className="muted" data-testid="provider">
              A subscription: the provider at <code className="wrap">{group.provider}</code> owns this group. What it
              publishes reaches you by itself, from the provider or from other subscribers, and your membership is
              renewed with the provider while your account there is active.
            </p>
          ) : (
            <p className="muted">
              Only the group’s owner shares into it. What they share later reaches you by itself, from the owner or from
              other members.
            </p>
          )}
          <AutoJoin group={group} />
        </>
      )}
      <h3>Shared in this group</h3>
      {collection.length === 0 && pendingMeta === 0 && group.available.length === 0 ? (
        <p className="muted">{group.owner ? 'Nothing yet. Drop files above to share them.' : 'Nothing shared yet.'}</p>
      ) : (
        <ul className="list" aria-label="Shared in this group">
          {collection.map((t) => (
            <li key={t.infoHash} className="row item">
              <span className="grow">{t.name}</span>
              <span className="muted small">{bytes(t.length)}</span>
              <span className={`state state-${t.state}`}>
                {stateLabel(t, seedingPaused)}
                {t.state === 'downloading' ? ` ${percent(t.progress)}` : ''}
              </span>
              {group.owner && (
                <ConfirmButton
                  label="Remove from group"
                  question={`Remove “${t.name}” from “${group.name}”? Members’ Coterie stops listing and sharing it; what they already downloaded stays theirs, and your file stays where it is.`}
                  confirm="Remove from group"
                  onConfirm={() => unshare(t.infoHash, t.name)}
                />
              )}
            </li>
          ))}
          {group.available.map((a) => (
            <li key={a.infoHash} className="row item" data-testid="available">
              <span className="grow">{a.name}</span>
              <span className="muted small">{bytes(a.length)}</span>
              <span className="state">Not downloaded</span>
              <button
                type="button"
                className="secondary"
                aria-label={`Download ${a.name}`}
                disabled={fetching.has(a.infoHash)}
                onClick={() => void download(a.infoHash, a.name)}
              >
                Download
              </button>
            </li>
          ))}
          {pendingMeta > 0 && <li className="muted small">{pendingMeta} more loading…</li>}
        </ul>
      )}
      <h3>Members</h3>
      {!group.owner && group.members.length === 0 && (
        <p className="muted small">The member list arrives from the owner once your node meets another member.</p>
      )}
      {group.owner && group.members.every((m) => m.self) && (
        <p className="banner info" data-testid="only-you">
          Only you are in this group so far: what you share here reaches nobody until you add a friend
          {candidates.length > 0 ? ' (below)' : ''} and send them an invite.
          {friends.length === 0 && (
            <>
              {' '}
              First add one in{' '}
              <button type="button" className="link" onClick={() => go('friends')}>
                Friends
              </button>
              .
            </>
          )}
        </p>
      )}
      <ul className="list" aria-label="Members">
        {group.members.map((m) => (
          <li key={m.key} className="row item" data-testid="member">
            <span className="grow">
              {memberName(m)} <code className="muted small">{m.fingerprint}</code>
            </span>
            {presenceText(m) !== undefined && (
              <span
                className={`presence${m.connected ? ' presence-on' : ''}`}
                data-testid="presence"
                title={
                  m.self
                    ? 'What this computer holds of the group’s items.'
                    : m.connected
                      ? 'Their Coterie is connected to yours now; the figures are what it announces holding.'
                      : m.lastSeen
                        ? 'What their Coterie last announced holding, when it was last connected to yours.'
                        : 'Not seen by your Coterie yet.'
                }
              >
                {presenceText(m)}
              </span>
            )}
            {group.owner && !m.self && (
              <button type="button" className="secondary" onClick={() => void invite(m)}>
                Invite…
              </button>
            )}
            {group.owner && !m.self && (
              <button
                type="button"
                className="secondary"
                onClick={() => void copyInvite(m)}
                title="Copy a coterie:// link to paste into a chat: sealed like the file, only they can open it"
              >
                Copy invite
              </button>
            )}
            {group.owner && !m.self && (
              <ConfirmButton
                label="Remove"
                question={`Remove ${memberName(m)}? They get nothing new; what they already have stays theirs.`}
                confirm="Remove"
                onConfirm={() => void remove(m)}
              />
            )}
          </li>
        ))}
      </ul>
      {group.owner &&
        (candidates.length > 0 ? (
          <div className="row">
            <label htmlFor={`${id}-add`} className="inline">
              Add a friend
            </label>
            <select id={`${id}-add`} value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Choose…</option>
              {candidates.map((f) => (
                <option key={f.key} value={f.key}>
                  {f.name}
                </option>
              ))}
            </select>
            <button type="button" className="secondary" disabled={!adding} onClick={() => void addMember()}>
              Add member
            </button>
          </div>
        ) : (
          <p className="muted small">
            {friends.length === 0
              ? 'Add friends in Friends, then add them here.'
              : 'All your friends are in this group. Add more friends in Friends to invite them.'}
          </p>
        ))}
      {group.certificateExpires && (
        <p className="muted small">
          Your membership is valid until {date(group.certificateExpires)} and renews by itself while you are in the
          group.
        </p>
      )}
      <GroupLimits group={group} />
      <RemoveGroup group={group} />
    </div>
  )
}
