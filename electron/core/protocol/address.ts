/**
 * Peer listen addresses as text ("1.2.3.4:6881", "[2001:db8::1]:6881") and as compact bytes
 * (BEP 11/BEP 23: 4 or 16 address bytes, then the port big-endian). Pure: the protocol core has no
 * node:net, so the parsing is done here, strictly (a peer's bytes and a socket's text both pass).
 */

export interface PeerAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly ip: Uint8Array
  readonly port: number
}

const MAX_PORT = 65535
/** 1 to 5 digits, value 1-65535: §7.1's `port`, for peers, trackers and ICE servers (protocol/ice.ts). */
export const isPortText = (digits: string): boolean =>
  /^\d{1,5}$/.test(digits) && Number(digits) >= 1 && Number(digits) <= MAX_PORT
/** §7.1's octet rule: a host of only digits and dots is IPv4, never a name, each part at most 255. */
export const octetsFit = (host: string): boolean =>
  !/^[\d.]+$/.test(host) || host.split('.').every((o) => Number(o) <= 255)

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function parseIPv4(s: string): Uint8Array | undefined {
  const m = IPV4.exec(s)
  if (m === null) return undefined
  const octets = m.slice(1).map(Number)
  // "01" is refused: some stacks read a leading zero as octal.
  if (octets.some((o, i) => o > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return undefined
  return Uint8Array.from(octets)
}

function parseIPv6(s: string): Uint8Array | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined
  const words: number[] = []
  let tail = s
  // An embedded IPv4 address ("::ffff:1.2.3.4") gives the last two words.
  const lastColon = s.lastIndexOf(':')
  const v4 = s.includes('.') ? parseIPv4(s.slice(lastColon + 1)) : undefined
  if (s.includes('.')) {
    if (v4 === undefined) return undefined
    tail = s.slice(0, lastColon + 1) + '0:0'
  }
  const halves = tail.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string): number[] | undefined => {
    if (part === '') return []
    const groups = part.split(':')
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined
    return groups.map((g) => Number.parseInt(g, 16))
  }
  const head = parse(halves[0]!)
  const rest = halves.length === 2 ? parse(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  words.push(...head, ...new Array<number>(missing).fill(0), ...rest)
  const out = new Uint8Array(16)
  words.forEach((w, i) => {
    out[2 * i] = w >> 8
    out[2 * i + 1] = w & 0xff
  })
  if (v4 !== undefined) out.set(v4, 12)
  return out
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:a.b.c.d), as sockets report them. */
function unmapped(ip: Uint8Array): Uint8Array {
  if (ip.length !== 16) return ip
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return ip
  return ip[10] === 0xff && ip[11] === 0xff ? ip.slice(12) : ip
}

/** An address and port from their parts, as a socket reports them; undefined if either is invalid. */
export function peerAddress(host: string, port: number): PeerAddress | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const ip = parseIPv4(bare) ?? parseIPv6(bare)
  return ip === undefined ? undefined : { ip: unmapped(ip), port }
}

export function formatAddress(a: PeerAddress): string {
  if (a.ip.length === 4) return `${a.ip.join('.')}:${a.port}`
  const words: string[] = []
  for (let i = 0; i < 16; i += 2) words.push(((a.ip[i]! << 8) | a.ip[i + 1]!).toString(16))
  return `[${words.join(':')}]:${a.port}`
}

/** Compact form: address bytes then the port, big-endian (6 bytes for IPv4, 18 for IPv6). */
export function compact(a: PeerAddress): Uint8Array {
  const out = new Uint8Array(a.ip.length + 2)
  out.set(a.ip)
  out[a.ip.length] = a.port >> 8
  out[a.ip.length + 1] = a.port & 0xff
  return out
}

export function isLoopback(ip: Uint8Array): boolean {
  if (ip.length === 4) return ip[0] === 127
  return ip.every((b, i) => (i === 15 ? b === 1 : b === 0))
}

/**
 * Whether a node may try to connect to an address a peer told it about. Never the unspecified
 * address, multicast or broadcast (a connect there is meaningless or a reflection); loopback
 * only when the teller is itself on loopback: a remote peer naming 127.0.0.1 would point the node
 * at services on its own machine.
 */
export function isUsableCandidate(a: PeerAddress, fromLoopback: boolean): boolean {
  const ip = a.ip
  if (a.port === 0) return false
  if (ip.every((b) => b === 0)) return false
  if (ip.length === 4 && (ip[0]! >= 224 || ip[0] === 0)) return false // multicast, reserved, broadcast; "this network"
  if (ip.length === 16 && ip[0] === 0xff) return false // IPv6 multicast
  if (isLoopback(ip) && !fromLoopback) return false
  return true
}
