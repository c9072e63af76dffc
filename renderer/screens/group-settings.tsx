/**
 * What a group's view offers about the group itself, beside its files and members: this machine's
 * speed limits for it, a member's auto-join choice, and leaving or deleting it.
 */
import { useEffect, useState, type FormEvent } from 'react'
import type { GroupView } from '../../shared/ipc/views.js'
import { ConfirmButton, FieldError, useFieldId } from '../components/common.js'
import { speed } from '../lib/format.js'
import { fromKiB, toKiB } from '../lib/limits.js'
import { call } from '../store/api.js'
import { useNav } from '../store/nav.js'
import { toast } from '../store/toasts.js'

/**
 * Leaving (a member) or deleting (the owner) the group. The downloaded and shared files stay; the
 * owner's deletion destroys the group's key, so it asks in words that it cannot be undone.
 */
export function RemoveGroup({ group }: { group: GroupView }) {
  const go = useNav((s) => s.go)
  const remove = async () => {
    const r = await call('groups.remove', { group: group.id })
    if (!r.ok) return toast('error', `Could not ${group.owner ? 'delete' : 'leave'} “${group.name}”`, r.error.message)
    go('groups', null) // the list shows the next group, or the empty state
    toast(
      'success',
      group.owner ? `“${group.name}” deleted` : `You left “${group.name}”`,
      'Its files stay on this computer, where they were.',
    )
  }
  return (
    <div className="remove-group">
      <h3>{group.owner ? 'Delete this group' : 'Leave this group'}</h3>
      <p className="hint">
        {group.owner
          ? 'Its files stay on this computer and members keep what they have, but no one can renew their membership or get anything new in it: its key is destroyed. This cannot be undone.'
          : group.provider
            ? 'Its files stay on this computer; you stop sharing and receiving them. To come back, subscribe again (“Subscribe to a provider…”).'
            : 'Its files stay on this computer; you stop sharing and receiving them. To come back you need a new invite from the owner.'}
      </p>
      {group.owner ? (
        <ConfirmButton
          label="Delete group"
          question={`Delete “${group.name}” for good? Members keep what they have but can no longer renew or get anything new; this cannot be undone. Your files stay.`}
          confirm="Delete group"
          onConfirm={remove}
        />
      ) : (
        <ConfirmButton
          label="Leave group"
          question={`Leave “${group.name}”? You stop sharing and receiving its files; what you downloaded stays on this computer.`}
          confirm="Leave group"
          onConfirm={remove}
        />
      )}
    </div>
  )
}

/** A member's choice: what the owner shares later downloads by itself, or waits for a Download. */
export function AutoJoin({ group }: { group: GroupView }) {
  const [busy, setBusy] = useState(false)
  const id = useFieldId()
  const toggle = async (on: boolean) => {
    setBusy(true)
    const r = await call('groups.setAutoJoin', { group: group.id, on })
    setBusy(false)
    if (!r.ok) return toast('error', 'Could not change the setting', r.error.message)
    if (on && group.available.length > 0)
      toast(
        'success',
        `Downloading ${group.available.length} item${group.available.length === 1 ? '' : 's'}`,
        'What was waiting in the group is in Transfers now.',
      )
  }
  return (
    <div className="auto-join">
      <label className="check">
        <input
          type="checkbox"
          checked={group.autoJoin}
          disabled={busy}
          aria-describedby={`${id}-hint`}
          onChange={(e) => void toggle(e.target.checked)}
        />
        Download new shares automatically
      </label>
      <p id={`${id}-hint`} className="hint">
        When this is off, what the owner shares later is listed below as “Not downloaded” and nothing of it is fetched
        until you press its Download button. Turning it back on downloads everything listed.
      </p>
    </div>
  )
}

const limitText = (n: number | null): string => (n === null ? 'no limit' : speed(n))

/** This machine's limits for the group's torrents, on top of the ones in Settings. */
export function GroupLimits({ group }: { group: GroupView }) {
  const [form, setForm] = useState({ up: toKiB(group.uploadLimit), down: toKiB(group.downloadLimit) })
  const [error, setError] = useState<string | null>(null)
  const id = useFieldId()
  useEffect(
    () => setForm({ up: toKiB(group.uploadLimit), down: toKiB(group.downloadLimit) }),
    [group.uploadLimit, group.downloadLimit],
  )
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const up = fromKiB(form.up)
    const down = fromKiB(form.down)
    if (up === 'bad' || down === 'bad') return setError('Limits are whole numbers of KiB/s, or empty for no limit.')
    const r = await call('groups.setLimits', { group: group.id, uploadLimit: up, downloadLimit: down })
    if (!r.ok) return setError(r.error.message)
    setError(null)
    toast(
      'success',
      `Speed limits for “${group.name}” saved`,
      `Upload ${limitText(r.value.uploadLimit)}, download ${limitText(r.value.downloadLimit)}.`,
    )
  }
  return (
    <form className="group-limits" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Speed limits for this group</h3>
      <div className="grid2">
        <div>
          <label htmlFor={`${id}-up`}>Upload limit (KiB/s)</label>
          <input
            id={`${id}-up`}
            inputMode="numeric"
            placeholder="No limit"
            value={form.up}
            aria-describedby={`${id}-hint ${id}-err`}
            onChange={(e) => setForm({ ...form, up: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor={`${id}-down`}>Download limit (KiB/s)</label>
          <input
            id={`${id}-down`}
            inputMode="numeric"
            placeholder="No limit"
            value={form.down}
            aria-describedby={`${id}-hint ${id}-err`}
            onChange={(e) => setForm({ ...form, down: e.target.value })}
          />
        </div>
      </div>
      <p id={`${id}-hint`} className="hint">
        Empty means no limit. These apply to this group’s files on this computer only, on top of the limits in Settings.
        Now: upload {limitText(group.uploadLimit)}, download {limitText(group.downloadLimit)}.
      </p>
      <FieldError id={`${id}-err`} message={error} />
      <button type="submit" className="secondary">
        Save limits
      </button>
    </form>
  )
}
