/**
 * What the provider publishes: `provider publish PATH` makes the file or folder a share of the
 * provider's group (the ordinary `share` operation: a closed torrent of the group's swarm key, in
 * the group index, seeded by the node) and records it in the `items` table for the feed. The feed
 * (PROTOCOL.md §16) is built from those rows alone, each carrying its info dictionary, and signed
 * with the swarm key: so every issuance node over one database serves the same feed, not only the
 * one whose profile published. An item taken out of the group (`coterie unshare` on the provider's
 * profile) is marked withdrawn and leaves the feed with it.
 */
import { ServiceError } from '../../../shared/service-errors.js'
import {
  feedTextFits,
  layoutOfInfo,
  MAX_FEED_ITEMS,
  MAX_FEED_TITLE_CHARS,
  plainTorrent,
  renderFeed,
  share,
  signFeed,
  type FeedItem,
  type ProfileStore,
} from '../service/index.js'
import { int, isNull, text, type Database } from './database.js'
import type { Provider } from './provider.js'

export interface Item {
  readonly infoHash: string
  readonly title: string
  readonly name: string
  /** Bytes of content. */
  readonly size: number
  /** Milliseconds since the epoch. */
  readonly publishedAt: number
}

/** Bytes of content in a torrent's info dictionary. */
function sizeOf(info: Uint8Array): number {
  const layout = layoutOfInfo(info)
  return layout === undefined ? 0 : layout.files.reduce((n, f) => n + f.length, 0)
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/**
 * Publishes PATH as an item of the provider: shared into its group, then listed in the feed.
 * Publishing the same bytes again changes nothing and answers the item already published.
 */
export async function publish(
  store: ProfileStore,
  provider: Provider,
  path: string,
  title?: string,
  onProgress?: (hashed: number, total: number) => void,
  now = Date.now(),
): Promise<{ item: Item; fresh: boolean }> {
  // Checked before hashing: hashing gigabytes to then refuse the title would waste minutes.
  if (title !== undefined && (title.trim() === '' || !feedTextFits(title, MAX_FEED_TITLE_CHARS)))
    throw new ServiceError('bad-title', `at most ${MAX_FEED_TITLE_CHARS} characters, on one line`)
  const listed = await provider.db.query(`SELECT COUNT(*) AS n FROM items`)
  if (int(listed.rows[0]!['n']) >= MAX_FEED_ITEMS) throw new ServiceError('too-many-items', `${MAX_FEED_ITEMS}`)
  const entry = await share(store, path, provider.groupId, onProgress)
  const name = feedTextFits(entry.name, MAX_FEED_TITLE_CHARS) ? entry.name : entry.name.slice(0, MAX_FEED_TITLE_CHARS)
  const info = await store.readTorrentInfo(entry.infoHash)
  const item: Item = {
    infoHash: entry.infoHash,
    title: title ?? name,
    name: entry.name,
    size: sizeOf(info),
    publishedAt: now,
  }
  const fresh = await provider.db.transaction(async (tx) => {
    const { rows } = await tx.query(`SELECT withdrawn_at FROM items WHERE info_hash = $1`, [item.infoHash])
    if (rows[0] !== undefined) {
      // Shared again after an unshare: back in the feed, as first published.
      if (isNull(rows[0]['withdrawn_at'])) return false
      await tx.query(`UPDATE items SET withdrawn_at = NULL, info = $2 WHERE info_hash = $1`, [item.infoHash, hex(info)])
      return true
    }
    await tx.query(
      `INSERT INTO items (info_hash, title, name, size, published_at, info) VALUES ($1, $2, $3, $4, $5, $6)`,
      [item.infoHash, item.title, item.name, item.size, item.publishedAt, hex(info)],
    )
    return true
  })
  const stored = await itemOf(provider.db, item.infoHash)
  return { item: stored ?? item, fresh }
}

/**
 * Takes an item out of the feed on every node: what `coterie unshare` does on the provider's
 * profile after the share left the group. Answers whether it was listed.
 */
export async function withdraw(provider: Provider, infoHash: string, now = Date.now()): Promise<boolean> {
  const { changes } = await provider.db.query(
    `UPDATE items SET withdrawn_at = $2 WHERE info_hash = $1 AND withdrawn_at IS NULL`,
    [infoHash, now],
  )
  return changes > 0
}

/**
 * Gives the items published before the database kept info dictionaries (migration 4) theirs, from
 * this profile's copy, for those still in the group; answers how many. Run by the publishing
 * profile's `serve`; on any other node the rows are left for it (an item this profile does not
 * hold is not withdrawn by it: it may have been published after this profile was copied).
 */
export async function fillItemInfo(store: ProfileStore, provider: Provider): Promise<number> {
  const { rows } = await provider.db.query(`SELECT info_hash FROM items WHERE info IS NULL AND withdrawn_at IS NULL`)
  const inGroup = new Set(
    (await store.read()).torrents.filter((t) => t.groupId === provider.groupId).map((t) => t.infoHash),
  )
  let filled = 0
  for (const r of rows) {
    const infoHash = text(r['info_hash'])
    if (!inGroup.has(infoHash)) continue
    const info = await store.readTorrentInfo(infoHash)
    const { changes } = await provider.db.query(`UPDATE items SET info = $2 WHERE info_hash = $1 AND info IS NULL`, [
      infoHash,
      hex(info),
    ])
    filled += changes
  }
  return filled
}

const rowItem = (r: Readonly<Record<string, unknown>>): Item => ({
  infoHash: text(r['info_hash']),
  title: text(r['title']),
  name: text(r['name']),
  size: int(r['size']),
  publishedAt: int(r['published_at']),
})

async function itemOf(db: Database, infoHash: string): Promise<Item | undefined> {
  const { rows } = await db.query(`SELECT * FROM items WHERE info_hash = $1`, [infoHash])
  return rows[0] === undefined ? undefined : rowItem(rows[0])
}

/** An item of the feed with its info dictionary. */
interface Listed extends Item {
  readonly info: Uint8Array
}

/** The items in the feed, newest first (at most MAX_FEED_ITEMS): not withdrawn, their info known. */
async function listed(provider: Provider): Promise<Listed[]> {
  const { rows } = await provider.db.query(
    `SELECT info_hash, title, name, size, published_at, info FROM items
       WHERE withdrawn_at IS NULL AND info IS NOT NULL
       ORDER BY published_at DESC, info_hash LIMIT $1`,
    [MAX_FEED_ITEMS],
  )
  return rows.map((r) => ({ ...rowItem(r), info: Buffer.from(text(r['info']), 'hex') }))
}

/** The items in the feed, newest first (at most MAX_FEED_ITEMS). */
export async function listItems(provider: Provider): Promise<Item[]> {
  return (await listed(provider)).map(({ info: _info, ...item }) => item)
}

/** The plain .torrent of an item in the feed; undefined for anything else. */
export async function itemTorrent(provider: Provider, infoHash: string): Promise<Uint8Array | undefined> {
  const { rows } = await provider.db.query(
    `SELECT info FROM items WHERE info_hash = $1 AND withdrawn_at IS NULL AND info IS NOT NULL`,
    [infoHash],
  )
  return rows[0] === undefined ? undefined : plainTorrent(Buffer.from(text(rows[0]['info']), 'hex'))
}

export interface SignedFeed {
  readonly bytes: Uint8Array
  readonly signature: Uint8Array
}

/**
 * The feed (PROTOCOL.md §16) as of now, signed. `baseUrl` is the provider's public address (what
 * subscribers and readers use, a reverse proxy's; never taken from a request's Host header, which
 * the client chooses). Its date is the newest item's, so the same items give the same signed bytes.
 */
export async function signedFeed(provider: Provider, baseUrl: string): Promise<SignedFeed> {
  const items = await listed(provider)
  const { rows } = await provider.db.query(`SELECT created_at FROM provider WHERE id = 1`)
  const created = int(rows[0]!['created_at'])
  const s = (ms: number) => Math.floor(ms / 1000)
  const feedItems: FeedItem[] = items.map((i) => ({
    title: i.title,
    infoHash: i.infoHash,
    size: i.size,
    publishedAt: s(i.publishedAt),
    torrentUrl: new URL(`v1/torrents/${i.infoHash}.torrent`, baseUrl).href,
    torrentBytes: plainTorrent(i.info).length,
  }))
  const bytes = renderFeed({
    title: provider.name,
    link: baseUrl,
    swarm: Buffer.from(provider.swarm.publicKey).toString('hex'),
    builtAt: s(Math.max(created, ...items.map((i) => i.publishedAt))),
    items: feedItems,
  })
  return { bytes, signature: signFeed(provider.swarm.secretKey, bytes) }
}
