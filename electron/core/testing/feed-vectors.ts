/**
 * Builds the feed test vectors (electron/core/protocol/vectors/feed-v1.json, PROTOCOL.md §16) from
 * fixed seeds: a provider's feed, its detached signature, and feeds a subscriber must refuse with
 * the code each gets. Ed25519 is deterministic, so the file is rebuilt byte for byte by the tests
 * (protocol/feed.test.ts): the stored file, the code and the document cannot drift apart.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { renderFeed, signFeed, MAX_FEED_BYTES, MAX_FEED_ITEMS, type Feed } from '../protocol/feed.js'
import { sign } from '../protocol/signing.js'
import { ROLE } from '../protocol/constants.js'
import { utf8 } from '../protocol/bytes.js'
import { NOW, DAY, keyPair, seed } from './fixtures.js'

const hex = bytesToHex

export function vectorFeed(swarmHex: string, items = 2): Feed {
  return {
    title: 'Films & <Friends>',
    link: 'https://provider.example/',
    swarm: swarmHex,
    builtAt: NOW,
    items: Array.from({ length: items }, (_, i) => ({
      title: i === 0 ? 'Episode "one" — 1080p' : `Item ${i}`,
      infoHash: hex(seed(`feed item ${i}`).subarray(0, 20)),
      size: 1_000_000 * (i + 1),
      publishedAt: NOW - i * DAY,
      torrentUrl: `https://provider.example/v1/torrents/${hex(seed(`feed item ${i}`).subarray(0, 20))}.torrent`,
      torrentBytes: 300 + i,
    })),
  }
}

export function buildFeedVectors() {
  const provider = keyPair('feed provider')
  const other = keyPair('feed other provider')
  const feed = renderFeed(vectorFeed(hex(provider.publicKey)))
  const signature = signFeed(provider.secretKey, feed)
  const tampered = feed.slice()
  tampered[Buffer.from(feed).lastIndexOf('Item 1')]! ^= 0x01 // one bit of the last item's title: 'I' -> 'H'
  const malformed = utf8(new TextDecoder().decode(feed).replace('<channel>\n', '<channel>\n\n'))
  const many = renderFeedUnchecked(vectorFeed(hex(provider.publicKey), MAX_FEED_ITEMS + 1))
  const otherSwarm = renderFeed(vectorFeed(hex(other.publicKey)))
  const bad = (name: string, bytes: Uint8Array, sig: Uint8Array, expect: string) => ({
    name,
    feed: new TextDecoder().decode(bytes),
    signature: hex(sig),
    expect,
  })
  return {
    about: 'PROTOCOL.md §16: a provider feed and its detached Ed25519 signature (swarm key, role "feed")',
    swarmKey: hex(provider.publicKey),
    swarmSecretKey: hex(provider.secretKey),
    // Every feed is stored as its UTF-8 text: the signed bytes are exactly that text's UTF-8 encoding.
    feed: new TextDecoder().decode(feed),
    signature: hex(signature),
    negative: [
      bad('one bit of an item title flipped', tampered, signature, 'bad-signature'),
      bad('signed by another key', feed, signFeed(other.secretKey, feed), 'bad-signature'),
      bad('signed in another role (index)', feed, sign(provider.secretKey, ROLE.index, feed), 'bad-signature'),
      bad('a 63-byte signature', feed, signature.subarray(0, 63), 'bad-signature'),
      bad('signed, with a blank line added', malformed, signFeed(provider.secretKey, malformed), 'malformed'),
      bad('signed, with one item too many', many, signFeed(provider.secretKey, many), 'too-many-items'),
      bad(
        'signed by this key, naming another swarm',
        otherSwarm,
        signFeed(provider.secretKey, otherSwarm),
        'wrong-swarm',
      ),
    ],
    // Not stored as bytes (it would be 2 MiB of hex): the feed is MAX_FEED_BYTES + 1 bytes of 0x20.
    oversize: { fill: '20', length: MAX_FEED_BYTES + 1, signature: hex(signature), expect: 'oversize' },
  }
}

/** renderFeed without its item bound, to make the too-many-items vector. */
function renderFeedUnchecked(f: Feed): Uint8Array {
  const head = new TextDecoder().decode(renderFeed({ ...f, items: f.items.slice(0, MAX_FEED_ITEMS) }))
  const extra = new TextDecoder().decode(renderFeed({ ...f, items: f.items.slice(MAX_FEED_ITEMS) }))
  const itemsOf = (s: string) => s.slice(s.indexOf('<item>'), s.lastIndexOf('</channel>'))
  return utf8(head.replace('</channel>', `${itemsOf(extra)}</channel>`))
}
