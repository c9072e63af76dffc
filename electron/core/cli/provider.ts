/**
 * `coterie provider ...`: the content provider's commands (docs/PROVIDER.md). Kept out of
 * main.ts so the provider's code (and better-sqlite3's native module) loads only when one of
 * these runs. Passwords come on standard input, never as arguments (which `ps` shows to anyone).
 */
import type { Command } from 'commander'
import { ServiceError } from '../../../shared/service-errors.js'
import { installNativePrimitives, revokeKeys, type ProfileStore } from '../service/index.js'
import { shown } from './terminal.js'

export interface ProviderCliContext {
  readonly out: (text?: string) => void
  readonly profileDir: () => string
  /** The profile under its lock (a change: `init` creates the provider's group). */
  readonly openStore: () => Promise<ProfileStore>
  /** The profile read without its lock (a running node may hold it). */
  readonly readStore: () => Promise<ProfileStore>
  /** Tells a running node (`coterie run` on this profile) to pick up a change now. */
  readonly poke: () => Promise<unknown>
}

const load = () => import('../provider/index.js')

/** Reads the password from standard input: at most MAX_PASSWORD_BYTES, one trailing newline dropped. */
async function passwordFromStdin(max: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length
    // One byte over the bound is enough to refuse: read no further.
    if (size > max + 2) throw new ServiceError('bad-password')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** HOST:PORT (IPv6 in brackets); port 0 picks a free one. */
function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value)
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535) throw new ServiceError('bad-peer', `--listen "${value}"`)
  return { host: m[1] ?? m[2]!, port }
}

const DATABASE_FLAG = '--database <url>'
const DATABASE_HELP =
  'a PostgreSQL URL (postgres://USER@HOST/DATABASE; a password from PGPASSWORD or ~/.pgpass) shared by several issuance nodes; default: what init recorded, else SQLite in the profile'

export function addProviderCommands(program: Command, cx: ProviderCliContext): void {
  const provider = program
    .command('provider')
    .description('run a content provider: accounts, logins and certificates for its subscribers')

  provider
    .command('init <name>')
    .description("make this profile a content provider: the provider's group (its swarm key) and its database")
    .option(
      DATABASE_FLAG,
      'keep the accounts in PostgreSQL (postgres://USER@HOST/DATABASE) instead of SQLite in the profile; recorded in the profile for its later commands',
    )
    .action(async (name: string, o: { database?: string }) => {
      const { initProvider } = await load()
      const p = await initProvider(await cx.openStore(), cx.profileDir(), name, o.database)
      await p.db.close()
      cx.out(
        `provider ${shown(p.name)} (group ${p.groupId})  swarm key ${Buffer.from(p.swarm.publicKey).toString('hex')}`,
      )
    })

  const user = provider.command('user').description("the provider's accounts")
  user
    .command('add <name>')
    .description('add an account; its password is read from standard input')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (name: string, o: { database?: string }) => {
      const { addAccount, openProvider, MAX_PASSWORD_BYTES } = await load()
      const password = await passwordFromStdin(MAX_PASSWORD_BYTES)
      const p = await openProvider(await cx.readStore(), cx.profileDir(), o.database)
      try {
        cx.out(`added ${shown(await addAccount(p.db, name, password))}`)
      } finally {
        await p.db.close()
      }
    })
  user
    .command('disable <name>')
    .description(
      "refuse its logins and certificates from now on, end its sessions, and revoke its keys in the provider's group",
    )
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (name: string, o: { database?: string }) => {
      const { disableAccount, openProvider } = await load()
      const store = await cx.openStore()
      const p = await openProvider(store, cx.profileDir(), o.database)
      try {
        const keys = await disableAccount(p.db, name)
        // The group index carries the revocation to every member's node (PROTOCOL.md §13).
        await revokeKeys(store, p.groupId, keys)
        cx.out(`disabled ${shown(name.trim().toLowerCase())}; ${keys.length} key(s) revoked`)
      } finally {
        await p.db.close()
      }
      await cx.poke()
    })
  user
    .command('list')
    .option('--json')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (o: { json?: boolean; database?: string }) => {
      const { listAccounts, openProvider } = await load()
      const p = await openProvider(await cx.readStore(), cx.profileDir(), o.database)
      try {
        const accounts = await listAccounts(p.db)
        if (o.json === true) return cx.out(JSON.stringify(accounts, null, 2))
        for (const a of accounts)
          cx.out(
            `${shown(a.name)}\t${a.disabledAt === undefined ? 'active' : `disabled ${a.disabledAt}`}\t` +
              `${a.certificates} certificates\tsince ${a.createdAt}`,
          )
      } finally {
        await p.db.close()
      }
    })

  provider
    .command('serve')
    .description('serve logins and certificates over HTTP until SIGINT/SIGTERM (put TLS in front of it)')
    .requiredOption('--listen <host:port>', 'where to listen, e.g. 127.0.0.1:8080 (port 0: a free one)', parseListen)
    .option(
      '--trust-proxy <address>',
      "a reverse proxy's address whose X-Forwarded-For names the client (repeatable; rate limits count that client)",
      (v: string, prev: string[] = []) => [...prev, v],
      [],
    )
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (o: { listen: { host: string; port: number }; trustProxy: string[]; database?: string }) => {
      const { Issuer, openProvider, serveProvider } = await load()
      // Each certificate costs a verify and a sign: native curves, as a running node uses (service/index.ts).
      installNativePrimitives()
      const p = await openProvider(await cx.readStore(), cx.profileDir(), o.database)
      const swarmKey = Buffer.from(p.swarm.publicKey).toString('hex')
      const service = await serveProvider(
        new Issuer(p.db, p.swarm),
        { name: p.name, swarmKey },
        { ...o.listen, trustedProxies: o.trustProxy },
      )
      const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host
      cx.out(`provider ${shown(p.name)} listening on http://${host}:${service.port}`)
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop())
        process.once('SIGTERM', () => resolveStop())
      })
      await service.close()
      await p.db.close()
      cx.out('stopped')
    })
}
