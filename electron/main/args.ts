/**
 * What the desktop app was started with, and how an invite reaches it from outside: a `.coterie`
 * file path (file association, drag onto the dock icon, a second launch), or a `coterie:` link.
 * Pure functions over strings, so they are tested in plain Node.
 *
 * `coterie:` links take two forms: `coterie://invite/<invite bytes, base64url>` (an invite as text,
 * read by shared/invite-link.ts, docs/PROTOCOL.md §7.2), and `coterie://open?path=<absolute path of a
 * .coterie file>`.
 *
 * A path, from a link or from the command line, must name a file on this computer: a link is one
 * click in a web page, and on Windows merely opening `\\host\share\x.coterie` sends the user's
 * NTLM credentials to that host (issue 15). So network and device paths are refused under the
 * rules of the platform the app runs on (`localPath`, tested with both path.win32 and path.posix).
 */
import path from 'node:path'
import { MAX_INVITE_TEXT_CHARS, readInviteText } from '../../shared/invite-link.js'

export const INVITE_EXTENSION = '.coterie'
export const SCHEME = 'coterie'

export interface MainArgs {
  readonly profile?: string
  readonly port?: number
  readonly dht: boolean
  readonly peers: readonly string[]
  /** Started at login: stay in the tray until asked. */
  readonly hidden: boolean
  /** Invite files and `coterie:` links, in the order given. */
  readonly opened: readonly string[]
}

/** The options the app knows; Chromium's and Electron's own switches are left alone. */
export function parseArgs(argv: readonly string[]): MainArgs {
  let profile: string | undefined
  let port: number | undefined
  let dht = true
  let hidden = false
  const peers: string[] = []
  const opened: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const value = () => argv[++i]
    if (a === '--profile') profile = value()
    else if (a.startsWith('--profile=')) profile = a.slice('--profile='.length)
    else if (a === '--port') port = Number(value())
    else if (a === '--no-dht') dht = false
    else if (a === '--hidden') hidden = true
    else if (a === '--peer') {
      const p = value()
      if (p !== undefined) peers.push(p)
    } else if (isInviteArg(a)) opened.push(a)
  }
  return {
    ...(profile !== undefined && { profile }),
    ...(port !== undefined && Number.isInteger(port) && { port }),
    dht,
    peers,
    hidden,
    opened,
  }
}

export const isInviteArg = (a: string): boolean =>
  a.toLowerCase().endsWith(INVITE_EXTENSION) || a.toLowerCase().startsWith(`${SCHEME}:`)

type PathRules = typeof path.win32 | typeof path.posix

/**
 * `p` as an absolute path to a local file under `rules`, or undefined when it could reach another
 * machine or a device. Windows: a drive letter, then a separator (`C:\x`); never UNC (`\\host\share`,
 * `//host/share`, `\\?\UNC\…`), device or long-path prefixes (`\\.\`, `\\?\`), drive-relative
 * (`C:x`) or rooted-without-drive (`\x`) paths. POSIX: one leading `/`; `//host` is refused too
 * (implementation-defined, a network path on Cygwin and MSYS), and so is any backslash. A URL (`file://host/…`, `smb:`) is
 * never a path. A mapped drive or a mount point is local by these rules: the OS decided that.
 */
export function localPath(p: string, rules: PathRules = process.platform === 'win32' ? path.win32 : path.posix) {
  if (p.includes('\0') || /^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return undefined
  if (rules === path.win32) {
    if (!/^[A-Za-z]:[\\/]/.test(p)) return undefined
    const n = path.win32.normalize(p)
    return /^[A-Za-z]:\\/.test(n) ? n : undefined
  }
  // A backslash is a plain character here, but the same link may reach a Windows machine: refused too.
  if (!p.startsWith('/') || p.startsWith('//') || p.includes('\\')) return undefined
  return path.posix.normalize(p)
}

export type InviteSource =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'bytes'; readonly fileName: string; readonly data: Uint8Array }
  /** An invite link cut short or altered on the way: to be reported as such, not as "no invite". */
  | { readonly kind: 'damaged' }

/** A `.coterie` path or a `coterie:` link, as where to read the invite from; undefined when it is neither. */
export function inviteSource(arg: string, rules?: PathRules): InviteSource | undefined {
  const local = (p: string): InviteSource | undefined => {
    const full = p.toLowerCase().endsWith(INVITE_EXTENSION) ? localPath(p, rules) : undefined
    return full === undefined ? undefined : { kind: 'path', path: full }
  }
  if (!arg.toLowerCase().startsWith(`${SCHEME}:`)) return local(arg)
  if (arg.length > MAX_INVITE_TEXT_CHARS) return undefined
  let url: URL
  try {
    url = new URL(arg)
  } catch {
    return undefined
  }
  if (url.host === 'invite') {
    const read = readInviteText(arg)
    if (read.ok) return { kind: 'bytes', fileName: `invite${INVITE_EXTENSION}`, data: read.value }
    return read.error.code === 'damaged' ? { kind: 'damaged' } : undefined
  }
  if (url.host === 'open') {
    const p = url.searchParams.get('path')
    return p === null ? undefined : local(p)
  }
  return undefined
}
