/**
 * Where a group's torrents are found. A closed torrent is private, so the plain infohash is
 * never announced; members meet under a per-torrent topic that only holders of the group secret
 * (which only invites carry) can compute. A leaked .torrent gives the infohash and the swarm key,
 * not the secret, so it does not reveal where the members are.
 *
 *   topic = SHA-256(bencode(["coterie", 1, "topic", group secret, infohash]))[0..20]
 * (20 bytes: the size of a DHT key, so it is announced and looked up like an infohash).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { encode } from './canonical.js'
import { DOMAIN, INFOHASH_BYTES, PROTOCOL_VERSION } from './constants.js'

export function discoveryTopic(groupSecret: Uint8Array, infoHash: Uint8Array): Uint8Array {
  if (groupSecret.length !== 32 || infoHash.length !== INFOHASH_BYTES)
    throw new RangeError('discoveryTopic: bad lengths')
  return sha256(encode([DOMAIN, PROTOCOL_VERSION, 'topic', groupSecret, infoHash])).slice(0, 20)
}
