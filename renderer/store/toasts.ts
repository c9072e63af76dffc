/** Passing messages (notices from the engine, results of actions), announced by an aria-live region. */
import { create } from 'zustand'

export type ToastKind = 'info' | 'success' | 'error'
export interface Toast { id: number; kind: ToastKind; title: string; body?: string }

interface Toasts {
  toasts: Toast[]
  push(kind: ToastKind, title: string, body?: string): void
  dismiss(id: number): void
}

const MAX = 3
/** Long enough to read; errors stay until read a second time (or dismissed). */
const LIFETIME_MS = { info: 5_000, success: 4_000, error: 12_000 } as const
let nextId = 1

export const useToasts = create<Toasts>((set, get) => ({
  toasts: [],
  push(kind, title, body) {
    const id = nextId++
    set({ toasts: [...get().toasts, { id, kind, title, ...(body !== undefined && { body }) }].slice(-MAX) })
    setTimeout(() => get().dismiss(id), LIFETIME_MS[kind])
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) })
  },
}))

export const toast = (kind: ToastKind, title: string, body?: string): void => useToasts.getState().push(kind, title, body)
