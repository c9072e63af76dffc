/**
 * The provider's HTTP service (node:http; TLS is a reverse proxy's job, docs/PROVIDER.md):
 *
 *   GET  /v1/provider     -> { name, swarmKey }                      what a client signs for
 *   POST /v1/login        { user, password }   -> { session, expiresAt }
 *   POST /v1/challenge    { member }           -> { challenge, expiresAt }      Bearer session
 *   POST /v1/certificate  { challenge, signature } -> { certificate, expiresAt } Bearer session
 *   POST /v1/subscribe    { challenge, signature } -> { certificate, expiresAt, refresh, invite } Bearer session
 *   POST /v1/renew/challenge { refresh }      -> { challenge, expiresAt }   for the key the token is bound to
 *   POST /v1/renew        { refresh, challenge, signature } -> { certificate, expiresAt }
 *   GET  /v1/feed         the signed RSS feed (PROTOCOL.md §16), its signature in Coterie-Feed-Signature
 *   GET  /v1/feed.sig     that signature alone, hex
 *   GET  /v1/torrents/<infohash>.torrent   an item's plain .torrent (it admits no one by itself)
 *
 * Every refusal is `{ "error": <code> }` with a code of PROVIDER_CODES and an HTTP status that
 * fits it (429 with Retry-After for `rate-limited`). Bodies, headers, connections and the time a
 * request may take are bounded before anything is read (the named limits below).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import type { ProviderErrorCode } from '../../../shared/protocol-codes.js'
import type { Issuer, Refusal } from './issuance.js'
import type { SignedFeed } from './items.js'

/** Largest request body: a login with the longest password and name fits with room to spare. */
export const MAX_BODY_BYTES = 4096
/** Largest request head (node's default is 16 KiB; nothing here needs more than a few hundred bytes). */
export const MAX_HEADER_BYTES = 8192
/** Time a client has to send its headers, and its whole request. */
export const HEADERS_TIMEOUT_MS = 5_000
export const REQUEST_TIMEOUT_MS = 10_000
/** An idle kept-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000
/** Open connections at once; more are refused by the server before a byte is read. */
export const MAX_CONNECTIONS = 512

const STATUS: Readonly<Record<ProviderErrorCode, number>> = {
  'bad-request': 400,
  'too-large': 413,
  timeout: 408,
  'not-found': 404,
  'bad-credentials': 401,
  'account-disabled': 403,
  'rate-limited': 429,
  busy: 503,
  'no-session': 401,
  'bad-key': 400,
  'unknown-challenge': 400,
  'challenge-expired': 400,
  'challenge-used': 409,
  'bad-signature': 403,
  unreachable: 502,
  'bad-response': 502,
}

const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{1,${n}}$`))
const loginBody = z.strictObject({ user: z.string().min(1).max(256), password: z.string().min(1).max(2048) })
const challengeBody = z.strictObject({ member: hex(64) })
const certificateBody = z.strictObject({ challenge: hex(64), signature: hex(128) })
const refreshBody = z.strictObject({ refresh: hex(64) })
const renewBody = z.strictObject({ refresh: hex(64), challenge: hex(64), signature: hex(128) })

class BodyError extends Error {
  constructor(readonly code: ProviderErrorCode) {
    super(code)
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_BODY_BYTES) return reject(new BodyError('too-large'))
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        reject(new BodyError('too-large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(new BodyError('bad-request'))
      }
    })
    req.on('error', () => reject(new BodyError('bad-request')))
  })
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

function refuse(res: ServerResponse, r: Refusal): void {
  const headers: Record<string, string> =
    r.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))) }
  send(res, STATUS[r.code], { error: r.code }, headers)
}

const bearer = (req: IncomingMessage): string => /^Bearer ([0-9a-f]+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''

export interface ProviderInfo {
  readonly name: string
  readonly swarmKey: string
}

export interface ServeOptions {
  readonly host: string
  readonly port: number
  /**
   * Addresses of reverse proxies (the TLS terminator) whose X-Forwarded-For is believed: from
   * them, the client is the header's last entry. Without this, every login behind a proxy would
   * share the proxy's address and its rate limit; from anyone else the header is ignored, so a
   * client cannot pick the address it is counted under.
   */
  readonly trustedProxies?: readonly string[]
  /** The feed and the items' torrents; without it those paths answer `not-found`. */
  readonly content?: ContentSource
}

export interface ContentSource {
  feed(): Promise<SignedFeed>
  /** An item's plain .torrent, or undefined for what is not an item of the feed. */
  torrent(infoHash: string): Promise<Uint8Array | undefined>
  /** The invite into the provider's group for a subscriber's member key, carrying its certificate (hex). */
  invite(memberHex: string, certificateHex: string): Promise<Uint8Array>
}

const TORRENT_PATH = /^\/v1\/torrents\/([0-9a-f]{40})\.torrent$/

function sendBytes(res: ServerResponse, type: string, body: Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', ...headers })
  res.end(body)
}

/** The address a request is counted under (ServeOptions.trustedProxies). */
export function clientAddress(req: IncomingMessage, trusted: ReadonlySet<string>): string {
  const peer = req.socket.remoteAddress ?? ''
  if (!trusted.has(peer)) return peer
  const forwarded = req.headers['x-forwarded-for']
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim()
  return last !== undefined && last !== '' ? last : peer
}

export interface RunningService {
  readonly server: Server
  readonly port: number
  close(): Promise<void>
}

export async function serveProvider(issuer: Issuer, info: ProviderInfo, o: ServeOptions): Promise<RunningService> {
  const trusted = new Set(o.trustedProxies ?? [])
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    },
    (req, res) => {
      handle(issuer, info, trusted, o.content, req, res).catch((e: unknown) => {
        if (e instanceof BodyError) return refuse(res, { code: e.code })
        // A bug or the database failing: logged for the operator, never shown to the client.
        console.error('provider: request failed:', e)
        send(res, 500, { error: 'internal' })
      })
    },
  )
  server.maxConnections = MAX_CONNECTIONS
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function handle(
  issuer: Issuer,
  info: ProviderInfo,
  trusted: ReadonlySet<string>,
  content: ContentSource | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0] ?? ''
  if (req.method === 'GET' && path === '/v1/provider') return send(res, 200, info)
  if (req.method === 'GET' && content !== undefined) {
    if (path === '/v1/feed' || path === '/v1/feed.sig') {
      const f = await content.feed()
      const sig = Buffer.from(f.signature).toString('hex')
      return path === '/v1/feed'
        ? sendBytes(res, 'application/rss+xml; charset=utf-8', f.bytes, { 'coterie-feed-signature': sig })
        : sendBytes(res, 'text/plain; charset=utf-8', Buffer.from(`${sig}\n`))
    }
    const t = TORRENT_PATH.exec(path)
    const torrent = t === null ? undefined : await content.torrent(t[1]!)
    if (torrent !== undefined) return sendBytes(res, 'application/x-bittorrent', torrent)
  }
  if (req.method !== 'POST') return refuse(res, { code: 'not-found' })
  if (path === '/v1/login') {
    const b = loginBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.login(b.data.user, b.data.password, clientAddress(req, trusted))
    return r.ok ? send(res, 200, { session: r.value.token, expiresAt: r.value.expiresAt }) : refuse(res, r.error)
  }
  if (path === '/v1/challenge') {
    const b = challengeBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.challenge(bearer(req), b.data.member)
    return r.ok ? send(res, 200, r.value) : refuse(res, r.error)
  }
  if (path === '/v1/certificate') {
    const b = certificateBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.certificate(bearer(req), b.data.challenge, b.data.signature)
    return r.ok ? send(res, 200, r.value) : refuse(res, r.error)
  }
  if (path === '/v1/subscribe' && content !== undefined) {
    const b = certificateBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.subscribe(bearer(req), b.data.challenge, b.data.signature)
    if (!r.ok) return refuse(res, r.error)
    const invite = await content.invite(r.value.member, r.value.certificate)
    const { certificate, expiresAt, refresh } = r.value
    return send(res, 200, { certificate, expiresAt, refresh, invite: Buffer.from(invite).toString('base64') })
  }
  if (path === '/v1/renew/challenge') {
    const b = refreshBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.renewalChallenge(b.data.refresh)
    return r.ok ? send(res, 200, r.value) : refuse(res, r.error)
  }
  if (path === '/v1/renew') {
    const b = renewBody.safeParse(await readBody(req))
    if (!b.success) return refuse(res, { code: 'bad-request' })
    const r = await issuer.renew(b.data.refresh, b.data.challenge, b.data.signature)
    return r.ok ? send(res, 200, r.value) : refuse(res, r.error)
  }
  return refuse(res, { code: 'not-found' })
}
