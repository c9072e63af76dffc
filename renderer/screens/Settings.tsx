/** Download folder, port, limits, "Don't seed on this network", start at login. */
import { useEffect, useState, type FormEvent } from 'react'
import type { AppInfo, SettingsView } from '../../shared/ipc/views.js'
import { FieldError, Screen, useFieldId } from '../components/common.js'
import { useSettings } from '../store/settings.js'
import { toast } from '../store/toasts.js'
import { fromKiB, toKiB } from '../lib/limits.js'

export function Settings() {
  const settings = useSettings((s) => s.settings)
  const app = useSettings((s) => s.app)
  const save = useSettings((s) => s.save)
  const [error, setError] = useState<string | null>(null)
  if (!settings)
    return (
      <Screen title="Settings">
        <p className="muted">Loading…</p>
      </Screen>
    )

  const apply = async (patch: Partial<SettingsView>, what: string) => {
    const r = await save(patch)
    if (r.ok) {
      setError(null)
      toast('success', what)
    } else setError(r.error.message)
  }
  return (
    <Screen title="Settings">
      <div className="card">
        <h2>Sharing on this network</h2>
        <Switch
          className="check big"
          label="Don’t seed on this network"
          value={settings.seedingPaused}
          onChange={(v) => apply({ seedingPaused: v }, v ? 'Not sharing on this network' : 'Sharing again')}
        />
        <p className="hint">
          Stops uploading to anyone (for a metered or public connection). Downloads go on; switch it off to share again.
        </p>
      </div>
      <TransferSettings settings={settings} app={app} error={error} setError={setError} apply={apply} />
      <div className="card">
        <h2>This computer</h2>
        <Switch
          className="check"
          label="Start Coterie when I log in"
          value={settings.startAtLogin}
          disabled={app?.mode === 'browser'}
          onChange={(v) => apply({ startAtLogin: v }, 'Saved')}
        />
        {app?.mode === 'browser' && (
          <p className="hint">
            In browser mode, start <code>coterie run --ui</code> with your system’s service manager instead.
          </p>
        )}
        {app && (
          <dl className="facts small">
            <dt>Version</dt>
            <dd>
              {app.version} ({app.mode === 'browser' ? 'browser mode' : 'desktop app'})
            </dd>
            <dt>Profile</dt>
            <dd>
              <code>{app.profileDir}</code>
            </dd>
            <dt>Secret keys</dt>
            <dd>
              {app.secretStorage === 'os'
                ? 'Protected by the system keyring'
                : app.secretStorage === 'file'
                  ? 'In a file only your account can read'
                  : 'Not protected: no system keyring (see “You”)'}
            </dd>
          </dl>
        )}
      </div>
    </Screen>
  )
}

type FormFields = { downloadDir: string; port: string; up: string; down: string }
const fieldsOf = (s: SettingsView): FormFields => ({
  downloadDir: s.downloadDir,
  port: String(s.port),
  up: toKiB(s.uploadLimit),
  down: toKiB(s.downloadLimit),
})

/**
 * The form starts from the stored values on its first render (a blank field read before an effect filled it was a real
 * flash, and a test once read it), and follows them only when they change, so toggling a switch above keeps edits here.
 */
function TransferSettings({
  settings,
  app,
  error,
  setError,
  apply,
}: {
  settings: SettingsView
  app: AppInfo | null
  error: string | null
  setError: (e: string | null) => void
  apply: (patch: Partial<SettingsView>, what: string) => Promise<void>
}) {
  const id = useFieldId()
  const [form, setForm] = useState(() => fieldsOf(settings))
  const { downloadDir, port, uploadLimit, downloadLimit } = settings
  useEffect(() => setForm(fieldsOf(settings)), [downloadDir, port, uploadLimit, downloadLimit])
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const port = Number(form.port)
    const up = fromKiB(form.up)
    const down = fromKiB(form.down)
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      return setError('The port is a whole number from 0 to 65535 (0 picks a free one).')
    if (up === 'bad' || down === 'bad') return setError('Limits are whole numbers of KiB/s, or empty for no limit.')
    if (form.downloadDir.trim() === '') return setError('Choose a download folder.')
    await apply({ downloadDir: form.downloadDir.trim(), port, uploadLimit: up, downloadLimit: down }, 'Settings saved')
  }
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Transfer settings">
      <h2>Transfers</h2>
      <label htmlFor={`${id}-dir`}>Download folder</label>
      <input
        id={`${id}-dir`}
        value={form.downloadDir}
        onChange={(e) => setForm({ ...form, downloadDir: e.target.value })}
      />
      <p className="hint">
        Where files from groups you join are saved{app?.mode === 'browser' ? ' (on the machine running Coterie)' : ''}.
      </p>
      <div className="grid3">
        <div>
          <label htmlFor={`${id}-port`}>Listening port</label>
          <input
            id={`${id}-port`}
            inputMode="numeric"
            value={form.port}
            onChange={(e) => setForm({ ...form, port: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor={`${id}-up`}>Upload limit (KiB/s)</label>
          <input
            id={`${id}-up`}
            inputMode="numeric"
            placeholder="No limit"
            value={form.up}
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
            onChange={(e) => setForm({ ...form, down: e.target.value })}
          />
        </div>
      </div>
      <p className="hint">Port 0 picks a free port each start{app ? `; now listening on ${app.port}` : ''}.</p>
      <FieldError id={`${id}-err`} message={error} />
      <button type="submit">Save settings</button>
    </form>
  )
}

/** A setting's checkbox: shows the new value at once while it is saved, and the stored one after (so a refusal shows). */
function Switch({
  label,
  value,
  disabled,
  className,
  onChange,
}: {
  label: string
  value: boolean
  disabled?: boolean
  className: string
  onChange: (v: boolean) => Promise<void>
}) {
  const [pending, setPending] = useState<boolean | null>(null)
  return (
    <label className={className}>
      <input
        type="checkbox"
        checked={pending ?? value}
        disabled={disabled === true || pending !== null}
        onChange={(e) => {
          const v = e.target.checked
          setPending(v)
          void onChange(v).finally(() => setPending(null))
        }}
      />
      {label}
    </label>
  )
}
