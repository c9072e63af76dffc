/**
 * Passing messages (notices from the engine, results of actions), announced by an aria-live region.
 * Messages of one kind about one thing coalesce into one ("4 items finished in “Film club”")
 * instead of piling up; success and info dismiss themselves, errors stay longer.
 */
import { create } from 'zustand'

export type ToastKind = 'info' | 'success' | 'error'
export interface Toast {
  id: number
  kind: ToastKind
  title: string
  body?: string
  /** Toasts with the same key merge; `count` says how many things (finished files, shared items) it stands for. */
  key?: string
  count: number
}

/** How a coalescing toast reads for `count` messages. */
export type Wording = (count: number) => { title: string; body?: string }

interface Toasts {
  toasts: Toast[]
  push(kind: ToastKind, title: string, body?: string): void
  /** Adds `amount` things (default 1) to the toast with this key (resetting its time), or starts one. */
  coalesce(key: string, kind: ToastKind, wording: Wording, amount?: number): void
  dismiss(id: number): void
}

const MAX = 3
/** Long enough to read; errors stay until read a second time (or dismissed). */
export const LIFETIME_MS = { info: 5_000, success: 4_000, error: 12_000 } as const
let nextId = 1
/** When each toast is due to go: a merged toast gets a new deadline, and older timers find it not due. */
const due = new Map<number, number>()

export const useToasts = create<Toasts>((set, get) => {
  const schedule = (id: number, kind: ToastKind) => {
    due.set(id, Date.now() + LIFETIME_MS[kind])
    setTimeout(() => {
      if ((due.get(id) ?? 0) <= Date.now()) get().dismiss(id)
    }, LIFETIME_MS[kind])
  }
  const add = (t: Toast) => {
    set({ toasts: [...get().toasts, t].slice(-MAX) })
    schedule(t.id, t.kind)
  }
  return {
    toasts: [],
    push(kind, title, body) {
      add({ id: nextId++, kind, title, count: 1, ...(body !== undefined && { body }) })
    },
    coalesce(key, kind, wording, amount = 1) {
      const old = get().toasts.find((t) => t.key === key)
      const count = (old?.count ?? 0) + amount
      const { title, body } = wording(count)
      const next: Toast = { id: old?.id ?? nextId++, kind, key, count, title, ...(body !== undefined && { body }) }
      if (!old) return add(next)
      set({ toasts: get().toasts.map((t) => (t.id === old.id ? next : t)) })
      schedule(old.id, kind)
    },
    dismiss(id) {
      due.delete(id)
      set({ toasts: get().toasts.filter((t) => t.id !== id) })
    },
  }
})

export const toast = (kind: ToastKind, title: string, body?: string): void =>
  useToasts.getState().push(kind, title, body)
