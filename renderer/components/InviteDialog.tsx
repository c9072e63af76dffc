/**
 * The invite preview: who sent it (with fingerprint), what it grants (each item with its size, and the
 * total), until when, and the folder it goes to (changeable before accepting). Modal <dialog>.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { FieldError, useFieldId } from './common.js'
import { bytes, date, itemsTotal } from '../lib/format.js'
import { useInvite } from '../store/invite.js'
import { useSettings } from '../store/settings.js'

export function InviteDialog() {
  const invite = useInvite((s) => s.invite)
  const accept = useInvite((s) => s.accept)
  const close = useInvite((s) => s.close)
  const ref = useRef<HTMLDialogElement>(null)
  const settings = useSettings((s) => s.settings)
  const mode = useSettings((s) => s.app?.mode)
  const id = useFieldId()
  // The folder starts as the group's own folder (in the download folder) each time an invite
  // opens; null until settings load.
  const [folder, setFolder] = useState<string | null>(null)
  const opened = invite?.phase === 'preview' ? invite.preview : null
  const proposed = opened?.folder ?? settings?.downloadDir ?? null
  // Keyed on the proposal itself, not on the preview object: adding the sender as a friend from
  // the dialog refreshes the preview, and that must not throw away a folder the person typed.
  useEffect(() => setFolder(proposed), [proposed])
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (invite && !d.open) d.showModal()
    if (!invite && d.open) d.close()
  }, [invite])
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="invite-title"
      onCancel={(e) => {
        e.preventDefault()
        close()
      }}
    >
      {invite && (
        <div className="dialog-body" data-testid="invite-dialog">
          {invite.phase === 'reading' && <p aria-live="polite">Opening {invite.fileName}…</p>}
          {invite.phase === 'error' && (
            <>
              <h2 id="invite-title">This invite cannot be opened</h2>
              <p className="field-error" role="alert" data-testid="invite-error">
                {invite.error}
              </p>
              <p className="muted small">{invite.fileName}</p>
              <div className="row end">
                <button type="button" onClick={close} autoFocus>
                  Close
                </button>
              </div>
            </>
          )}
          {(invite.phase === 'preview' || invite.phase === 'accepting') &&
            (() => {
              const p = invite.preview
              const busy = invite.phase === 'accepting'
              // The engine resolves a relative path against its own working directory: refuse it here.
              const badFolder =
                folder !== null && folder.trim() !== '' && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder.trim())
              return (
                <>
                  <h2 id="invite-title">Join “{p.group}”?</h2>
                  <dl className="facts">
                    <dt>From</dt>
                    <dd>
                      {p.fromFriend ?? 'Someone who is not in your friends'}
                      {/* Signed by their key, but anyone can claim any name: the fingerprint below is what counts. */}
                      {p.fromName !== undefined && p.fromName !== p.fromFriend && (
                        <span className="muted small" data-testid="invite-claimed-name">
                          {' '}
                          · calls themself “{p.fromName}” (their claim: check the fingerprint)
                        </span>
                      )}
                    </dd>
                    <dt>Their fingerprint</dt>
                    <dd>
                      <code data-testid="invite-fingerprint">{p.fromFingerprint}</code>
                      {!p.fromFriend && (
                        <p className="muted small">
                          Ask the sender (in person or on a call) whether this is the fingerprint on their “You” screen
                          before you accept.
                        </p>
                      )}
                      {!p.fromFriend && !busy && <AddSender />}
                    </dd>
                    <dt>It grants</dt>
                    <dd>
                      Membership of “{p.group}”: you can download{' '}
                      {p.torrents.length > 0
                        ? `the ${p.torrents.length} item${p.torrents.length === 1 ? '' : 's'} below`
                        : 'what is shared in it'}{' '}
                      and pass it on to other members. Items shared later arrive by themselves.
                    </dd>
                    <dt>Membership</dt>
                    <dd>Valid until {date(p.expires)}; it renews by itself while you are in the group.</dd>
                    <dt>
                      <label htmlFor={`${id}-dir`} className="inline">
                        Saved to
                      </label>
                    </dt>
                    <dd>
                      <input
                        id={`${id}-dir`}
                        className="folder"
                        value={folder ?? ''}
                        placeholder="Your download folder"
                        disabled={busy}
                        onChange={(e) => setFolder(e.target.value)}
                        aria-invalid={badFolder}
                        aria-describedby={`${id}-dir-err ${id}-dir-hint`}
                      />
                      <FieldError
                        id={`${id}-dir-err`}
                        message={badFolder ? 'The folder must be a full path (e.g. /home/you/Holiday).' : null}
                      />
                      <p id={`${id}-dir-hint`} className="muted small">
                        {mode === 'browser' ? 'A folder on the computer running Coterie. ' : ''}Each group has a folder
                        of its own; change it before accepting to put the files elsewhere.
                      </p>
                    </dd>
                  </dl>
                  {p.torrents.length > 0 && (
                    <>
                      <ul className="list compact" aria-label="Shared in the group">
                        {p.torrents.map((t) => (
                          <li key={t.infoHash} className="row" data-testid="invite-item">
                            <span className="grow">{t.name}</span>
                            <span className="muted small">{bytes(t.length)}</span>
                            {t.refused !== undefined && (
                              <span className="muted small"> — will not be downloaded: {t.refused}</span>
                            )}
                          </li>
                        ))}
                      </ul>
                      <p className="small" data-testid="invite-total">
                        {itemsTotal(p.torrents)}
                      </p>
                    </>
                  )}
                  {p.alreadyMember && (
                    <p className="banner info">You are already a member: accepting renews your membership.</p>
                  )}
                  {invite.phase === 'preview' && invite.error && (
                    <p className="field-error" role="alert">
                      {invite.error}
                    </p>
                  )}
                  <p className="muted small">Declining changes nothing: you can open the file again later.</p>
                  <div className="row end">
                    {/* Focus starts on the safe choice: Enter never joins a group by reflex. */}
                    <button type="button" className="secondary" onClick={close} disabled={busy} autoFocus>
                      Decline
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void accept(
                          folder !== null && folder.trim() !== '' && folder.trim() !== proposed
                            ? folder.trim()
                            : undefined,
                        )
                      }
                      disabled={busy || badFolder}
                    >
                      {busy ? 'Joining…' : 'Accept and join'}
                    </button>
                  </div>
                </>
              )
            })()}
        </div>
      )}
    </dialog>
  )
}

/** Once the fingerprint checks out, the sender can become a friend right here (next time, a name). */
function AddSender() {
  const addSender = useInvite((s) => s.addSender)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const id = useFieldId()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(await addSender(name.trim()))
  }
  return (
    <form className="row add-sender" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-name`} className="inline small">
        Add them to your friends as
      </label>
      <input
        id={`${id}-name`}
        value={name}
        maxLength={200}
        placeholder="Name"
        onChange={(e) => setName(e.target.value)}
        aria-describedby={`${id}-err`}
      />
      <button type="submit" className="secondary" disabled={name.trim() === ''}>
        Add friend
      </button>
      <FieldError id={`${id}-err`} message={error} />
    </form>
  )
}
