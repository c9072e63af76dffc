/**
 * A profile that is a content provider: one of its owned groups is the provider's swarm (made by
 * the ordinary group machinery, so its key, index, renewal and revocation are the group's), and a
 * database of accounts and issued certificates: SQLite beside the profile, or PostgreSQL when
 * `--database postgres://...` is given (several issuance nodes over one database). `init` makes
 * both; `open` finds them again for the CLI and the service.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ServiceError } from '../../../shared/service-errors.js'
import { createGroup, findGroup, ownerKeys, type KeyPair, type ProfileStore } from '../service/index.js'
import { text, type Database } from './database.js'
import { migrate, SchemaTooNewError } from './migrations.js'
import { isPostgresUrl, openPostgres, redactUrl } from './postgres.js'
import { openSqlite } from './sqlite.js'

/** Where the provider's SQLite database lives, inside the profile directory (its permissions guard it too). */
export const providerDatabasePath = (profileDir: string): string => join(profileDir, 'provider', 'provider.sqlite3')
/**
 * Where `init --database URL` records the PostgreSQL URL, so that the profile's later commands (and
 * a copy of the profile on another issuance node) find the same database without the flag. Mode
 * 0600 inside the 0700 profile: the URL may carry a password.
 */
export const providerDatabaseUrlPath = (profileDir: string): string => join(profileDir, 'provider', 'database-url')

export interface Provider {
  readonly name: string
  readonly groupId: string
  readonly swarm: KeyPair
  readonly db: Database
}

/** Migrates `db`; a PostgreSQL server that cannot be reached or refuses us is the operator's to fix, said in words. */
async function migrated(db: Database, url: string | undefined): Promise<void> {
  try {
    await migrate(db)
  } catch (e) {
    if (url === undefined || e instanceof SchemaTooNewError || e instanceof ServiceError) throw e
    throw new ServiceError('database-failed', `${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

async function providerRow(db: Database): Promise<{ name: string; groupId: string } | undefined> {
  const { rows } = await db.query(`SELECT name, group_id FROM provider WHERE id = 1`)
  const r = rows[0]
  return r === undefined ? undefined : { name: text(r['name']), groupId: text(r['group_id']) }
}

/**
 * Makes the provider's swarm (a public group: non-enforcing clients may seed for subscribers, the
 * issue's design) and its database. Refused if the profile already is a provider.
 */
export async function initProvider(
  store: ProfileStore,
  profileDir: string,
  name: string,
  database?: string,
): Promise<Provider> {
  if (database !== undefined && !isPostgresUrl(database)) throw new ServiceError('bad-database', `"${database}"`)
  mkdirSync(join(profileDir, 'provider'), { recursive: true, mode: 0o700 })
  // A profile has one provider: a recorded PostgreSQL URL, or a SQLite file, means it already is one.
  if (existsSync(providerDatabaseUrlPath(profileDir))) throw new ServiceError('provider-exists')
  if (database !== undefined && existsSync(providerDatabasePath(profileDir))) throw new ServiceError('provider-exists')
  const db = database === undefined ? openSqlite(providerDatabasePath(profileDir)) : openPostgres(database)
  try {
    await migrated(db, database)
    if ((await providerRow(db)) !== undefined) throw new ServiceError('provider-exists')
    const group = await createGroup(store, name, { announcePublic: true })
    await db.query(`INSERT INTO provider (id, name, group_id, swarm_key, created_at) VALUES (1, $1, $2, $3, $4)`, [
      group.name,
      group.id,
      group.swarmPublicKey,
      Date.now(),
    ])
    if (database !== undefined) writeFileSync(providerDatabaseUrlPath(profileDir), `${database}\n`, { mode: 0o600 })
    return { name: group.name, groupId: group.id, swarm: ownerKeys(group), db }
  } catch (e) {
    await db.close()
    throw e
  }
}

/**
 * The provider of this profile, its database migrated to this code's schema: `database` (a
 * PostgreSQL URL) if given, else the one `init` recorded, else the profile's SQLite file.
 */
export async function openProvider(store: ProfileStore, profileDir: string, database?: string): Promise<Provider> {
  if (database !== undefined && !isPostgresUrl(database)) throw new ServiceError('bad-database', `"${database}"`)
  const recorded = providerDatabaseUrlPath(profileDir)
  const url = database ?? (existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : undefined)
  const file = providerDatabasePath(profileDir)
  if (url === undefined && !existsSync(file)) throw new ServiceError('no-provider')
  const db = url === undefined ? openSqlite(file) : openPostgres(url)
  try {
    await migrated(db, url)
    const row = await providerRow(db)
    if (row === undefined) throw new ServiceError('no-provider')
    const group = findGroup(store.current, row.groupId)
    return { name: row.name, groupId: row.groupId, swarm: ownerKeys(group), db }
  } catch (e) {
    await db.close()
    throw e
  }
}
