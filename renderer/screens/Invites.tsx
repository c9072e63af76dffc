/**
 * Open an invite (picker, drop a .coterie file anywhere, or paste a `coterie://invite/` link a friend
 * sent in a chat), see what it grants, then accept or decline.
 */
import { useRef, useState, type FormEvent } from 'react'
import { Empty, Screen } from '../components/common.js'
import { MAX_INVITE_TEXT_CHARS } from '../../shared/invite-link.js'
import { date } from '../lib/format.js'
import { useInvite } from '../store/invite.js'
import { useProfile } from '../store/profile.js'

export function Invites() {
  const openFile = useInvite((s) => s.openFile)
  const openText = useInvite((s) => s.openText)
  const [pasted, setPasted] = useState('')
  const open = (e: FormEvent) => {
    e.preventDefault()
    if (pasted.trim() === '') return
    void openText(pasted)
    setPasted('')
  }
  // Select the stable array, filter here: a selector returning a new array each time re-renders forever.
  const joined = useProfile((s) => s.groups).filter((g) => !g.owner)
  const input = useRef<HTMLInputElement>(null)
  return (
    <Screen
      title="Invites"
      intro="A friend who owns a group sends you an invite: a small .coterie file made for you alone. Open it to see what it grants before you join."
      actions={
        <button type="button" onClick={() => input.current?.click()}>
          Open invite…
        </button>
      }
    >
      <input
        ref={input}
        type="file"
        accept=".coterie"
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Invite file"
        data-testid="invite-file"
        onChange={(e) => {
          const f = e.target.files?.[0]
          e.target.value = ''
          if (f) void openFile(f)
        }}
      />
      <p className="hint">You can also drop a .coterie file anywhere on this window.</p>
      <form className="paste-invite" onSubmit={open} aria-label="Paste an invite">
        <label htmlFor="invite-text">
          Or paste an invite link a friend sent you (it starts with coterie://invite/)
        </label>
        <div className="row">
          <textarea
            id="invite-text"
            className="grow"
            rows={2}
            spellCheck={false}
            autoComplete="off"
            placeholder="coterie://invite/…"
            value={pasted}
            maxLength={MAX_INVITE_TEXT_CHARS}
            onChange={(e) => setPasted(e.target.value)}
          />
          <button type="submit" disabled={pasted.trim() === ''}>
            Open pasted invite
          </button>
        </div>
      </form>
      <h2>Groups you joined</h2>
      {joined.length === 0 ? (
        <Empty title="You have not joined any group yet">
          Give a friend your key (on the “You” screen); when they send you an invite, open it here.
        </Empty>
      ) : (
        <ul className="list" aria-label="Groups you joined">
          {joined.map((g) => (
            <li key={g.id} className="row item">
              <span className="grow">{g.name}</span>
              <span className="muted small">
                {g.torrents.length} shared{g.certificateExpires && ` · valid until ${date(g.certificateExpires)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Screen>
  )
}
