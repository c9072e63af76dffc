/**
 * Local service discovery datagrams (BEP 14; docs/PROTOCOL.md §12.3), carrying discovery topics
 * where BEP 14 carries infohashes: a member on the local network hears "someone at this address
 * serves topic T", which only holders of the group secret can map to a torrent.
 *
 * The parser is strict and bounded because anyone on the local network can send us datagrams
 * (the bittorrent-lsd package's parser throws on a datagram without line breaks, which would
 * crash the node from its socket handler).
 */
import { err, ok, type Result } from '../../../shared/result.js'

export const LSD_HOST = '239.192.152.143'
export const LSD_PORT = 6771
/** Larger datagrams are dropped unread: a full announce of 8 keys is about 500 bytes. */
export const MAX_LSD_DATAGRAM_BYTES = 1400
export const MAX_LSD_KEYS = 8

export interface LsdAnnounce {
  readonly port: number
  /** 40 lower-case hex digits each: topics (or, for public groups, infohashes). */
  readonly keys: readonly string[]
  readonly cookie: string
}

export type LsdProblem = 'oversize' | 'malformed'

const HEX40 = /^[0-9a-fA-F]{40}$/
const COOKIE = /^[\x21-\x7e]{1,64}$/

export function formatLsdAnnounce(a: LsdAnnounce): string {
  if (a.keys.length === 0 || a.keys.length > MAX_LSD_KEYS || a.keys.some((k) => !HEX40.test(k)))
    throw new RangeError(`formatLsdAnnounce: 1 to ${MAX_LSD_KEYS} keys of 40 hex digits`)
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535 || !COOKIE.test(a.cookie))
    throw new RangeError('formatLsdAnnounce: bad port or cookie')
  const lines = [
    'BT-SEARCH * HTTP/1.1',
    `Host: ${LSD_HOST}:${LSD_PORT}`,
    `Port: ${a.port}`,
    ...a.keys.map((k) => `Infohash: ${k.toLowerCase()}`),
    `cookie: ${a.cookie}`,
  ]
  return lines.join('\r\n') + '\r\n\r\n\r\n'
}

/** Parses one datagram (as bytes: the size bound applies before any decoding). */
export function parseLsdAnnounce(bytes: Uint8Array): Result<LsdAnnounce, LsdProblem> {
  if (bytes.length > MAX_LSD_DATAGRAM_BYTES) return err('oversize')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return err('malformed')
  }
  if (!text.endsWith('\r\n\r\n')) return err('malformed')
  const lines = text.replace(/(\r\n)+$/, '').split('\r\n')
  if (lines[0] !== 'BT-SEARCH * HTTP/1.1') return err('malformed')
  let port: number | undefined
  let cookie = ''
  let host = false
  const keys: string[] = []
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(': ')
    if (colon < 0) return err('malformed')
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 2)
    if (name === 'host') {
      // IPv4 group only: this node does not listen on the IPv6 one.
      if (host || value !== `${LSD_HOST}:${LSD_PORT}`) return err('malformed')
      host = true
    } else if (name === 'port') {
      if (port !== undefined || !/^[1-9]\d{0,4}$/.test(value) || Number(value) > 65535) return err('malformed')
      port = Number(value)
    } else if (name === 'infohash') {
      if (!HEX40.test(value) || keys.length === MAX_LSD_KEYS) return err('malformed')
      keys.push(value.toLowerCase())
    } else if (name === 'cookie') {
      if (cookie !== '' || !COOKIE.test(value)) return err('malformed')
      cookie = value
    } else {
      return err('malformed')
    }
  }
  if (!host || port === undefined || keys.length === 0) return err('malformed')
  return ok({ port, keys, cookie })
}
