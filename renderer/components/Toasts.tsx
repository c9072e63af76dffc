/** The toasts: passing messages, coalesced per subject (store/toasts.ts). */
import { useToasts } from '../store/toasts.js'

/** Announced politely; errors assertively (role=alert). */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts)
  const dismiss = useToasts((s) => s.dismiss)
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <div className="grow">
            <p className="title">{t.title}</p>
            {t.body && <p className="small">{t.body}</p>}
          </div>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
