/**
 * What the provider publishes: `provider publish PATH` makes the file or folder a share of the
 * provider's group (the ordinary `share` operation: a closed torrent of the group's swarm key, in
 * the group index, seeded by the node) and records it in the `items` table for the feed. The feed
 * (PROTOCOL.md §16) is built from those rows and signed with the swarm key; an item taken out of
 * the group (`coterie unshare`) leaves the feed with it.
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
import { int, text, type Database } from './database.js'
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
async function sizeOf(store: ProfileStore, infoHash: string): Promise<number> {
  const layout = layoutOfInfo(await store.readTorrentInfo(infoHash))
  return layout === undefined ? 0 : layout.files.reduce((n, f) => n + f.length, 0)
}

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
  const item: Item = {
    infoHash: entry.infoHash,
    title: title ?? name,
    name: entry.name,
    size: await sizeOf(store, entry.infoHash),
    publishedAt: now,
  }
  const fresh = await provider.db.transaction(async (tx) => {
    const { rows } = await tx.query(`SELECT info_hash FROM items WHERE info_hash = $1`, [item.infoHash])
    if (rows.length > 0) return false
    await tx.query(`INSERT INTO items (info_hash, title, name, size, published_at) VALUES ($1, $2, $3, $4, $5)`, [
      item.infoHash,
      item.title,
      item.name,
      item.size,
      item.publishedAt,
    ])
    return true
  })
  return { item: fresh ? item : (await itemOf(provider.db, item.infoHash))!, fresh }
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

/** The items still in the provider's group, newest first (at most MAX_FEED_ITEMS). */
export async function listItems(store: ProfileStore, provider: Provider): Promise<Item[]> {
  const { rows } = await provider.db.query(
    `SELECT info_hash, title, name, size, published_at FROM items ORDER BY published_at DESC, info_hash LIMIT $1`,
    [MAX_FEED_ITEMS],
  )
  const inGroup = new Set(
    (await store.read()).torrents.filter((t) => t.groupId === provider.groupId).map((t) => t.infoHash),
  )
  return rows.map(rowItem).filter((i) => inGroup.has(i.infoHash))
}

/** The plain .torrent of an item still in the feed; undefined for anything else. */
export async function itemTorrent(
  store: ProfileStore,
  provider: Provider,
  infoHash: string,
): Promise<Uint8Array | undefined> {
  const items = await listItems(store, provider)
  if (!items.some((i) => i.infoHash === infoHash)) return undefined
  return plainTorrent(await store.readTorrentInfo(infoHash))
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
export async function signedFeed(store: ProfileStore, provider: Provider, baseUrl: string): Promise<SignedFeed> {
  const items = await listItems(store, provider)
  const { rows } = await provider.db.query(`SELECT created_at FROM provider WHERE id = 1`)
  const created = int(rows[0]!['created_at'])
  const s = (ms: number) => Math.floor(ms / 1000)
  const feedItems: FeedItem[] = await Promise.all(
    items.map(async (i) => ({
      title: i.title,
      infoHash: i.infoHash,
      size: i.size,
      publishedAt: s(i.publishedAt),
      torrentUrl: new URL(`v1/torrents/${i.infoHash}.torrent`, baseUrl).href,
      torrentBytes: plainTorrent(await store.readTorrentInfo(i.infoHash)).length,
    })),
  )
  const bytes = renderFeed({
    title: provider.name,
    link: baseUrl,
    swarm: Buffer.from(provider.swarm.publicKey).toString('hex'),
    builtAt: s(Math.max(created, ...items.map((i) => i.publishedAt))),
    items: feedItems,
  })
  return { bytes, signature: signFeed(provider.swarm.secretKey, bytes) }
}
