/**
 * The invite being looked at: opened with "Open invite…", dropped on the window, or pushed by the
 * main side ('invite.opened': file association, `coterie:` link, second instance), or pasted as
 * text (a `coterie://invite/` link from a chat). Nothing is joined until the user presses Accept.
 */
import { create } from 'zustand'
import type { InvitePreview } from '../../shared/ipc/views.js'
import { fileToBase64, toBase64 } from '../lib/bytes.js'
import { readInviteText } from '../../shared/invite-link.js'
import { INVITE_REASONS } from '../../shared/ui/reason-text.js'
import { call } from './api.js'
import { useNav } from './nav.js'
import { toast } from './toasts.js'

type FileBytes = { fileName: string; data: string }
export type InviteView =
  | { phase: 'reading'; fileName: string }
  | { phase: 'preview'; file: FileBytes; preview: InvitePreview; error?: string }
  | { phase: 'error'; fileName: string; error: string }
  | { phase: 'accepting'; file: FileBytes; preview: InvitePreview }

/** Invites are small (contract: ~1 MiB of bytes at most); anything bigger is not one. */
const MAX_INVITE_BYTES = 1_100_000

interface InviteState {
  invite: InviteView | null
  openFile(file: File): Promise<void>
  /** A pasted text holding a `coterie://invite/` link (shared/invite-link.ts). */
  openText(text: string): Promise<void>
  show(file: FileBytes, preview: InvitePreview): void
  /** Joins; `downloadDir` saves this group's files elsewhere than the download folder. */
  accept(downloadDir?: string): Promise<void>
  /** Adds the sender (not yet a friend) to friends under a name; answers the error, if any. */
  addSender(name: string): Promise<string | null>
  close(): void
}

/** What a pasted invite is called where a file's name would be shown. */
const PASTED = 'Pasted invite'

async function preview(set: (s: Partial<InviteState>) => void, bytes: FileBytes): Promise<void> {
  set({ invite: { phase: 'reading', fileName: bytes.fileName } })
  const r = await call('invites.preview', bytes)
  set({
    invite: r.ok
      ? { phase: 'preview', file: bytes, preview: r.value }
      : { phase: 'error', fileName: bytes.fileName, error: r.error.message },
  })
}

export const useInvite = create<InviteState>((set, get) => ({
  invite: null,
  async openFile(file) {
    if (file.size > MAX_INVITE_BYTES) {
      set({ invite: { phase: 'error', fileName: file.name, error: 'This file is too large to be a Coterie invite.' } })
      return
    }
    set({ invite: { phase: 'reading', fileName: file.name } })
    let data: string
    try {
      data = await fileToBase64(file)
    } catch {
      set({
        invite: {
          phase: 'error',
          fileName: file.name,
          error: 'This file could not be read (was it moved or deleted?).',
        },
      })
      return
    }
    await preview(set, { fileName: file.name.slice(0, 255), data })
  },
  async openText(text) {
    const read = readInviteText(text)
    if (!read.ok) {
      set({ invite: { phase: 'error', fileName: PASTED, error: INVITE_REASONS[read.error.code] } })
      return
    }
    await preview(set, { fileName: PASTED, data: toBase64(read.value) })
  },
  show(file, preview) {
    set({ invite: { phase: 'preview', file, preview } })
  },
  async accept(downloadDir) {
    const inv = get().invite
    if (inv?.phase !== 'preview') return
    set({ invite: { phase: 'accepting', file: inv.file, preview: inv.preview } })
    const r = await call('invites.accept', { data: inv.file.data, ...(downloadDir !== undefined && { downloadDir }) })
    if (!r.ok) {
      set({ invite: { ...inv, error: r.error.message } })
      return
    }
    set({ invite: null })
    const n = r.value.torrents.length
    toast(
      'success',
      `You joined “${inv.preview.group}”`,
      n > 0 ? `Downloading ${n} shared item${n === 1 ? '' : 's'}.` : 'Nothing is shared in it yet.',
    )
    useNav.getState().go('transfers')
  },
  async addSender(name) {
    const inv = get().invite
    if (inv?.phase !== 'preview') return null
    const r = await call('friends.add', { key: inv.preview.from, name })
    if (!r.ok) return r.error.message
    const now = get().invite
    if (now?.phase === 'preview' && now.preview === inv.preview)
      set({ invite: { ...now, preview: { ...now.preview, fromFriend: r.value.name } } })
    toast('success', `${r.value.name} added to your friends`)
    return null
  },
  close() {
    if (get().invite?.phase !== 'accepting') set({ invite: null })
  },
}))
