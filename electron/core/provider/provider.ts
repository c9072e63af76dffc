/**
 * A profile that is a content provider: one of its owned groups is the provider's swarm (made by
 * the ordinary group machinery, so its key, index, renewal and revocation are the group's), and
 * beside the profile a database of accounts and issued certificates. `init` makes both; `open`
 * finds them again for the CLI and the service.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ServiceError } from '../../../shared/service-errors.js'
import { createGroup, findGroup, ownerKeys, type KeyPair, type ProfileStore } from '../service/index.js'
import { text, type Database } from './database.js'
import { migrate } from './migrations.js'
import { openSqlite } from './sqlite.js'

/** Where the provider's SQLite database lives, inside the profile directory (its permissions guard it too). */
export const providerDatabasePath = (profileDir: string): string => join(profileDir, 'provider', 'provider.sqlite3')

export interface Provider {
  readonly name: string
  readonly groupId: string
  readonly swarm: KeyPair
  readonly db: Database
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
export async function initProvider(store: ProfileStore, profileDir: string, name: string): Promise<Provider> {
  const file = providerDatabasePath(profileDir)
  mkdirSync(join(profileDir, 'provider'), { recursive: true, mode: 0o700 })
  const db = openSqlite(file)
  try {
    await migrate(db)
    if ((await providerRow(db)) !== undefined) throw new ServiceError('provider-exists')
    const group = await createGroup(store, name, { announcePublic: true })
    await db.query(`INSERT INTO provider (id, name, group_id, swarm_key, created_at) VALUES (1, $1, $2, $3, $4)`, [
      group.name,
      group.id,
      group.swarmPublicKey,
      Date.now(),
    ])
    return { name: group.name, groupId: group.id, swarm: ownerKeys(group), db }
  } catch (e) {
    await db.close()
    throw e
  }
}

/** The provider of this profile, its database migrated to this code's schema. */
export async function openProvider(store: ProfileStore, profileDir: string): Promise<Provider> {
  const file = providerDatabasePath(profileDir)
  if (!existsSync(file)) throw new ServiceError('no-provider')
  const db = openSqlite(file)
  try {
    await migrate(db)
    const row = await providerRow(db)
    if (row === undefined) throw new ServiceError('no-provider')
    const group = findGroup(store.current, row.groupId)
    return { name: row.name, groupId: row.groupId, swarm: ownerKeys(group), db }
  } catch (e) {
    await db.close()
    throw e
  }
}
