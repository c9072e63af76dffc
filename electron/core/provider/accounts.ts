/**
 * The provider's accounts, as its operator manages them from the CLI: add (with a password),
 * disable, list. Disabling keeps the row (its certificates stay on record) and ends its sessions,
 * so the service refuses its next login, challenge or certificate (issuance.ts).
 */
import { ServiceError } from '../../../shared/service-errors.js'
import { int, isNull, text, type Database } from './database.js'
import { hashPassword, passwordFits } from './password.js'

/** Lowercase so "Alice" and "alice" are one account; a shape that is safe in logs and URLs. */
export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/

export interface AccountView {
  readonly name: string
  readonly createdAt: string
  readonly disabledAt?: string
  readonly certificates: number
}

export function checkAccountName(name: string): string {
  const n = name.trim().toLowerCase()
  if (!ACCOUNT_NAME.test(n)) throw new ServiceError('bad-account-name', `"${name}"`)
  return n
}

export async function addAccount(db: Database, name: string, password: string, now = Date.now()): Promise<string> {
  const n = checkAccountName(name)
  if (!passwordFits(password)) throw new ServiceError('bad-password')
  const passwordHash = await hashPassword(password)
  await db.transaction(async (tx) => {
    const { rows } = await tx.query(`SELECT name FROM accounts WHERE name = $1`, [n])
    if (rows.length > 0) throw new ServiceError('duplicate-account', `"${n}"`)
    await tx.query(`INSERT INTO accounts (name, password_hash, created_at) VALUES ($1, $2, $3)`, [n, passwordHash, now])
  })
  return n
}

/**
 * Disables an account and ends its sessions and refresh tokens; returns every member key it was ever issued a
 * certificate for (hex), for the caller to revoke in the provider's group. Disabling a disabled
 * account changes nothing and returns the same keys, so a revocation that failed can be redone.
 */
export async function disableAccount(db: Database, name: string, now = Date.now()): Promise<string[]> {
  const n = checkAccountName(name)
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(`SELECT disabled_at FROM accounts WHERE name = $1`, [n])
    if (rows.length === 0) throw new ServiceError('unknown-account', `"${n}"`)
    if (isNull(rows[0]!['disabled_at'])) {
      await tx.query(`UPDATE accounts SET disabled_at = $1 WHERE name = $2`, [now, n])
      await tx.query(`DELETE FROM sessions WHERE account = $1`, [n])
    }
    // Always, so that disabling again also ends refresh tokens an older Coterie never deleted.
    await tx.query(`DELETE FROM refresh_tokens WHERE account = $1`, [n])
    const keys = await tx.query(`SELECT DISTINCT member_key FROM certificates WHERE account = $1 ORDER BY member_key`, [
      n,
    ])
    return keys.rows.map((r) => text(r['member_key']))
  })
}

/**
 * Every key a certificate was issued to for an account that is now disabled: what the provider's
 * group must have revoked. The node that publishes the group index (the seeder's `serve`) revokes
 * these in its profile, so a disable run on any issuance node's copy of the profile reaches peers.
 */
export async function disabledKeys(db: Database): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT c.member_key FROM certificates c JOIN accounts a ON a.name = c.account
      WHERE a.disabled_at IS NOT NULL ORDER BY c.member_key`,
  )
  return rows.map((r) => text(r['member_key']))
}

export async function listAccounts(db: Database): Promise<AccountView[]> {
  const { rows } = await db.query(
    `SELECT a.name, a.created_at, a.disabled_at, COUNT(c.id) AS certificates
       FROM accounts a LEFT JOIN certificates c ON c.account = a.name
      GROUP BY a.name, a.created_at, a.disabled_at
      ORDER BY a.name`,
  )
  return rows.map((r) => ({
    name: text(r['name']),
    createdAt: new Date(int(r['created_at'])).toISOString(),
    ...(!isNull(r['disabled_at']) && { disabledAt: new Date(int(r['disabled_at'])).toISOString() }),
    certificates: int(r['certificates']),
  }))
}
