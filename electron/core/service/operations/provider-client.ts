/**
 * The subscriber's side of a content provider's service (electron/core/provider/server.ts): log in, ask for a challenge for
 * one's identity key, sign it, and get the certificate. Every step is bounded in time and in what
 * it reads back, and every refusal comes back as the provider's code. `coterie subscribe` uses it
 * to subscribe (an invite and a refresh token), `coterie run` to renew, and anyone to read the
 * signed feed (verified against the provider's swarm key, PROTOCOL.md §16).
 */
import { isProviderCode, type FeedErrorCode, type ProviderErrorCode } from '../../../../shared/protocol-codes.js'
import { err, ok, type Reason, type Result } from '../../../../shared/result.js'
import { MAX_INVITE_BYTES } from '../../protocol/constants.js'
import { verifyFeed, type Feed } from '../../protocol/feed.js'
import type { KeyPair } from '../../protocol/keys.js'
import { signLoginChallenge } from '../../protocol/provider-login.js'

/** A provider's refusal: its code (docs/PROVIDER.md), and how long to wait when it said (Retry-After). */
export type Refusal = Reason<ProviderErrorCode> & { readonly retryAfterMs?: number }

/** How long one request to the provider may take. */
export const CLIENT_TIMEOUT_MS = 15_000
/** Largest answer read from a provider (a certificate is at most 6 KiB, hex-doubled). */
export const MAX_RESPONSE_BYTES = 32_768
/** Largest subscribe answer: an invite (base64) and a few short fields. */
export const MAX_SUBSCRIBE_RESPONSE_BYTES = Math.ceil((MAX_INVITE_BYTES * 4) / 3) + 4096
/** Largest feed read (PROTOCOL.md §16's MAX_FEED_BYTES) and signature file (128 hex digits and a newline). */
export const MAX_FEED_RESPONSE_BYTES = 1024 * 1024
export const MAX_FEED_SIG_BYTES = 256

export interface Subscription {
  readonly certificate: string
  readonly expiresAt: number
  /** The refresh token (hex): what renews the certificate without the password. */
  readonly refresh: string
  /** The invite into the provider's group, sealed to the member key. */
  readonly invite: Uint8Array
}

/** Why a feed was not read: the provider's code (could not fetch it) or the feed's (PROTOCOL.md §16). */
export type FeedRefusal = Refusal | { readonly code: FeedErrorCode; readonly feed: true }

/** Times a request is re-sent after its kept-alive connection was closed under it. */
export const STALE_CONNECTION_RETRIES = 1

export class ProviderClient {
  #session = ''
  constructor(readonly baseUrl: string) {}

  async info(): Promise<Result<{ name: string; swarmKey: string }, Refusal>> {
    const r = await this.#call('GET', '/v1/provider')
    if (!r.ok) return r
    const { name, swarmKey } = r.value
    return typeof name === 'string' && typeof swarmKey === 'string' && /^[0-9a-f]{64}$/.test(swarmKey)
      ? ok({ name, swarmKey })
      : err({ code: 'bad-response' })
  }

  async login(user: string, password: string): Promise<Result<{ expiresAt: number }, Refusal>> {
    const r = await this.#call('POST', '/v1/login', { user, password })
    if (!r.ok) return r
    if (typeof r.value['session'] !== 'string') return err({ code: 'bad-response' })
    this.#session = r.value['session']
    return ok({ expiresAt: Number(r.value['expiresAt']) })
  }

  async challenge(memberHex: string): Promise<Result<string, Refusal>> {
    const r = await this.#call('POST', '/v1/challenge', { member: memberHex })
    if (!r.ok) return r
    return typeof r.value['challenge'] === 'string' ? ok(r.value['challenge']) : err({ code: 'bad-response' })
  }

  async certificate(challenge: string, signature: string): Promise<Result<string, Refusal>> {
    const r = await this.#call('POST', '/v1/certificate', { challenge, signature })
    if (!r.ok) return r
    return typeof r.value['certificate'] === 'string' ? ok(r.value['certificate']) : err({ code: 'bad-response' })
  }

  /** The whole exchange once logged in: challenge, signed answer, certificate (hex). */
  async obtainCertificate(member: KeyPair, swarmKeyHex: string): Promise<Result<string, Refusal>> {
    const memberHex = Buffer.from(member.publicKey).toString('hex')
    const c = await this.challenge(memberHex)
    if (!c.ok) return c
    const sig = signLoginChallenge(member.secretKey, Buffer.from(c.value, 'hex'), Buffer.from(swarmKeyHex, 'hex'))
    return this.certificate(c.value, Buffer.from(sig).toString('hex'))
  }

  /** Subscribes (logged in): the signed challenge earns a certificate, an invite and a refresh token. */
  async subscribe(member: KeyPair, swarmKeyHex: string): Promise<Result<Subscription, Refusal>> {
    const memberHex = Buffer.from(member.publicKey).toString('hex')
    const c = await this.challenge(memberHex)
    if (!c.ok) return c
    const signature = this.#sign(member, c.value, swarmKeyHex)
    const r = await this.#call('POST', '/v1/subscribe', { challenge: c.value, signature }, MAX_SUBSCRIBE_RESPONSE_BYTES)
    if (!r.ok) return r
    const { certificate, expiresAt, refresh, invite } = r.value
    if (typeof certificate !== 'string' || typeof refresh !== 'string' || typeof invite !== 'string')
      return err({ code: 'bad-response' })
    return ok({ certificate, expiresAt: Number(expiresAt), refresh, invite: Buffer.from(invite, 'base64') })
  }

  /** Renews without the password: the refresh token, and the bound key's answer to a fresh challenge. */
  async renew(refresh: string, member: KeyPair, swarmKeyHex: string): Promise<Result<string, Refusal>> {
    const c = await this.#call('POST', '/v1/renew/challenge', { refresh })
    if (!c.ok) return c
    const challenge = c.value['challenge']
    if (typeof challenge !== 'string' || !/^[0-9a-f]{64}$/.test(challenge)) return err({ code: 'bad-response' })
    const r = await this.#call('POST', '/v1/renew', {
      refresh,
      challenge,
      signature: this.#sign(member, challenge, swarmKeyHex),
    })
    if (!r.ok) return r
    return typeof r.value['certificate'] === 'string' ? ok(r.value['certificate']) : err({ code: 'bad-response' })
  }

  /** The provider's feed, verified against its swarm key (hex) before anything of it is returned. */
  async feed(swarmKeyHex: string): Promise<Result<Feed, FeedRefusal>> {
    const bytes = await this.#bytes('/v1/feed', MAX_FEED_RESPONSE_BYTES + 1)
    if (!bytes.ok) return bytes
    const sig = await this.#bytes('/v1/feed.sig', MAX_FEED_SIG_BYTES)
    if (!sig.ok) return sig
    const sigHex = Buffer.from(sig.value).toString('utf8').trim()
    const signature = /^[0-9a-f]{128}$/.test(sigHex) ? Buffer.from(sigHex, 'hex') : new Uint8Array(0)
    const r = verifyFeed(bytes.value, signature, Buffer.from(swarmKeyHex, 'hex'))
    return r.ok ? r : err({ code: r.error.code, feed: true })
  }

  #sign(member: KeyPair, challengeHex: string, swarmKeyHex: string): string {
    const sig = signLoginChallenge(member.secretKey, Buffer.from(challengeHex, 'hex'), Buffer.from(swarmKeyHex, 'hex'))
    return Buffer.from(sig).toString('hex')
  }

  /** A GET's raw body, at most `max` bytes (one more than a bound lets the verifier say `oversize`). */
  async #bytes(path: string, max: number): Promise<Result<Uint8Array, Refusal>> {
    const res = await this.#fetch(path, {})
    if (res === undefined) return err({ code: 'unreachable' })
    if (!res.ok) return err({ code: res.status === 404 ? 'not-found' : 'bad-response' })
    const body = await readBytes(res, max)
    return ok(body)
  }

  /**
   * One request, bounded by CLIENT_TIMEOUT_MS, never following a redirect; undefined when no answer
   * came. A kept-alive connection the server closed as it was reused never carried the request, so
   * it is sent once more on a new one (a certificate request that did arrive comes back
   * `challenge-used`, never as a second certificate).
   */
  async #fetch(path: string, init: RequestInit): Promise<Response | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(new URL(path, this.baseUrl), {
          ...init,
          signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
          redirect: 'error',
        })
      } catch (e) {
        const stale = (e as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_SOCKET'
        if (!stale || attempt >= STALE_CONNECTION_RETRIES) return undefined
      }
    }
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    maxBytes = MAX_RESPONSE_BYTES,
  ): Promise<Result<Readonly<Record<string, unknown>>, Refusal>> {
    const res = await this.#fetch(path, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.#session !== '' && { authorization: `Bearer ${this.#session}` }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    if (res === undefined) return err({ code: 'unreachable' })
    const text = await readBounded(res, maxBytes)
    let parsed: unknown
    try {
      parsed = text === undefined ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (typeof parsed !== 'object' || parsed === null) return err({ code: 'bad-response' })
    const value = parsed as Record<string, unknown>
    if (res.ok) return ok(value)
    const code = value['error']
    if (typeof code !== 'string' || !isProviderCode(code)) return err({ code: 'bad-response' })
    const retry = Number(res.headers.get('retry-after'))
    return err(Number.isFinite(retry) && retry > 0 ? { code, retryAfterMs: retry * 1000 } : { code })
  }
}

/** The body as text, or undefined past `max` bytes (read no further). */
async function readBounded(res: Response, max: number): Promise<string | undefined> {
  if (res.body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > max) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The body's first `max` bytes at most; the rest is not read (the stream is cancelled). */
async function readBytes(res: Response, max: number): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value.subarray(0, max - size))
    size += value.length
    if (size >= max) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks)
}
