/**
 * What the provider's service decides, apart from HTTP: log a user in (password -> a session that
 * expires), hand it a challenge for the identity key it names, and issue a short-lived certificate
 * for the provider's swarm key once that key has signed the challenge. Every refusal is a code
 * (shared/protocol-codes.ts, PROVIDER_CODES) and writes nothing: a refused attempt leaves the
 * database as it found it, but for the account's attempt count (rate-limit.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { err, ok, type Result } from '../../../shared/result.js'
import type { ProviderErrorCode } from '../../../shared/protocol-codes.js'
import {
  certify,
  isValidPublicKey,
  LOGIN_CHALLENGE_BYTES,
  PROVIDER_CERTIFICATE_LIFETIME_S,
  REFRESH_LIFETIME_MS,
  verifyLoginAnswer,
  type KeyPair,
  type ProviderRefusal,
} from '../service/index.js'
import { int, isNull, text, type Database, type Queryable } from './database.js'
import { hashPassword, MAX_PASSWORD_BYTES, verifyPassword } from './password.js'
import { AttemptCounter, countAccountAttempt, type RateLimit } from './rate-limit.js'
import { ACCOUNT_NAME } from './accounts.js'

export { PROVIDER_CERTIFICATE_LIFETIME_S, REFRESH_LIFETIME_MS }

/** How long a login lasts: long enough to ask for a challenge and answer it, and to renew a while. */
export const SESSION_LIFETIME_MS = 60 * 60_000
/** How long a challenge may wait for its answer. */
export const CHALLENGE_LIFETIME_MS = 2 * 60_000
/** Unanswered, unexpired challenges an account may hold: each is a row, so a session cannot fill the table. */
export const MAX_OPEN_CHALLENGES = 8
/** Login attempts per account name (right or wrong password) and per client address. */
export const ACCOUNT_LOGIN_LIMIT: RateLimit = { attempts: 5, windowMs: 60_000 }
export const ADDRESS_LOGIN_LIMIT: RateLimit = { attempts: 20, windowMs: 60_000 }
/** Argon2 runs at once (each holds 19 MiB and a pool thread); more waiting than this are refused `busy`. */
export const MAX_CONCURRENT_HASHES = 2
export const MAX_WAITING_HASHES = 16
/** Bytes of a session token (sent as `Authorization: Bearer <hex>`), and of a refresh token. */
export const SESSION_TOKEN_BYTES = 32

/** The refusal a subscriber's client reads back (the same type both sides). */
export type Refusal = ProviderRefusal
const refuse = (code: ProviderErrorCode, retryAfterMs?: number): { ok: false; error: Refusal } =>
  err(retryAfterMs === undefined ? { code } : { code, retryAfterMs })

export interface Session {
  readonly token: string
  readonly expiresAt: number
}
export interface Challenge {
  readonly challenge: string
  readonly expiresAt: number
}
export interface Issued {
  readonly certificate: string
  readonly expiresAt: number
}
export interface Subscribed extends Issued {
  /** The member key (hex) the certificate names. */
  readonly member: string
  /** The refresh token for renewals (hex); only its hash is kept. */
  readonly refresh: string
}

const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex')
const HEX = (bytes: number) => new RegExp(`^[0-9a-f]{${bytes * 2}}$`)
const TOKEN_SHAPE = HEX(SESSION_TOKEN_BYTES)
const CHALLENGE_SHAPE = HEX(LOGIN_CHALLENGE_BYTES)
const KEY_SHAPE = HEX(32)
const SIGNATURE_SHAPE = HEX(64)

export class Issuer {
  readonly #byAccount = new AttemptCounter(ACCOUNT_LOGIN_LIMIT)
  readonly #byAddress = new AttemptCounter(ADDRESS_LOGIN_LIMIT)
  #hashing = 0
  readonly #waiting: (() => void)[] = []
  /** A real hash of no password, so an unknown name costs the same Argon2 run as a wrong password. */
  readonly #decoy: Promise<string> = hashPassword(randomBytes(16).toString('hex'))

  constructor(
    readonly db: Database,
    readonly swarm: KeyPair,
  ) {}

  async login(name: string, password: string, address: string, now = Date.now()): Promise<Result<Session, Refusal>> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return refuse('bad-credentials')
    const account = name.trim().toLowerCase()
    // Both counters count every attempt, the address first: a flood over many names stops at its address.
    if (!this.#byAddress.attempt(address, now))
      return refuse('rate-limited', this.#byAddress.retryAfterMs(address, now))
    if (!this.#byAccount.attempt(account, now))
      return refuse('rate-limited', this.#byAccount.retryAfterMs(account, now))
    // The node's own count is a first filter; the database's is every node's (rate-limit.ts says why both).
    const shared = ACCOUNT_NAME.test(account)
      ? await countAccountAttempt(this.db, account, ACCOUNT_LOGIN_LIMIT, now)
      : undefined
    if (shared !== undefined && shared.attempts > ACCOUNT_LOGIN_LIMIT.attempts)
      return refuse('rate-limited', shared.retryAfterMs)
    const { rows } = ACCOUNT_NAME.test(account)
      ? await this.db.query(`SELECT password_hash, disabled_at FROM accounts WHERE name = $1`, [account])
      : { rows: [] }
    const row = rows[0]
    const stored = row === undefined ? await this.#decoy : text(row['password_hash'])
    const matched = await this.#hashSlot(() => verifyPassword(stored, password))
    if (matched === 'busy') return refuse('busy')
    if (row === undefined || !matched) return refuse('bad-credentials')
    if (!isNull(row['disabled_at'])) return refuse('account-disabled')
    const token = randomBytes(SESSION_TOKEN_BYTES).toString('hex')
    const expiresAt = now + SESSION_LIFETIME_MS
    await this.db.transaction(async (tx) => {
      // Sweep this account's expired sessions and challenges while writing: the tables stay small without a timer.
      await tx.query(`DELETE FROM sessions WHERE account = $1 AND expires_at <= $2`, [account, now])
      await tx.query(`DELETE FROM challenges WHERE account = $1 AND expires_at <= $2`, [account, now])
      await tx.query(`INSERT INTO sessions (token_hash, account, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
        tokenHash(token),
        account,
        now,
        expiresAt,
      ])
    })
    return ok({ token, expiresAt })
  }

  async challenge(token: string, memberHex: string, now = Date.now()): Promise<Result<Challenge, Refusal>> {
    const s = await this.#session(this.db, token, now)
    if (!s.ok) return s
    if (!KEY_SHAPE.test(memberHex) || !isValidPublicKey(Buffer.from(memberHex, 'hex'))) return refuse('bad-key')
    return this.#challenge(s.value, memberHex, now)
  }

  /** A challenge for the member key a refresh token is bound to: the first step of a renewal. */
  async renewalChallenge(refresh: string, now = Date.now()): Promise<Result<Challenge, Refusal>> {
    const r = await this.#refresh(this.db, refresh, now)
    if (!r.ok) return r
    return this.#challenge(r.value.account, r.value.member, now)
  }

  async #challenge(account: string, memberHex: string, now: number): Promise<Result<Challenge, Refusal>> {
    const challenge = randomBytes(LOGIN_CHALLENGE_BYTES).toString('hex')
    const expiresAt = now + CHALLENGE_LIFETIME_MS
    const refused = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `SELECT COUNT(*) AS n FROM challenges WHERE account = $1 AND used_at IS NULL AND expires_at > $2`,
        [account, now],
      )
      if (int(rows[0]!['n']) >= MAX_OPEN_CHALLENGES) return true
      await tx.query(
        `INSERT INTO challenges (challenge, account, member_key, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [challenge, account, memberHex, now, expiresAt],
      )
      return false
    })
    return refused ? refuse('rate-limited', CHALLENGE_LIFETIME_MS) : ok({ challenge, expiresAt })
  }

  async certificate(
    token: string,
    challengeHex: string,
    signatureHex: string,
    now = Date.now(),
  ): Promise<Result<Issued, Refusal>> {
    return this.#issueInSession(token, challengeHex, signatureHex, now, async (_, __, issued) =>
      ok({ certificate: issued.certificate, expiresAt: issued.expiresAt }),
    )
  }

  /**
   * A subscription: the certificate, as `certificate` issues it, and a refresh token bound to the
   * account and to the member key that signed, with which the subscriber's node renews later
   * (`renew`) without the password.
   */
  async subscribe(
    token: string,
    challengeHex: string,
    signatureHex: string,
    now = Date.now(),
  ): Promise<Result<Subscribed, Refusal>> {
    return this.#issueInSession(token, challengeHex, signatureHex, now, async (tx, account, issued) => {
      const refresh = randomBytes(SESSION_TOKEN_BYTES).toString('hex')
      await tx.query(
        `INSERT INTO refresh_tokens (token_hash, account, member_key, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [tokenHash(refresh), account, issued.member, now, now + REFRESH_LIFETIME_MS],
      )
      return ok({ ...issued, refresh })
    })
  }

  /**
   * What `certificate` and `subscribe` share: the answer's shape checked, then in one transaction
   * the session's account, the certificate issued for the challenge it answered, and `then` with
   * both (which writes in the same transaction, so a refusal anywhere writes nothing).
   */
  #issueInSession<T>(
    token: string,
    challengeHex: string,
    signatureHex: string,
    now: number,
    then: (tx: Queryable, account: string, issued: Issued & { member: string }) => Promise<Result<T, Refusal>>,
  ): Promise<Result<T, Refusal>> {
    if (!CHALLENGE_SHAPE.test(challengeHex)) return Promise.resolve(refuse('unknown-challenge'))
    if (!SIGNATURE_SHAPE.test(signatureHex)) return Promise.resolve(refuse('bad-signature'))
    return this.db.transaction(async (tx): Promise<Result<T, Refusal>> => {
      const s = await this.#session(tx, token, now)
      if (!s.ok) return s
      const issued = await this.#issue(tx, s.value, challengeHex, signatureHex, now)
      return issued.ok ? then(tx, s.value, issued.value) : issued
    })
  }

  /** A renewal: the refresh token, and the bound member key's answer to a `renewalChallenge`. */
  async renew(
    refresh: string,
    challengeHex: string,
    signatureHex: string,
    now = Date.now(),
  ): Promise<Result<Issued, Refusal>> {
    if (!CHALLENGE_SHAPE.test(challengeHex)) return refuse('unknown-challenge')
    if (!SIGNATURE_SHAPE.test(signatureHex)) return refuse('bad-signature')
    return this.db.transaction(async (tx): Promise<Result<Issued, Refusal>> => {
      const r = await this.#refresh(tx, refresh, now)
      if (!r.ok) return r
      const issued = await this.#issue(tx, r.value.account, challengeHex, signatureHex, now, r.value.member)
      if (!issued.ok) return issued
      await tx.query(`UPDATE refresh_tokens SET expires_at = $1 WHERE token_hash = $2`, [
        now + REFRESH_LIFETIME_MS,
        tokenHash(refresh),
      ])
      return ok({ certificate: issued.value.certificate, expiresAt: issued.value.expiresAt })
    })
  }

  /**
   * Spends the account's challenge answered by `signatureHex` and issues the certificate for the
   * key it was asked for (only `onlyMember`, when given); inside the caller's transaction.
   */
  async #issue(
    tx: Queryable,
    account: string,
    challengeHex: string,
    signatureHex: string,
    now: number,
    onlyMember?: string,
  ): Promise<Result<Issued & { member: string }, Refusal>> {
    const { rows } = await tx.query(
      `SELECT member_key, expires_at, used_at FROM challenges WHERE challenge = $1 AND account = $2`,
      [challengeHex, account],
    )
    const c = rows[0]
    if (c === undefined || (onlyMember !== undefined && text(c['member_key']) !== onlyMember))
      return refuse('unknown-challenge')
    if (!isNull(c['used_at'])) return refuse('challenge-used')
    if (int(c['expires_at']) <= now) return refuse('challenge-expired')
    const memberHex = text(c['member_key'])
    const member = Buffer.from(memberHex, 'hex')
    const signature = Buffer.from(signatureHex, 'hex')
    if (!verifyLoginAnswer(member, Buffer.from(challengeHex, 'hex'), this.swarm.publicKey, signature)) {
      return refuse('bad-signature')
    }
    const spent = await tx.query(`UPDATE challenges SET used_at = $1 WHERE challenge = $2 AND used_at IS NULL`, [
      now,
      challengeHex,
    ])
    if (spent.changes !== 1) return refuse('challenge-used')
    const nowS = Math.floor(now / 1000)
    const certificate = Buffer.from(certify(this.swarm, member, PROVIDER_CERTIFICATE_LIFETIME_S, nowS)).toString('hex')
    const expiresAt = (nowS + PROVIDER_CERTIFICATE_LIFETIME_S) * 1000
    await tx.query(
      `INSERT INTO certificates (id, account, member_key, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [randomBytes(16).toString('hex'), account, memberHex, now, expiresAt],
    )
    return ok({ certificate, expiresAt, member: memberHex })
  }

  /** The account and member key a live refresh token is bound to, refused once the account is disabled. */
  async #refresh(
    q: Queryable,
    token: string,
    now: number,
  ): Promise<Result<{ account: string; member: string }, Refusal>> {
    if (!TOKEN_SHAPE.test(token)) return refuse('no-session')
    const { rows } = await q.query(
      `SELECT r.account, r.member_key, r.expires_at, a.disabled_at FROM refresh_tokens r
         JOIN accounts a ON a.name = r.account WHERE r.token_hash = $1`,
      [tokenHash(token)],
    )
    const r = rows[0]
    if (r === undefined || int(r['expires_at']) <= now) return refuse('no-session')
    if (!isNull(r['disabled_at'])) return refuse('account-disabled')
    return ok({ account: text(r['account']), member: text(r['member_key']) })
  }

  /** The account a live session belongs to, refused once the account is disabled. */
  async #session(q: Queryable, token: string, now: number): Promise<Result<string, Refusal>> {
    if (!TOKEN_SHAPE.test(token)) return refuse('no-session')
    const { rows } = await q.query(
      `SELECT s.account, s.expires_at, a.disabled_at FROM sessions s JOIN accounts a ON a.name = s.account
        WHERE s.token_hash = $1`,
      [tokenHash(token)],
    )
    const r = rows[0]
    if (r === undefined || int(r['expires_at']) <= now) return refuse('no-session')
    if (!isNull(r['disabled_at'])) return refuse('account-disabled')
    return ok(text(r['account']))
  }

  /** Runs an Argon2 job when a slot is free; 'busy' when too many already wait. */
  async #hashSlot<R>(job: () => Promise<R>): Promise<R | 'busy'> {
    if (this.#hashing >= MAX_CONCURRENT_HASHES) {
      if (this.#waiting.length >= MAX_WAITING_HASHES) return 'busy'
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    } else this.#hashing += 1
    try {
      return await job()
    } finally {
      const next = this.#waiting.shift()
      if (next !== undefined) next()
      else this.#hashing -= 1
    }
  }
}
