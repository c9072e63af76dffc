/**
 * Who may talk to the browser-mode server. It listens on loopback, but any web page the user
 * opens can aim requests at 127.0.0.1, and a DNS-rebinding page can make its own origin resolve
 * there: so the Host header must name this server as 127.0.0.1 or localhost (a rebound name
 * does not), an Origin, when the browser sends one, must be this server's, and everything but
 * the static files needs the token the command line printed.
 */
import { timingSafeEqual, randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** 32 random bytes, base64url: what `coterie run --ui` prints in the URL's fragment. */
export const newToken = (): string => randomBytes(32).toString('base64url')

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`])
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host
  return host !== undefined && allowedHosts(port).has(host.toLowerCase())
}

/** An Origin, if present, must be this server's own (http://127.0.0.1:PORT or http://localhost:PORT). */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true // not a browser page (curl, a test), or a same-origin GET
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token from `Authorization: Bearer …`. */
export const bearer = (req: IncomingMessage): string | undefined =>
  /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]

export const PROTOCOL_PREFIX = 'coterie.'

/** The token from `?token=` or from a `Sec-WebSocket-Protocol: coterie.TOKEN` offer. */
export function socketToken(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('token')
  if (q !== null) return q
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim())
  return offered.find((p) => p.startsWith(PROTOCOL_PREFIX))?.slice(PROTOCOL_PREFIX.length)
}
