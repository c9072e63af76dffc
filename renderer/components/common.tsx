/** Small building blocks shared by the screens. */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { toast } from '../store/toasts.js'

/** A screen: its heading takes focus when it opens, so keyboard and screen-reader users land on it. */
export function Screen({
  title,
  intro,
  actions,
  children,
}: {
  title: string
  intro?: ReactNode
  actions?: ReactNode
  children: ReactNode
}) {
  const h = useRef<HTMLHeadingElement>(null)
  useEffect(() => h.current?.focus(), [])
  return (
    <section className="screen" aria-labelledby="screen-title">
      <header className="screen-head">
        <div>
          <h1 id="screen-title" ref={h} tabIndex={-1}>
            {title}
          </h1>
          {intro && <p className="intro">{intro}</p>}
        </div>
        {actions && <div className="screen-actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  )
}

/** Copies text; where the clipboard is refused (an insecure page, a denied permission) it selects it instead. */
export function CopyButton({
  text,
  label = 'Copy',
  target,
}: {
  text: string
  label?: string
  target?: React.RefObject<HTMLElement | null>
}) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied(true)
      setTimeout(() => setCopied(false), 2000)
    } catch {
      const el = target?.current
      if (el) {
        const range = document.createRange()
        range.selectNodeContents(el)
        const sel = getSelection()
        sel?.removeAllRanges()
        sel?.addRange(range)
      }
      toast('info', 'Copying is blocked here', 'The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.')
    }
  }
  return (
    <button type="button" className="secondary" onClick={() => void copy()}>
      <span aria-live="polite">{copied ? 'Copied ✓' : label}</span>
    </button>
  )
}

/** A destructive action asks once more, in place (no modal to hunt for). */
export function ConfirmButton({
  label,
  question,
  confirm,
  onConfirm,
  disabled,
}: {
  label: string
  question: string
  confirm: string
  onConfirm: () => void | Promise<void>
  disabled?: boolean
}) {
  const [asking, setAsking] = useState(false)
  const yes = useRef<HTMLButtonElement>(null)
  const first = useRef<HTMLButtonElement>(null)
  const asked = useRef(false)
  // Focus follows the question: to "yes" when it appears, back to the button when it is cancelled.
  useEffect(() => {
    if (asking) yes.current?.focus()
    else if (asked.current) first.current?.focus()
    asked.current = asking
  }, [asking])
  if (!asking) {
    return (
      <button type="button" ref={first} className="secondary" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    )
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setAsking(false)
      }}
    >
      <span className="confirm-q">{question}</span>
      <button
        type="button"
        ref={yes}
        className="danger"
        onClick={() => {
          setAsking(false)
          void onConfirm()
        }}
      >
        {confirm}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  )
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 1000) / 10
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  )
}

/** An error next to the control it concerns, announced when it appears. */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  return (
    <p id={id} className="field-error" role="alert">
      {message ?? ''}
    </p>
  )
}

export const useFieldId = (): string => useId().replace(/:/g, '')
