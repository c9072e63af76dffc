/** Add a friend by pasting their key: checked as you type, fingerprint shown to compare. */
import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { ResponseOf } from '../../shared/ipc/contract.js'
import type { FriendView } from '../../shared/ipc/views.js'
import { ConfirmButton, CopyButton, Empty, FieldError, Screen, useFieldId } from '../components/common.js'
import { date } from '../lib/format.js'
import { call } from '../store/api.js'
import { useDrafts } from '../store/drafts.js'
import { useProfile } from '../store/profile.js'
import { toast } from '../store/toasts.js'

type Check = ResponseOf<'keys.check'>
/** Checking waits for a pause in typing; a paste is checked at once. */
const TYPING_PAUSE_MS = 150

export function Friends() {
  const friends = useProfile((s) => s.friends)
  const loaded = useProfile((s) => s.loaded)
  return (
    <Screen
      title="Friends"
      intro="People you can put in groups. Add them by their key: ask them to copy it from their “You” screen and send it to you."
    >
      <AddFriend />
      {loaded && friends.length === 0 ? (
        <Empty title="No friends yet">
          Ask a friend for their key and paste it above. Then send them yours (it is on the “You” screen).
        </Empty>
      ) : (
        <ul className="list" aria-label="Your friends">
          {friends.map((f) => (
            <li key={f.key} className="card friend" data-testid="friend">
              <div className="grow">
                <p className="title">{f.name}</p>
                <p className="muted small">
                  Fingerprint <code>{f.fingerprint}</code> · added {date(f.addedAt)}
                </p>
                <FriendAddresses friend={f} />
              </div>
              <CopyButton text={f.key} label="Copy key" />
              <ConfirmButton
                label="Remove"
                question={`Remove ${f.name} from your friends? Groups they are in keep them as members.`}
                confirm="Remove"
                onConfirm={async () => {
                  const r = await call('friends.remove', { key: f.key })
                  if (r.ok) toast('info', `${f.name} removed`)
                  else toast('error', `Could not remove ${f.name}`, r.error.message)
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </Screen>
  )
}

/**
 * A friend's static addresses (issue 14): where their Coterie can be reached (a forwarded port, a
 * seedbox), tried for every group they are in. Space-separated host:port; empty clears them.
 */
function FriendAddresses({ friend }: { friend: FriendView }) {
  const [editing, setEditing] = useState(false)
  const [text, setText] = useState(friend.addresses.join(' '))
  const [error, setError] = useState<string | null>(null)
  const id = useFieldId()
  if (!editing)
    return (
      <p className="muted small">
        {friend.addresses.length === 0 ? 'No fixed address' : <>Tried at {friend.addresses.join(', ')}</>} ·{' '}
        <button type="button" className="link" onClick={() => setEditing(true)}>
          {friend.addresses.length === 0 ? 'Add an address' : 'Change'}
        </button>
      </p>
    )
  const save = async (e: FormEvent) => {
    e.preventDefault()
    const addresses = text.split(/[\s,]+/).filter((a) => a !== '')
    const r = await call('friends.setAddresses', { key: friend.key, addresses })
    if (!r.ok) return setError(r.error.message)
    setError(null)
    setEditing(false)
  }
  return (
    <form className="row" onSubmit={(e) => void save(e)}>
      <label htmlFor={id} className="small">
        Where {friend.name}’s Coterie can be reached (host:port)
      </label>
      <input
        id={id}
        aria-describedby={`${id}-err`}
        value={text}
        placeholder="alice.example.org:51413"
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="secondary">
        Save
      </button>
      <button type="button" className="secondary" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <FieldError id={`${id}-err`} message={error} />
    </form>
  )
}

function AddFriend() {
  // Kept in the drafts store: a key pasted here survives a trip to another screen.
  const key = useDrafts((s) => s.friendKey)
  const name = useDrafts((s) => s.friendName)
  const setDraft = useDrafts((s) => s.set)
  const setKey = (friendKey: string) => setDraft({ friendKey })
  const setName = (friendName: string) => setDraft({ friendName })
  const [check, setCheck] = useState<Check | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const seq = useRef(0)
  const id = useFieldId()

  // Only the answer to the latest text counts: answers to older keystrokes may arrive later.
  const runCheck = async (text: string) => {
    const mine = ++seq.current
    if (text.trim() === '') return setCheck(null)
    const r = await call('keys.check', { text })
    if (mine !== seq.current) return
    setCheck(r.ok ? r.value : { valid: false, code: r.error.code, message: r.error.message })
  }
  useEffect(() => {
    const t = setTimeout(() => void runCheck(key), TYPING_PAUSE_MS)
    return () => clearTimeout(t)
  }, [key])

  const blocked = check?.valid === true && (check.self || check.friend !== undefined)
  const canAdd = check?.valid === true && !blocked && name.trim() !== '' && !busy
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!canAdd) return
    setBusy(true)
    const r = await call('friends.add', { key: key.trim(), name: name.trim() })
    setBusy(false)
    if (!r.ok) return setError(r.error.message)
    setError(null)
    setKey('')
    setName('')
    setCheck(null)
    toast('success', `${r.value.name} added`, 'You can now put them in a group.')
  }

  let keyStatus: React.ReactNode = null
  if (check?.valid === false) keyStatus = <FieldError id={`${id}-kerr`} message={check.message} />
  else if (check?.valid === true && check.self)
    keyStatus = <FieldError id={`${id}-kerr`} message="This is your own key. Paste your friend’s key instead." />
  else if (check?.valid === true && check.friend !== undefined)
    keyStatus = <FieldError id={`${id}-kerr`} message={`You already have this friend, as “${check.friend}”.`} />
  else keyStatus = <FieldError id={`${id}-kerr`} message={null} />

  return (
    <form className="card add-friend" onSubmit={(e) => void submit(e)} aria-label="Add a friend">
      <h2>Add a friend</h2>
      <label htmlFor={`${id}-key`}>Their key</label>
      <textarea
        id={`${id}-key`}
        className="key-input"
        rows={2}
        spellCheck={false}
        autoComplete="off"
        placeholder="coterie1…"
        value={key}
        maxLength={1000}
        onChange={(e) => setKey(e.target.value)}
        onPaste={(e) => {
          const text = e.clipboardData.getData('text')
          if (text) void runCheck(text)
        }}
        aria-invalid={check !== null && (check.valid === false || blocked)}
        aria-describedby={`${id}-kerr ${id}-fp`}
      />
      {keyStatus}
      <p id={`${id}-fp`} className="fingerprint" aria-live="polite">
        {check?.valid === true && !blocked && (
          <>
            Fingerprint <code data-testid="checked-fingerprint">{check.fingerprint}</code>: ask your friend whether it
            matches the one on their “You” screen.
          </>
        )}
      </p>
      <label htmlFor={`${id}-name`}>Name</label>
      <div className="row">
        <input
          id={`${id}-name`}
          value={name}
          maxLength={200}
          placeholder="What you call them"
          onChange={(e) => setName(e.target.value)}
          aria-describedby={`${id}-err`}
        />
        <button type="submit" disabled={!canAdd}>
          {busy ? 'Adding…' : 'Add friend'}
        </button>
      </div>
      <FieldError id={`${id}-err`} message={error} />
    </form>
  )
}
