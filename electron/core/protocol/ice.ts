/**
 * ICE server URLs (docs/PROTOCOL.md §7.1): the STUN and TURN servers a group's owner names for its
 * members' WebRTC connections (hole punching through STUN, relaying through TURN; docs/NAT.md).
 * They travel in invites and the group index beside the trackers, and a node hands them, and only
 * them, to the WebRTC library: no server is contacted that the group or the user did not name.
 *
 * The grammar is RFC 7064 (stun) and RFC 7065 (turn, turns) narrowed to what libdatachannel (the
 * library under webrtc-polyfill) parses, plus the one thing it adds: TURN credentials in the URL,
 * `turn:USER:PASSWORD@HOST`, because a group's list is a list of texts. libdatachannel ends the
 * user at the first ':' and the credentials at '@', and percent-decodes both, so both are made
 * only of unreserved characters and %XX escapes (docs/NAT.md, "Credentials"): a coturn REST user
 * `1767225600:alice` is written `1767225600%3Aalice`. It refuses `stuns:` and bracketed IPv6
 * literals (measured on node-datachannel 0.33.4), so they are refused here before they are signed.
 */
import { z } from 'zod'
import { err, ok, type Reason, type Result } from '../../../shared/result.js'
import type { IceUrlErrorCode } from '../../../shared/protocol-codes.js'
import { MAX_ICE_SERVERS, MAX_ICE_URL_CHARS } from './constants.js'
import { isPortText, octetsFit } from './address.js'
import { text } from './schema.js'

export type IceScheme = 'stun' | 'turn' | 'turns'

export interface IceServer {
  /** The URL as written (and signed): what the WebRTC library is given. */
  readonly url: string
  readonly scheme: IceScheme
  readonly host: string
  /** Absent: the scheme's default (3478; 5349 for turns). */
  readonly port?: number
  /** TURN only; as written, percent-escapes and all. */
  readonly user?: string
  readonly transport?: 'udp' | 'tcp'
}

export type IceUrlProblem = Reason<IceUrlErrorCode>
const fail = (code: IceUrlErrorCode): { ok: false; error: IceUrlProblem } => err({ code })

const SCHEMES: readonly IceScheme[] = ['stun', 'turn', 'turns']
// Dotted digits or a hostname, as for peers and trackers (§7.1), without the bracketed IPv6 form.
const ICE_HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/
const CREDENTIAL = /^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+$/
const TRANSPORT = /^transport=(udp|tcp)$/

/** Parses one ICE server URL; the first rule broken names the reason (§7.1, in the order checked). */
export function parseIceUrl(s: string): Result<IceServer, IceUrlProblem> {
  if (s.length > MAX_ICE_URL_CHARS) return fail('too-long')
  const colon = s.indexOf(':')
  const scheme = s.slice(0, colon) as IceScheme
  if (colon < 0 || !SCHEMES.includes(scheme)) return fail('bad-scheme')
  let rest = s.slice(colon + 1)
  let transport: 'udp' | 'tcp' | undefined
  const q = rest.indexOf('?')
  if (q >= 0) {
    const m = TRANSPORT.exec(rest.slice(q + 1))
    if (scheme !== 'turn' || m === null) return fail('bad-transport')
    transport = m[1] as 'udp' | 'tcp'
    rest = rest.slice(0, q)
  }
  let user: string | undefined
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    const [u, p, ...more] = rest.slice(0, at).split(':')
    if (scheme === 'stun' || more.length > 0 || !CREDENTIAL.test(u ?? '') || !CREDENTIAL.test(p ?? ''))
      return fail('bad-credentials')
    user = u
    rest = rest.slice(at + 1)
  }
  if (rest.startsWith('[')) return fail('bad-host')
  const [host = '', port, ...extra] = rest.split(':')
  if (extra.length > 0) return fail('malformed')
  if (!ICE_HOST.test(host) || !octetsFit(host)) return fail('bad-host')
  if (port !== undefined && !isPortText(port)) return fail('bad-port')
  return ok({
    url: s,
    scheme,
    host,
    ...(port !== undefined && { port: Number(port) }),
    ...(user !== undefined && { user }),
    ...(transport !== undefined && { transport }),
  })
}

export const isIceUrl = (s: string): boolean => parseIceUrl(s).ok

/**
 * A group's ICE servers as invites and the group index carry them: absent rather than empty, 1-8
 * texts of at most 300 characters (else the structure is malformed). As with trackers (§7.1), an
 * entry outside the grammar is kept for the signature and never used (usableIce): a server is a
 * hint that grants nothing, and a scheme a later version adds must not cost a member its index.
 */
export const iceList = z.array(text(MAX_ICE_URL_CHARS)).min(1).max(MAX_ICE_SERVERS)
/** The entries of a signed ICE list that this reader may use, in order. */
export const usableIce = (list: readonly string[] | undefined): string[] => (list ?? []).filter(isIceUrl)

/** The URL as a person may see it in a list or a log: a TURN password is not shown. */
export function displayIceUrl(s: string): string {
  const p = parseIceUrl(s)
  if (!p.ok || p.value.user === undefined) return s
  const { scheme, user, host, port, transport } = p.value
  return `${scheme}:${user}:***@${host}${port === undefined ? '' : `:${port}`}${transport === undefined ? '' : `?transport=${transport}`}`
}
