/**
 * An invite as text: `coterie://invite/<the invite file's bytes, base64url>`, to paste into a chat
 * instead of sending a file (docs/PROTOCOL.md §7.2). The text carries the same sealed bytes as the
 * `.coterie` file, so it is exactly as private: only the friend it was made for can open it.
 *
 * Pure and shared: the CLI prints and reads links, the renderer copies and pastes them, and the
 * desktop shell opens them when the OS hands it one (electron/main/args.ts). Text is a trust boundary
 * (anyone can paste anything), so reading answers a reason code, never throws, and looks at no more
 * than MAX_INVITE_TEXT_CHARS characters.
 */
import { err, ok, type Reason, type Result } from './result.js'
import type { InviteErrorCode } from './protocol-codes.js'

export const INVITE_LINK_PREFIX = 'coterie://invite/'

/**
 * Most characters of a pasted invite text (the link and any words around it). The clipboard and
 * the IPC contract carry at most ~1.5 MB of base64 (shared/ipc/views.ts MAX_FILE_B64), so a link
 * holds an invite of at most MAX_INVITE_LINK_BYTES; a bigger invite goes as a file.
 */
export const MAX_INVITE_TEXT_CHARS = 1_500_000
/** The largest invite a link may carry: its base64url fits in MAX_INVITE_TEXT_CHARS with the prefix. */
export const MAX_INVITE_LINK_BYTES = Math.floor(((MAX_INVITE_TEXT_CHARS - INVITE_LINK_PREFIX.length) * 3) / 4)

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const SEXTET = new Map([...B64URL].map((ch, i) => [ch.charCodeAt(0), i]))
const CHUNK = 0x3000 // bytes per btoa call: a multiple of 3, so the chunks' base64 concatenates without padding

/** The link for an invite file's bytes; undefined when it is larger than a link may carry. */
export function inviteLink(file: Uint8Array): string | undefined {
  if (file.length > MAX_INVITE_LINK_BYTES) return undefined
  let b64 = ''
  for (let i = 0; i < file.length; i += CHUNK) b64 += btoa(String.fromCharCode(...file.subarray(i, i + CHUNK)))
  return INVITE_LINK_PREFIX + b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Whether a text looks like it is meant as an invite link (it names the `coterie://invite/` form). */
export const mentionsInviteLink = (text: string): boolean =>
  text.slice(0, MAX_INVITE_TEXT_CHARS).toLowerCase().includes(INVITE_LINK_PREFIX)

/**
 * The invite bytes of a pasted text: the first `coterie://invite/` link in it, words around it
 * allowed (a chat message), the scheme and host in any case. `not-an-invite` when there is no link,
 * `damaged` when the link is cut short or has characters base64url does not use, `oversize` when the
 * text is longer than any invite text. Bytes that decode are not yet an invite: `openInvite`
 * (electron/core/protocol/invite.ts) judges them, and calls a truncated one `damaged` too.
 */
export function readInviteText(text: string): Result<Uint8Array, Reason<InviteErrorCode>> {
  if (text.length > MAX_INVITE_TEXT_CHARS) return err({ code: 'oversize' })
  const at = text.toLowerCase().indexOf(INVITE_LINK_PREFIX)
  if (at < 0) return err({ code: 'not-an-invite' })
  const rest = text.slice(at + INVITE_LINK_PREFIX.length)
  // The link ends at white space or at quoting a chat may put around it; padding is accepted, not needed.
  const payload = /^[^\s"'<>()[\]]*/.exec(rest)![0].replace(/=+$/, '')
  if (payload.length === 0 || payload.length % 4 === 1 || !/^[A-Za-z0-9_-]+$/.test(payload))
    return err({ code: 'damaged' })
  return ok(fromBase64url(payload))
}

/**
 * What `coterie join -` or a drop received: an invite file's bytes as they are, or a text holding a
 * link. Invite files begin `d3:box` (§7); anything else that names a link is read as text, and the
 * rest is left to `openInvite` as bytes (it says `not-an-invite` or `damaged`).
 */
export function readInviteInput(input: Uint8Array): Result<Uint8Array, Reason<InviteErrorCode>> {
  const head = String.fromCharCode(...input.subarray(0, FILE_START.length))
  if (head === FILE_START || input.length > MAX_INVITE_TEXT_CHARS * 4) return ok(input) // 4: UTF-8 bytes per character
  const text = new TextDecoder().decode(input)
  return mentionsInviteLink(text) ? readInviteText(text) : ok(input)
}
const FILE_START = 'd3:box'

function fromBase64url(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4))
  let acc = 0
  let bits = 0
  let n = 0
  for (let i = 0; i < s.length; i++) {
    acc = ((acc << 6) | SEXTET.get(s.charCodeAt(i))!) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[n++] = (acc >> bits) & 0xff
    }
  }
  return out
}
