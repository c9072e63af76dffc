/**
 * The subscriber's side of the provider's service (server.ts): log in, ask for a challenge for
 * one's identity key, sign it, and get the certificate. Every step is bounded in time and in what
 * it reads back, and every refusal comes back as the provider's code. `subscribe` (issue 18) will
 * build on this; today the tests drive it.
 */
import { isProviderCode } from '../../../shared/protocol-codes.js'
import { err, ok, type Result } from '../../../shared/result.js'
import { signLoginChallenge, type KeyPair } from '../service/index.js'
import type { Refusal } from './issuance.js'

/** How long one request to the provider may take. */
export const CLIENT_TIMEOUT_MS = 15_000
/** Largest answer read from a provider (a certificate is at most 6 KiB, hex-doubled). */
export const MAX_RESPONSE_BYTES = 32_768
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

  async #call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Result<Readonly<Record<string, unknown>>, Refusal>> {
    let res: Response | undefined
    for (let attempt = 0; res === undefined; attempt++) {
      try {
        res = await fetch(new URL(path, this.baseUrl), {
          method,
          headers: {
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...(this.#session !== '' && { authorization: `Bearer ${this.#session}` }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
          redirect: 'error',
        })
      } catch (e) {
        // A kept-alive connection the server closed as it was reused: the request never got an
        // answer, so it is sent once more on a new one (a certificate request that did arrive
        // comes back `challenge-used`, never as a second certificate).
        const stale = (e as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_SOCKET'
        if (!stale || attempt >= STALE_CONNECTION_RETRIES) return err({ code: 'unreachable' })
      }
    }
    const text = await readBounded(res)
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

/** The body as text, or undefined past MAX_RESPONSE_BYTES (read no further). */
async function readBounded(res: Response): Promise<string | undefined> {
  if (res.body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > MAX_RESPONSE_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
