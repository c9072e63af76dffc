/**
 * Port mapping (issue 14): asks the home router to forward our listening port, so that friends
 * behind their own routers can dial us. NAT-PMP (RFC 6886) first, UPnP IGD (WANIPConnection /
 * WANPPPConnection AddPortMapping) second, as libtorrent and webtorrent do; the mapping is renewed
 * at 3/4 of its lease and deleted at stop. What the router granted (external address and port) is
 * what the node announces: a router may grant another port than the one asked for.
 *
 * Written here rather than taken from webtorrent's @silentbot1/nat-api 0.4.9 because, as read in
 * its source (docs in /work/shared/guides/nat-anchors.md §3), it never renews NAT-PMP mappings,
 * adds a refresh timer per UPnP mapping that survives unmap, and does not surface the port the
 * router granted; it is also not one of our direct dependencies. Only the local gateway is
 * contacted (from the routing table, or SSDP multicast on the LAN).
 */
import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'

export type MappingMethod = 'nat-pmp' | 'upnp'

export interface PortMapping {
  readonly method: MappingMethod
  readonly externalIp: string | undefined
  readonly externalPort: number
  readonly internalPort: number
}

export interface PortMapperOptions {
  /** Map UDP too (uTP listens on the same port number). */
  readonly udp?: boolean
  readonly description?: string
  /** Lease asked for, seconds. */
  readonly leaseS?: number
  readonly onWarning?: (e: Error) => void
  /** Called when a mapping is made, renewed with another port, or lost. */
  readonly onChange?: (m: PortMapping | undefined) => void
  /** Which protocols to try, in order (default both: NAT-PMP, then UPnP). */
  readonly methods?: readonly MappingMethod[]
}

const PMP_PORT = 5351
const SSDP = { host: '239.255.255.250', port: 1900 }
const DEFAULT_LEASE_S = 3600
const PMP_TRIES_MS = [250, 500, 1000] // RFC 6886 §3.1 starts at 250 ms and doubles; 3 tries are enough on a LAN
const SSDP_WAIT_MS = 2000
const SOAP_TIMEOUT_MS = 3000

/** The IPv4 default gateway from /proc/net/route (Linux), else undefined. */
export function defaultGateway(routes = readRoutes()): string | undefined {
  for (const line of routes.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f[1] === '00000000' && f[2] !== undefined && f[2] !== '00000000') {
      const n = Number.parseInt(f[2], 16) // little-endian hex
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.')
    }
  }
  return undefined
}

function readRoutes(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8')
  } catch {
    return ''
  }
}

/** True for addresses nobody outside a LAN or CGNAT can dial (RFC 1918, 100.64/10, loopback, link-local). */
export function isPrivateIPv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number]
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b < 128) ||
    a === 0
  )
}

/** Our non-internal IPv4 addresses. */
export function localIPv4s(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address)
}

// ---- NAT-PMP (RFC 6886) -------------------------------------------------------------------

/** One request to the gateway with retries; the first reply of the expected opcode. */
async function pmpRequest(gateway: string, req: Uint8Array): Promise<Buffer | undefined> {
  const sock = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => (sock.once('error', reject), sock.bind(0, () => resolve())))
    for (const wait of PMP_TRIES_MS) {
      const reply = new Promise<Buffer | undefined>((resolve) => {
        const t = setTimeout(() => (sock.off('message', on), resolve(undefined)), wait)
        const on = (msg: Buffer, from: { address: string }) => {
          if (from.address !== gateway || msg.length < 8 || msg[1] !== 128 + req[1]!) return
          clearTimeout(t)
          sock.off('message', on)
          resolve(msg)
        }
        sock.on('message', on)
      })
      sock.send(req, PMP_PORT, gateway)
      const r = await reply
      if (r !== undefined) return r
    }
    return undefined
  } finally {
    sock.close()
  }
}

async function pmpExternalIp(gateway: string): Promise<string | undefined> {
  const r = await pmpRequest(gateway, new Uint8Array([0, 0]))
  if (r === undefined || r.length < 12 || r.readUInt16BE(2) !== 0) return undefined
  return [...r.subarray(8, 12)].join('.')
}

/** Maps `port` (TCP opcode 2, UDP opcode 1); the granted external port and lifetime, or an error. */
async function pmpMap(
  gateway: string,
  protocol: 'tcp' | 'udp',
  port: number,
  leaseS: number,
): Promise<{ externalPort: number; lifetimeS: number } | Error> {
  const req = Buffer.alloc(12)
  req[1] = protocol === 'udp' ? 1 : 2
  req.writeUInt16BE(port, 4)
  req.writeUInt16BE(leaseS === 0 ? 0 : port, 6)
  req.writeUInt32BE(leaseS, 8)
  const r = await pmpRequest(gateway, req)
  if (r === undefined) return new Error('NAT-PMP: no answer from the gateway')
  if (r.length < 16) return new Error('NAT-PMP: short answer')
  const result = r.readUInt16BE(2)
  if (result !== 0) return new Error(`NAT-PMP: result code ${result}`)
  return { externalPort: r.readUInt16BE(10), lifetimeS: r.readUInt32BE(12) }
}

// ---- UPnP IGD ------------------------------------------------------------------------------

interface Igd {
  readonly controlUrl: string
  readonly serviceType: string
  readonly localIp: string
}

const IGD_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
]

/** SSDP M-SEARCH for an InternetGatewayDevice; its description's first WAN connection service. */
async function findIgd(gateway: string | undefined): Promise<Igd | undefined> {
  const sock: Socket = createSocket({ type: 'udp4', reuseAddr: true })
  let found: { location: string; localIp: string } | undefined
  try {
    await new Promise<void>((resolve, reject) => (sock.once('error', reject), sock.bind(0, () => resolve())))
    const done = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, SSDP_WAIT_MS)
      sock.on('message', (msg, from) => {
        // A device that is not our gateway could be anything on the LAN: only the gateway is asked to map.
        if (gateway !== undefined && from.address !== gateway) return
        const location = /^location:\s*(\S+)/im.exec(msg.toString())?.[1]
        if (location === undefined) return
        found = { location, localIp: '' }
        clearTimeout(t)
        resolve()
      })
    })
    const search = Buffer.from(
      `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP.host}:${SSDP.port}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n`,
    )
    sock.send(search, SSDP.port, SSDP.host)
    if (gateway !== undefined) sock.send(search, SSDP.port, gateway) // unicast too, as libtorrent: some LANs drop multicast
    await done
  } finally {
    sock.close()
  }
  if (found === undefined) return undefined
  const url = new URL(found.location)
  const xml = await (await fetch(url, { signal: AbortSignal.timeout(SOAP_TIMEOUT_MS) })).text()
  for (const serviceType of IGD_SERVICES) {
    const at = xml.indexOf(`<serviceType>${serviceType}</serviceType>`)
    if (at < 0) continue
    const control = /<controlURL>\s*([^<\s]+)\s*<\/controlURL>/.exec(xml.slice(at))?.[1]
    if (control === undefined) continue
    return {
      controlUrl: new URL(control, url).href,
      serviceType,
      localIp: await localAddressTowards(url.hostname, Number(url.port || 80)),
    }
  }
  return undefined
}

/** The local address the kernel picks to reach `host` (the LAN address the router forwards to). */
async function localAddressTowards(host: string, port: number): Promise<string> {
  const sock = createSocket('udp4')
  try {
    await new Promise<void>(
      (resolve, reject) => (sock.once('error', reject), sock.connect(port, host, () => resolve())),
    )
    return sock.address().address
  } finally {
    sock.close()
  }
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

async function soap(
  igd: Igd,
  action: string,
  args: Record<string, string | number>,
): Promise<{ ok: true; body: string } | { ok: false; code: number | undefined; body: string }> {
  const params = Object.entries(args)
    .map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`)
    .join('')
  const body = `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:${action} xmlns:u="${igd.serviceType}">${params}</u:${action}></s:Body></s:Envelope>`
  const res = await fetch(igd.controlUrl, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(SOAP_TIMEOUT_MS),
    headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: `"${igd.serviceType}#${action}"` },
  })
  const text = await res.text()
  if (res.ok) return { ok: true, body: text }
  const code = /<errorCode>\s*(\d+)\s*<\/errorCode>/.exec(text)?.[1]
  return { ok: false, code: code === undefined ? undefined : Number(code), body: text }
}

async function upnpMap(
  igd: Igd,
  protocol: 'TCP' | 'UDP',
  externalPort: number,
  internalPort: number,
  leaseS: number,
  description: string,
): Promise<number | Error> {
  const args = (lease: number, ext: number) => ({
    NewRemoteHost: '',
    NewExternalPort: ext,
    NewProtocol: protocol,
    NewInternalPort: internalPort,
    NewInternalClient: igd.localIp,
    NewEnabled: 1,
    NewPortMappingDescription: description,
    NewLeaseDuration: lease,
  })
  let lease = leaseS
  let ext = externalPort
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await soap(igd, 'AddPortMapping', args(lease, ext))
    if (r.ok) return ext
    if (r.code === 725 && lease !== 0)
      lease = 0 // OnlyPermanentLeasesSupported
    else if (r.code === 718 || r.code === 501)
      ext = 40000 + Math.floor(Math.random() * 10000) // ConflictInMappingEntry: another port, as libtorrent
    else return new Error(`UPnP AddPortMapping: error ${r.code ?? 'unknown'}`)
  }
  return new Error('UPnP AddPortMapping: no free external port')
}

async function upnpExternalIp(igd: Igd): Promise<string | undefined> {
  const r = await soap(igd, 'GetExternalIPAddress', {})
  return r.ok ? /<NewExternalIPAddress>\s*([\d.]+)\s*</.exec(r.body)?.[1] : undefined
}

// ---- the mapper ----------------------------------------------------------------------------

/**
 * Keeps `port` mapped on the local gateway while running. `mapped` settles once the first attempt
 * ends (undefined: no gateway mapped it); `stop` deletes the mapping.
 */
export class PortMapper {
  readonly #port: number
  readonly #o: PortMapperOptions
  #current: PortMapping | undefined
  #igd: Igd | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  #settled = false
  readonly mapped: Promise<PortMapping | undefined>

  constructor(port: number, o: PortMapperOptions = {}) {
    this.#port = port
    this.#o = o
    this.mapped = this.#map()
      .catch((e: unknown) => {
        o.onWarning?.(e instanceof Error ? e : new Error(String(e)))
        return undefined
      })
      .finally(() => (this.#settled = true))
  }

  /** The first attempt has ended (mapped or not). */
  get settled(): boolean {
    return this.#settled
  }

  get current(): PortMapping | undefined {
    return this.#current
  }

  get #lease(): number {
    return this.#o.leaseS ?? DEFAULT_LEASE_S
  }

  get #description(): string {
    return this.#o.description ?? `Coterie ${this.#port}`
  }

  async #map(): Promise<PortMapping | undefined> {
    const gateway = defaultGateway()
    let m: PortMapping | undefined
    let renewS = this.#lease
    const methods = this.#o.methods ?? ['nat-pmp', 'upnp']
    if (gateway !== undefined && methods.includes('nat-pmp')) {
      const tcp = await pmpMap(gateway, 'tcp', this.#port, this.#lease)
      if (!(tcp instanceof Error)) {
        if (this.#o.udp === true) await pmpMap(gateway, 'udp', this.#port, this.#lease)
        m = {
          method: 'nat-pmp',
          externalIp: await pmpExternalIp(gateway),
          externalPort: tcp.externalPort,
          internalPort: this.#port,
        }
        renewS = tcp.lifetimeS
      }
    }
    if (m === undefined && !this.#stopped && methods.includes('upnp')) {
      this.#igd ??= await findIgd(gateway)
      if (this.#igd !== undefined) {
        const ext = await upnpMap(
          this.#igd,
          'TCP',
          this.#current?.externalPort ?? this.#port,
          this.#port,
          this.#lease,
          this.#description,
        )
        if (ext instanceof Error) this.#o.onWarning?.(ext)
        else {
          if (this.#o.udp === true) await upnpMap(this.#igd, 'UDP', ext, this.#port, this.#lease, this.#description)
          m = {
            method: 'upnp',
            externalIp: await upnpExternalIp(this.#igd),
            externalPort: ext,
            internalPort: this.#port,
          }
        }
      }
    }
    // Behind CGNAT a router maps happily on a 100.64/10 or private "external" address: nobody can dial it.
    if (m?.externalIp !== undefined && isPrivateIPv4(m.externalIp)) {
      this.#o.onWarning?.(
        new Error(`port mapping: the router's external address ${m.externalIp} is not public (carrier-grade NAT?)`),
      )
      m = undefined
    }
    if (this.#stopped) {
      this.#current = m // stop() deletes it once this attempt has ended
      return m
    }
    const changed =
      m?.externalPort !== this.#current?.externalPort ||
      m?.externalIp !== this.#current?.externalIp ||
      m?.method !== this.#current?.method
    this.#current = m
    if (changed) this.#o.onChange?.(m)
    // Renew at 3/4 of the lease granted (libtorrent); when nothing mapped, try again in 5 minutes.
    const nextS = m === undefined ? 300 : Math.max(60, Math.floor((renewS === 0 ? this.#lease : renewS) * 0.75))
    this.#timer = setTimeout(
      () => void this.#map().catch((e: unknown) => this.#o.onWarning?.(e as Error)),
      nextS * 1000,
    )
    this.#timer.unref()
    return m
  }

  /**
   * Stops renewing and deletes the mapping from the router. A first attempt still under way (up to
   * about 4 s with a gateway that answers neither protocol) is waited for 1 s at most: a node told
   * to stop should stop; the mapping it might still get is deleted when it comes, if we are alive.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearTimeout(this.#timer)
    let wait: NodeJS.Timeout | undefined
    const settled = await Promise.race([
      this.mapped.then(() => true),
      new Promise<false>((r) => (wait = setTimeout(() => r(false), 1000))),
    ])
    clearTimeout(wait)
    if (!settled) {
      void this.mapped.then(() => this.#unmap())
      return
    }
    await this.#unmap()
  }

  async #unmap(): Promise<void> {
    const m = this.#current
    this.#current = undefined
    if (m === undefined) return
    try {
      const gateway = defaultGateway()
      if (m.method === 'nat-pmp' && gateway !== undefined) {
        await pmpMap(gateway, 'tcp', this.#port, 0)
        if (this.#o.udp === true) await pmpMap(gateway, 'udp', this.#port, 0)
      } else if (m.method === 'upnp' && this.#igd !== undefined) {
        for (const protocol of this.#o.udp === true ? ['TCP', 'UDP'] : ['TCP'])
          await soap(this.#igd, 'DeletePortMapping', {
            NewRemoteHost: '',
            NewExternalPort: m.externalPort,
            NewProtocol: protocol,
          })
      }
    } catch (e) {
      this.#o.onWarning?.(e instanceof Error ? e : new Error(String(e)))
    }
  }
}

/** How peers outside our network reach this node: what `coterie status` and run print. */
export type Reachability =
  | { readonly kind: 'mapped'; readonly method: MappingMethod; readonly address: string }
  | { readonly kind: 'public'; readonly address: string }
  | { readonly kind: 'nat' }
  | { readonly kind: 'unknown' }

/** Mapped if the gateway granted a port; else public if an interface has a public address; else behind NAT. */
export function reachabilityOf(port: number, mapper: PortMapper | undefined, addresses = localIPv4s()): Reachability {
  const m = mapper?.current
  if (m !== undefined) return { kind: 'mapped', method: m.method, address: `${m.externalIp ?? '?'}:${m.externalPort}` }
  const pub = addresses.find((a) => !isPrivateIPv4(a))
  if (pub !== undefined) return { kind: 'public', address: `${pub}:${port}` }
  return mapper !== undefined && !mapper.settled ? { kind: 'unknown' } : { kind: 'nat' }
}

/** One line for people: "reachable from the internet at 11.0.0.2:51413 (UPnP)". */
export function describeReachability(r: Reachability): string {
  switch (r.kind) {
    case 'mapped':
      return `reachable from the internet at ${r.address} (${r.method === 'upnp' ? 'UPnP' : 'NAT-PMP'})`
    case 'public':
      return `reachable from the internet at ${r.address} (public address)`
    case 'nat':
      return 'not reachable from outside: behind NAT, no port mapping (friends behind NAT too cannot connect to us yet)'
    case 'unknown':
      return 'reachability: asking the router for a port mapping'
  }
}
