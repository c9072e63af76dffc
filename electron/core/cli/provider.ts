/**
 * `coterie provider ...`: the content provider's commands (docs/PROVIDER.md). Kept out of
 * main.ts so the provider's code (and better-sqlite3's native module) loads only when one of
 * these runs. Passwords come on standard input, never as arguments (which `ps` shows to anyone).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { ServiceError } from '../../../shared/service-errors.js'
import { installNativePrimitives, isPeerAddress, revokeKeys, type ProfileStore } from '../service/index.js'
import type { RunFlags, RunningNode } from './main.js'
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
  /** `run`'s flags, and its node: `provider serve` runs the provider's seeder in the same process. */
  readonly addRunOptions: (c: Command) => Command
  readonly startRun: (store: ProfileStore, o: RunFlags) => Promise<RunningNode>
  readonly untilStopped: () => Promise<void>
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

/** An http(s) address, as the base of the feed's links (a trailing slash added). */
function parsePublicUrl(value: string): string {
  const u = URL.canParse(value) ? new URL(value) : undefined
  if (u === undefined || !/^https?:$/.test(u.protocol) || u.search !== '' || u.hash !== '')
    throw new ServiceError('bad-peer', `--public-url "${value}": an http:// or https:// address`)
  return u.href.endsWith('/') ? u.href : `${u.href}/`
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::'

/** How long one signed feed answers every request: a flood of feed requests signs once per period. */
export const FEED_CACHE_MS = 2_000

function cached<T>(make: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined
  return () => {
    const now = Date.now()
    if (last === undefined || now - last.at >= ms) {
      last = { at: now, value: make() }
      last.value.catch(() => (last = undefined))
    }
    return last.value
  }
}

/**
 * After `coterie unshare` on this profile: if it is a content provider and the share was one of its
 * items, the item leaves the feed of every issuance node (they read the database, not this
 * profile). Answers whether it was in the feed; false for a profile that is no provider.
 */
export async function withdrawFromFeed(store: ProfileStore, profileDir: string, infoHash: string): Promise<boolean> {
  // The folder `provider init` makes (provider.ts): looked for before the provider's code (and
  // better-sqlite3's native module) is loaded for an ordinary profile's unshare.
  if (!existsSync(join(profileDir, 'provider'))) return false
  const { openProvider, withdraw } = await load()
  const p = await openProvider(store, profileDir).catch((e: unknown) => {
    if (e instanceof ServiceError && e.code === 'no-provider') return undefined
    throw e
  })
  if (p === undefined) return false
  try {
    return await withdraw(p, infoHash)
  } finally {
    await p.db.close()
  }
}

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
    .command('publish <path>')
    .description("a new item: PATH becomes a closed torrent of the provider's group, and an entry of its feed")
    .option('--title <title>', 'its title in the feed (default: the file or folder name)')
    .option(DATABASE_FLAG, DATABASE_HELP)
    .action(async (path: string, o: { title?: string; database?: string }) => {
      const { openProvider, publish } = await load()
      const store = await cx.openStore()
      const p = await openProvider(store, cx.profileDir(), o.database)
      try {
        const { item, fresh } = await publish(store, p, path, o.title)
        cx.out(`${fresh ? 'published' : 'already published'} ${shown(item.title)}`)
        cx.out(item.infoHash)
      } finally {
        await p.db.close()
      }
      // The running `provider serve` (or `run`) seeds it and publishes the group's next index now.
      await cx.poke()
    })

  cx.addRunOptions(
    provider
      .command('serve')
      .description(
        "serve logins, certificates and the signed feed over HTTP, and run the provider's node (its seeder), until SIGINT/SIGTERM (put TLS in front of it)",
      )
      .requiredOption('--listen <host:port>', 'where to listen, e.g. 127.0.0.1:8080 (port 0: a free one)', parseListen)
      .option(
        '--public-url <url>',
        "the address subscribers use (a reverse proxy's https://...): the feed's links; default http://LISTEN",
        parsePublicUrl,
      )
      .option(
        '--no-seeder',
        "issuance only (one of several nodes over one database): run no node here; another process runs the provider's",
      )
      .option(
        '--node-address <host:port>',
        "where subscribers reach this node (repeatable; put in their invites); default LISTEN's host with the node's port",
        (v: string, prev: string[] = []) => {
          if (!isPeerAddress(v)) throw new ServiceError('bad-peer', `--node-address "${v}"`)
          return [...prev, v]
        },
        [],
      )
      .option(
        '--trust-proxy <address>',
        "a reverse proxy's address whose X-Forwarded-For names the client (repeatable; rate limits count that client)",
        (v: string, prev: string[] = []) => [...prev, v],
        [],
      )
      .option(DATABASE_FLAG, DATABASE_HELP),
  ).action(
    async (
      o: RunFlags & {
        listen: { host: string; port: number }
        trustProxy: string[]
        publicUrl?: string
        nodeAddress: string[]
        seeder: boolean
        database?: string
      },
    ) => {
      const {
        fillItemInfo,
        Issuer,
        itemTorrent,
        openProvider,
        REVOCATION_SYNC_MS,
        serveProvider,
        signedFeed,
        syncRevocations,
      } = await load()
      const { subscriberInvite } = await import('../service/index.js')
      const store = await cx.openStore()
      const p = await openProvider(store, cx.profileDir(), o.database)
      // Items published before the database kept their torrents (migration 4), from this profile's copies.
      await fillItemInfo(store, p)
      // The provider's node: the same runtime as `coterie run` (the seeder of every item, and the
      // publisher of the group index, revocations included), in this process. Without it, the
      // native curves it would install: each certificate costs a verify and a sign.
      if (!o.seeder) installNativePrimitives()
      const running = o.seeder ? await cx.startRun(store, o) : undefined
      // This node publishes the group index: it carries to peers the accounts disabled on any
      // issuance node (their copies of the profile revoke only locally). One pass at a time.
      let syncing: Promise<void> | undefined
      const syncOnce = async (): Promise<void> => {
        const keys = await syncRevocations(store, p)
        if (keys.length === 0) return
        await running!.node.reload()
        cx.out(`revoked ${keys.length} key(s) of accounts disabled on another issuance node`)
      }
      const sync = (): void => {
        syncing ??= syncOnce()
          .catch((e: unknown) => void process.stderr.write(`revocations not synced: ${(e as Error).message}\n`))
          .finally(() => (syncing = undefined))
      }
      const syncTimer = running === undefined ? undefined : setInterval(sync, REVOCATION_SYNC_MS)
      if (running !== undefined) sync()
      const host = o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host
      const nodeAddresses =
        o.nodeAddress.length > 0 || running === undefined || isWildcard(o.listen.host)
          ? o.nodeAddress
          : [`${host}:${running.node.port}`]
      const swarmKey = Buffer.from(p.swarm.publicKey).toString('hex')
      let base = o.publicUrl
      const service = await serveProvider(
        new Issuer(p.db, p.swarm),
        { name: p.name, swarmKey },
        {
          ...o.listen,
          trustedProxies: o.trustProxy,
          content: {
            feed: cached(() => signedFeed(p, base!), FEED_CACHE_MS),
            torrent: (infoHash) => itemTorrent(p, infoHash),
            // The node's own address first, so a new subscriber's node dials the seeder at once.
            invite: (member, certificate) =>
              subscriberInvite(store, p.groupId, member, Buffer.from(certificate, 'hex'), nodeAddresses),
          },
        },
      )
      base ??= `http://${host}:${service.port}/`
      cx.out(`provider ${shown(p.name)} listening on http://${host}:${service.port}`)
      await cx.untilStopped()
      clearInterval(syncTimer)
      await syncing
      await service.close()
      await running?.stop()
      await p.db.close()
      cx.out('stopped')
    },
  )

  program
    .command('subscribe <url>')
    .description(
      'subscribe to a content provider: log in (password on standard input), join its group; a running node then gets new items and renews by itself',
    )
    .requiredOption('--user <name>', 'your account at the provider')
    .option(
      '--download-dir <dir>',
      "where the provider's items go (default: a folder of their own in the download folder)",
    )
    .action(async (url: string, o: { user: string; downloadDir?: string }) => {
      const { providerUrl, subscribe } = await import('../service/index.js')
      providerUrl(url) // a mistyped address is refused before the password is asked for
      const { MAX_PASSWORD_BYTES } = await import('../provider/password.js')
      const password = await passwordFromStdin(MAX_PASSWORD_BYTES)
      const s = await subscribe(await cx.openStore(), url, o.user, password, o.downloadDir)
      cx.out(
        `subscribed to ${shown(s.provider)} (group ${shown(s.group)}), ${s.torrents.length} item(s), files in ${s.folder}; certificate until ${new Date(s.expiresAt).toISOString()}, renewed by a running node`,
      )
      for (const t of s.torrents) cx.out(t)
      await cx.poke()
    })
}
