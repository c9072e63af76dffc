/**
 * "Subscribe to a provider…": the provider's address, the account's name and password, in a modal
 * <dialog>. It calls providers.subscribe (the same operation as `coterie subscribe`); the password
 * lives in this dialog's state only while it is open, and is cleared after every attempt that
 * reached the provider, so nothing keeps it. On success the provider's group opens.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { FieldError, useFieldId } from './common.js'
import { call } from '../store/api.js'
import { toast } from '../store/toasts.js'

export function SubscribeDialog({ open, onDone }: { open: boolean; onDone: (groupId?: string) => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useFieldId()
  const [url, setUrl] = useState('')
  const [user, setUser] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) d.showModal()
    if (!open && d.open) d.close()
    if (!open) {
      setPassword('')
      setError(null)
    }
  }, [open])
  const ready = url.trim() !== '' && user.trim() !== '' && password !== '' && !busy
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!ready) return
    setBusy(true)
    setError(null)
    const r = await call('providers.subscribe', { url: url.trim(), user: user.trim(), password })
    setBusy(false)
    setPassword('')
    if (!r.ok) return setError(r.error.message)
    toast('success', `Subscribed to “${r.value.provider}”`, 'What it publishes downloads by itself.')
    setUrl('')
    setUser('')
    onDone(r.value.group)
  }
  const cancel = () => {
    if (!busy) onDone()
  }
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault()
        cancel()
      }}
    >
      {open && (
        <form className="dialog-body" data-testid="subscribe-dialog" onSubmit={(e) => void submit(e)}>
          <h2 id={`${id}-title`}>Subscribe to a provider</h2>
          <p className="muted small">
            A content provider gives its subscribers what it publishes: log in once with the account it gave you, and
            new items download by themselves. Your password goes to the provider only; Coterie does not keep it.
          </p>
          <label htmlFor={`${id}-url`}>Provider address</label>
          <input
            id={`${id}-url`}
            type="url"
            value={url}
            maxLength={2048}
            placeholder="https://provider.example.org/"
            autoComplete="url"
            spellCheck={false}
            disabled={busy}
            onChange={(e) => setUrl(e.target.value)}
            autoFocus
          />
          <label htmlFor={`${id}-user`}>Account name</label>
          <input
            id={`${id}-user`}
            value={user}
            maxLength={256}
            autoComplete="username"
            spellCheck={false}
            disabled={busy}
            onChange={(e) => setUser(e.target.value)}
          />
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            value={password}
            maxLength={1024}
            autoComplete="current-password"
            disabled={busy}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={`${id}-err`}
          />
          <FieldError id={`${id}-err`} message={error} />
          <div className="row end">
            <button type="button" className="secondary" onClick={cancel} disabled={busy}>
              Cancel
            </button>
            <button type="submit" disabled={!ready} aria-busy={busy}>
              {busy ? (
                <>
                  <span className="spinner" aria-hidden="true" /> Subscribing…
                </>
              ) : (
                'Subscribe'
              )}
            </button>
          </div>
        </form>
      )}
    </dialog>
  )
}
