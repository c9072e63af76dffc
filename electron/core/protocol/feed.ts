/**
 * A content provider's feed (PROTOCOL.md §16): an RSS 2.0 document listing the provider's closed
 * torrents, with a detached Ed25519 signature by the provider's swarm key in the role `feed`, so a
 * subscriber can tell it came from the provider and was not altered on the way (a mirror, a cache,
 * a proxy). The document is written in one exact form (`renderFeed`), so reading it back needs no
 * general XML parser: `readFeed` accepts only what `renderFeed` would write for what it read (it
 * renders again and compares the bytes), which also makes the signed bytes canonical. Pure: bytes
 * and keys in, a verdict out.
 */
import { err, ok, type Reason, type Result } from '../../../shared/result.js'
import type { FeedErrorCode } from '../../../shared/protocol-codes.js'
import { bytesToHex, equalBytes, fromUtf8, utf8 } from './bytes.js'
import { KEY_BYTES, MAX_INVITE_TORRENTS, ROLE, SIGNATURE_BYTES } from './constants.js'
import { sign, verify } from './signing.js'

/** Largest feed read or written: 256 items of the longest title and link fit in about 700 KiB. */
export const MAX_FEED_BYTES = 1024 * 1024
/** Items in one feed: as many torrents as a group index or an invite carries (PROTOCOL.md §13). */
export const MAX_FEED_ITEMS = MAX_INVITE_TORRENTS
/** Longest title of the feed or of an item, and longest link, in UTF-16 code units after unescaping. */
export const MAX_FEED_TITLE_CHARS = 256
export const MAX_FEED_LINK_CHARS = 2048
/** The namespace of the elements RSS 2.0 has no word for (swarm, infohash, size). */
export const FEED_NAMESPACE = 'urn:coterie:feed:1'

export interface FeedItem {
  readonly title: string
  /** The torrent's infohash, 40 lowercase hex digits. */
  readonly infoHash: string
  /** Bytes of content the torrent holds. */
  readonly size: number
  /** Unix seconds. */
  readonly publishedAt: number
  /** Where the item's .torrent is (its info dictionary names the swarm key, so it admits no one by itself). */
  readonly torrentUrl: string
  /** Bytes of that .torrent file (RSS's enclosure length). */
  readonly torrentBytes: number
}

export interface Feed {
  /** The provider's name. */
  readonly title: string
  /** The provider's address. */
  readonly link: string
  /** The provider's swarm key, 64 lowercase hex digits: the key that signs the feed. */
  readonly swarm: string
  /** Unix seconds. */
  readonly builtAt: number
  /** Newest first. */
  readonly items: readonly FeedItem[]
}

export type FeedProblem = Reason<FeedErrorCode>

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }
const UNESCAPES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"' }
const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!)
/** Text XML 1.0 can carry and this form writes on one line: no control characters, no line breaks. */
const UNWRITABLE = /[\u0000-\u001f\u007f\ufffe\uffff]/
const HEX40 = /^[0-9a-f]{40}$/
const HEX64 = /^[0-9a-f]{64}$/

/** Whether a title or link can go into a feed as it is (a provider checks before it publishes). */
export const feedTextFits = (s: string, max: number): boolean => s.length <= max && !UNWRITABLE.test(s)

const date = (unixS: number): string => new Date(unixS * 1000).toUTCString()
const count = (n: number): boolean => Number.isSafeInteger(n) && n >= 0

function checkFeed(f: Feed): void {
  const text = (s: string, max: number, what: string) => {
    if (!feedTextFits(s, max)) throw new RangeError(`feed: ${what} is too long or has control characters`)
  }
  text(f.title, MAX_FEED_TITLE_CHARS, 'title')
  text(f.link, MAX_FEED_LINK_CHARS, 'link')
  if (!HEX64.test(f.swarm)) throw new RangeError('feed: swarm is not 64 hex digits')
  if (!count(f.builtAt)) throw new RangeError('feed: builtAt is not a time')
  if (f.items.length > MAX_FEED_ITEMS) throw new RangeError(`feed: more than ${MAX_FEED_ITEMS} items`)
  for (const i of f.items) {
    text(i.title, MAX_FEED_TITLE_CHARS, 'an item title')
    text(i.torrentUrl, MAX_FEED_LINK_CHARS, 'an item link')
    if (!HEX40.test(i.infoHash)) throw new RangeError('feed: infoHash is not 40 hex digits')
    if (!count(i.size) || !count(i.publishedAt) || !count(i.torrentBytes))
      throw new RangeError('feed: an item size or time is not a whole number')
  }
}

/** The feed's bytes, in the one form PROTOCOL.md §16 gives. Throws on a feed it cannot write (a bug). */
export function renderFeed(f: Feed): Uint8Array {
  checkFeed(f)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<rss version="2.0" xmlns:coterie="${FEED_NAMESPACE}">`,
    '<channel>',
    `<title>${escape(f.title)}</title>`,
    `<link>${escape(f.link)}</link>`,
    `<description>Closed torrents: only a subscriber's certificate opens them.</description>`,
    `<lastBuildDate>${date(f.builtAt)}</lastBuildDate>`,
    `<coterie:swarm>${f.swarm}</coterie:swarm>`,
  ]
  for (const i of f.items) {
    const url = escape(i.torrentUrl)
    lines.push(
      '<item>',
      `<title>${escape(i.title)}</title>`,
      `<link>${url}</link>`,
      `<guid isPermaLink="false">urn:btih:${i.infoHash}</guid>`,
      `<pubDate>${date(i.publishedAt)}</pubDate>`,
      `<enclosure url="${url}" length="${i.torrentBytes}" type="application/x-bittorrent"/>`,
      `<coterie:infohash>${i.infoHash}</coterie:infohash>`,
      `<coterie:size>${i.size}</coterie:size>`,
      '</item>',
    )
  }
  lines.push('</channel>', '</rss>', '')
  const bytes = utf8(lines.join('\n'))
  if (bytes.length > MAX_FEED_BYTES) throw new RangeError(`feed: more than ${MAX_FEED_BYTES} bytes`)
  return bytes
}

/** The provider's detached signature over the feed's bytes: its swarm key, role `feed` (PROTOCOL.md §3). */
export const signFeed = (swarmSecret: Uint8Array, feed: Uint8Array): Uint8Array => sign(swarmSecret, ROLE.feed, feed)

/**
 * A feed as the provider signed it, or why not, checked in PROTOCOL.md §16's order: its size,
 * the signature over its bytes, its form, its item count, the swarm it names. Never throws.
 */
export function verifyFeed(bytes: Uint8Array, signature: Uint8Array, swarmKey: Uint8Array): Result<Feed, FeedProblem> {
  if (bytes.length > MAX_FEED_BYTES) return err({ code: 'oversize' })
  if (signature.length !== SIGNATURE_BYTES || swarmKey.length !== KEY_BYTES) return err({ code: 'bad-signature' })
  if (!verify(swarmKey, ROLE.feed, bytes, signature)) return err({ code: 'bad-signature' })
  const read = readFeed(bytes)
  if (!read.ok) return read
  if (read.value.swarm !== bytesToHex(swarmKey)) return err({ code: 'wrong-swarm' })
  return read
}

/** Text between a fixed prefix and suffix on one line, unescaped; undefined if the line is not that. */
function field(line: string | undefined, prefix: string, suffix: string): string | undefined {
  if (line === undefined || !line.startsWith(prefix) || !line.endsWith(suffix)) return undefined
  const raw = line.slice(prefix.length, line.length - suffix.length)
  if (/[<>"]/.test(raw)) return undefined
  let bad = false
  const text = raw.replace(/&([a-z]*);?/g, (m, name: string) => {
    const c = UNESCAPES[name]
    if (c === undefined || !m.endsWith(';')) bad = true
    return c ?? ''
  })
  return bad ? undefined : text
}

const unixOf = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const ms = Date.parse(s)
  return Number.isFinite(ms) && ms % 1000 === 0 && ms >= 0 ? ms / 1000 : undefined
}
const whole = (s: string | undefined): number | undefined =>
  s !== undefined && /^(0|[1-9][0-9]{0,15})$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined

/**
 * The feed the bytes hold, if they are exactly what renderFeed writes (`malformed` otherwise,
 * `too-many-items` past MAX_FEED_ITEMS). Checks no signature: verifyFeed does, first.
 */
export function readFeed(bytes: Uint8Array): Result<Feed, FeedProblem> {
  const malformed = err({ code: 'malformed' as const })
  if (bytes.length > MAX_FEED_BYTES) return err({ code: 'oversize' })
  const s = fromUtf8(bytes)
  if (s === undefined) return malformed
  const lines = s.split('\n')
  let at = 8
  const head = lines.slice(0, at)
  const title = field(head[3], '<title>', '</title>')
  const link = field(head[4], '<link>', '</link>')
  const builtAt = unixOf(field(head[6], '<lastBuildDate>', '</lastBuildDate>'))
  const swarm = field(head[7], '<coterie:swarm>', '</coterie:swarm>')
  if (title === undefined || link === undefined || builtAt === undefined || swarm === undefined) return malformed
  const items: FeedItem[] = []
  while (lines[at] === '<item>') {
    if (items.length >= MAX_FEED_ITEMS) return err({ code: 'too-many-items' })
    const l = lines.slice(at, at + 9)
    const item = {
      title: field(l[1], '<title>', '</title>'),
      torrentUrl: field(l[2], '<link>', '</link>'),
      publishedAt: unixOf(field(l[4], '<pubDate>', '</pubDate>')),
      torrentBytes: whole(
        /^<enclosure url="[^"]*" length="([0-9]+)" type="application\/x-bittorrent"\/>$/.exec(l[5] ?? '')?.[1],
      ),
      infoHash: field(l[6], '<coterie:infohash>', '</coterie:infohash>'),
      size: whole(field(l[7], '<coterie:size>', '</coterie:size>')),
    }
    if (Object.values(item).some((v) => v === undefined)) return malformed
    items.push(item as FeedItem)
    at += 9
  }
  const feed: Feed = { title, link, swarm, builtAt, items }
  // Whatever the lines said, only the exact bytes renderFeed writes for it are a feed.
  try {
    return equalBytes(renderFeed(feed), bytes) ? ok(feed) : malformed
  } catch {
    return malformed
  }
}
