/**
 * What the desktop app was started with, and how an invite reaches it from outside: a `.coterie`
 * file path (file association, drag onto the dock icon, a second launch), or a `coterie:` link.
 * Pure functions over strings, so they are tested in plain Node.
 *
 * `coterie:` links take two forms: `coterie://invite/<invite bytes, base64url>` (small invites
 * pasted into a chat), and `coterie://open?path=<absolute path of a .coterie file>`.
 */
export const INVITE_EXTENSION = '.coterie'
export const SCHEME = 'coterie'
const MAX_LINK_CHARS = 2_000_000 // a base64url invite of ~1.5 MB at most (views.ts MAX_FILE_B64)

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

export type InviteSource =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'bytes'; readonly fileName: string; readonly data: Uint8Array }

/** A `.coterie` path or a `coterie:` link, as where to read the invite from; undefined when it is neither. */
export function inviteSource(arg: string): InviteSource | undefined {
  if (!arg.toLowerCase().startsWith(`${SCHEME}:`))
    return arg.toLowerCase().endsWith(INVITE_EXTENSION) ? { kind: 'path', path: arg } : undefined
  if (arg.length > MAX_LINK_CHARS) return undefined
  let url: URL
  try {
    url = new URL(arg)
  } catch {
    return undefined
  }
  if (url.host === 'invite') {
    const b64 = url.pathname.replace(/^\/+/, '')
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(b64)) return undefined
    return { kind: 'bytes', fileName: `invite${INVITE_EXTENSION}`, data: new Uint8Array(Buffer.from(b64, 'base64url')) }
  }
  if (url.host === 'open') {
    const path = url.searchParams.get('path')
    return path !== null && path.toLowerCase().endsWith(INVITE_EXTENSION) ? { kind: 'path', path } : undefined
  }
  return undefined
}
