/** Your key (to give to friends), your name, and the backup that keeps your memberships safe. */
import { useRef, useState, type FormEvent } from 'react'
import { CopyButton, FieldError, Screen, useFieldId } from '../components/common.js'
import { QrCode } from '../components/QrCode.js'
import { fileToBase64, safeFileName, saveBytes } from '../lib/bytes.js'
import { call } from '../store/api.js'
import { useNav } from '../store/nav.js'
import { useProfile } from '../store/profile.js'
import { useSettings } from '../store/settings.js'
import { toast } from '../store/toasts.js'

export function You() {
  const identity = useProfile((s) => s.identity)
  const friends = useProfile((s) => s.friends.length)
  const groups = useProfile((s) => s.groups.length)
  const app = useSettings((s) => s.app)
  const go = useNav((s) => s.go)
  const keyRef = useRef<HTMLElement>(null)
  if (!identity)
    return (
      <Screen title="You">
        <p className="muted">Loading your identity…</p>
      </Screen>
    )
  return (
    <Screen
      title="You"
      intro="Give your key to the friends you want to share with. They add it once; from then on they can invite you to their groups."
    >
      {app?.secretStorage === 'basic_text' && <SecretStorageWarning />}
      <div className="card key-card">
        <div className="key-text">
          <h2>Your key</h2>
          <code ref={keyRef} className="key" data-testid="own-key" aria-label="Your key">
            {identity.key}
          </code>
          <div className="row">
            <CopyButton text={identity.key} label="Copy key" target={keyRef} />
          </div>
          <dl className="facts">
            <dt>Fingerprint</dt>
            <dd>
              <code data-testid="own-fingerprint">{identity.fingerprint}</code>
            </dd>
          </dl>
          <p className="hint">
            When a friend adds your key, they see this fingerprint: compare it with them (in person or on a call) to be
            sure the key was not swapped on the way.
          </p>
        </div>
        <QrCode text={identity.key} label="Your key as a QR code" />
      </div>
      {(friends === 0 || groups === 0) && (
        <div className="card next-steps">
          <h2>Getting started</h2>
          <ol>
            <li>Send your key to a friend (copy it above) and ask for theirs.</li>
            <li className={friends > 0 ? 'done' : ''}>
              <button type="button" className="link" onClick={() => go('friends')}>
                Add your friend’s key
              </button>{' '}
              in Friends.
            </li>
            <li className={groups > 0 ? 'done' : ''}>
              <button type="button" className="link" onClick={() => go('groups')}>
                Create a group
              </button>{' '}
              with them and drop files on it.
            </li>
            <li>
              Save their invite and send it to them: once they open it, the files arrive. What you share later reaches
              them by itself.
            </li>
          </ol>
        </div>
      )}
      <NameForm key={identity.key} current={identity.displayName} />
      <Backup name={identity.displayName} />
    </Screen>
  )
}

function SecretStorageWarning() {
  return (
    <div className="banner warn" role="note">
      <strong>Your secret keys are not protected by a system keyring.</strong> This computer has no keyring Coterie can
      use, so your keys are stored with a fixed password anyone with access to your files could use. Make a backup
      below, and install or unlock a keyring (GNOME Keyring, KWallet) to protect them.
    </div>
  )
}

function NameForm({ current }: { current: string }) {
  const [name, setName] = useState(current)
  const [error, setError] = useState<string | null>(null)
  const id = useFieldId()
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const r = await call('identity.setName', { name })
    if (r.ok) {
      setError(null)
      toast('success', 'Name saved')
    } else setError(r.error.message)
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)}>
      <h2>Your name</h2>
      <p className="hint">
        What your friends see in invites you send. It is only a label: your key is what identifies you.
      </p>
      <label htmlFor={`${id}-name`}>Display name</label>
      <div className="row">
        <input
          id={`${id}-name`}
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          aria-describedby={`${id}-err`}
        />
        <button type="submit" disabled={name.trim() === current || name.trim() === ''}>
          Save name
        </button>
      </div>
      <FieldError id={`${id}-err`} message={error} />
    </form>
  )
}

function Backup({ name }: { name: string }) {
  const [pass, setPass] = useState('')
  const [pass2, setPass2] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useFieldId()
  const mismatch = pass2 !== '' && pass !== pass2
  const backup = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    const r = await call('identity.backup', { passphrase: pass })
    setBusy(false)
    if (!r.ok) return setError(r.error.message)
    setError(null)
    setPass('')
    setPass2('')
    saveBytes(r.value.fileName || `${safeFileName(name)}.coterie-identity`, r.value.data)
    toast('success', 'Backup saved', 'Keep the file and its passphrase somewhere safe, apart from this computer.')
  }
  return (
    <div className="card">
      <h2>Back up your identity</h2>
      <p className="banner warn" role="note">
        Your identity key is what makes you a member of your groups.{' '}
        <strong>If this computer is lost and you have no backup, you lose every membership</strong> and every group you
        own: friends would have to invite a new key.
      </p>
      <form onSubmit={(e) => void backup(e)}>
        <div className="grid2">
          <div>
            <label htmlFor={`${id}-p1`}>Passphrase (8 characters or more)</label>
            <input
              id={`${id}-p1`}
              type="password"
              autoComplete="new-password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={`${id}-p2`}>Passphrase again</label>
            <input
              id={`${id}-p2`}
              type="password"
              autoComplete="new-password"
              value={pass2}
              onChange={(e) => setPass2(e.target.value)}
              aria-invalid={mismatch}
              aria-describedby={`${id}-berr`}
            />
          </div>
        </div>
        <FieldError id={`${id}-berr`} message={mismatch ? 'The two passphrases differ.' : error} />
        <button type="submit" disabled={busy || pass.length < 8 || pass !== pass2}>
          {busy ? 'Encrypting…' : 'Save backup file…'}
        </button>
      </form>
      <Restore />
    </div>
  )
}

function Restore() {
  const [file, setFile] = useState<File | null>(null)
  const [pass, setPass] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [sure, setSure] = useState(false)
  const id = useFieldId()
  const restore = async (e: FormEvent) => {
    e.preventDefault()
    if (!file) return
    const r = await call('identity.restore', { data: await fileToBase64(file), passphrase: pass })
    if (!r.ok) return setError(r.error.message)
    setError(null)
    setPass('')
    setSure(false)
    toast('success', 'Identity restored', `You are ${r.value.displayName || r.value.fingerprint} again.`)
  }
  return (
    <details className="restore">
      <summary>Restore from a backup…</summary>
      <form onSubmit={(e) => void restore(e)}>
        <p className="hint">
          Restoring replaces the identity on this computer with the one in the backup. Back up the current one first if
          it is a member of anything.
        </p>
        <label htmlFor={`${id}-file`}>Backup file</label>
        <input id={`${id}-file`} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <label htmlFor={`${id}-pass`}>Its passphrase</label>
        <input
          id={`${id}-pass`}
          type="password"
          autoComplete="current-password"
          value={pass}
          onChange={(e) => setPass(e.target.value)}
          aria-describedby={`${id}-rerr`}
        />
        <label className="check">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} /> Replace my current
          identity
        </label>
        <FieldError id={`${id}-rerr`} message={error} />
        <button type="submit" className="danger" disabled={!file || pass === '' || !sure}>
          Restore identity
        </button>
      </form>
    </details>
  )
}
