/**
 * The NAT lab (issue 14): Linux network namespaces that stand for the lab's "internet", a public
 * host, and homes behind routers, so connectivity is tested with real NAT rather than guessed.
 * Root only (`ip netns`, nftables, tc). The "internet" is 11.0.0.0/24, a routable range, because
 * miniupnpd refuses to map on a reserved external address; no namespace has a route out of the lab.
 *
 *   pub 11.0.0.1 ─┐           (the group's tracker, started by a case; coturn: STUN + TURN on 3478)
 *   rA  11.0.0.2 ─┼─ bridge in `inet` ─ (no way out)
 *   rB  11.0.0.3 ─┘
 *   rA: masquerades 192.168.1.0/24 (hA 192.168.1.2, and hA2 192.168.1.3 when the home has a second
 *       member: both on the bridge `lan`), drops unsolicited inbound; optional miniupnpd; optionally
 *       `fully-random` (symmetric NAT)
 *   rB: likewise for 192.168.2.0/24 (hB 192.168.2.2)
 * Each uplink (pub's, rA's and rB's side towards the internet) is rate-limited with tc `tbf`
 * (this kernel has no netem), so throughput is measured against a known limit. The LAN is not.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PREFIX = 'cotlab-'
/** How long coturn may take to listen. */
const TURN_START_MS = 10_000
/** How long tcpdump may take to open the interface. */
const CAPTURE_START_MS = 10_000
export const PUBLIC_IP = '11.0.0.1'

export interface HomeOptions {
  /** miniupnpd on the router: UPnP IGD and NAT-PMP towards the home. */
  readonly upnp?: boolean
  /** masquerade `fully-random`: a new external port per flow ("symmetric" NAT). */
  readonly symmetric?: boolean
  /** A second member's machine on the same LAN (home A only: hA2). */
  readonly second?: boolean
}

export interface LabOptions {
  readonly homes: { readonly a: HomeOptions; readonly b: HomeOptions }
  /** Uplink limit of every host on the internet side, in bytes per second. */
  readonly uplink: number
}

export type Host = 'pub' | 'hA' | 'hB' | 'hA2'

/**
 * The lab's TURN server (coturn on pub): long-term credentials with one static user, as a group
 * owner would configure it. The credentials hold no ':' nor '@' (docs: the W3C polyfills put them
 * into a URL unescaped).
 */
export const TURN = { port: 3478, user: 'coterie', password: 'labpass42', realm: 'coterie.lab' } as const
/** The ICE servers a group in the lab names (`--ice`): STUN and TURN on the public host. */
export const LAB_ICE = [
  `stun:${PUBLIC_IP}:${TURN.port}`,
  `turn:${TURN.user}:${TURN.password}@${PUBLIC_IP}:${TURN.port}`,
] as const

export interface Lab {
  readonly uplink: number
  /** Address of each host as its peers on the internet see it (the router's for homes). */
  readonly wan: Record<Host, string>
  /** Resolves once coturn listens on the public host (rejects with its output if it does not start in time). */
  turnReady(): Promise<void>
  /** Starts a packet capture (tcpdump, full packets) on the public host's internet side; resolves once it listens. */
  capture(): Promise<Capture>
  /** A process in a host's namespace, ended by `destroy`. */
  spawn(host: Host, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess
  /** Runs a command in a host's namespace to its end. */
  run(host: Host, cmd: string, args: readonly string[]): { code: number; stdout: string; stderr: string }
  destroy(): void
}

export interface Capture {
  /** Stops the capture and returns the pcap file's bytes. */
  stop(): Promise<Buffer>
}

/** Why the lab cannot be built here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the NAT lab needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the NAT lab needs root (ip netns, nftables, tc)'
  for (const [cmd, args] of [
    ['ip', ['netns', 'list']],
    ['nft', ['--version']],
    ['tc', ['-V']],
    ['turnserver', ['--version']],
    ['tcpdump', ['--version']],
  ] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' })
    if (r.status !== 0) return `\`${cmd} ${args.join(' ')}\` is unavailable (${(r.error?.message ?? r.stderr).trim()})`
  }
  const probe = `${PREFIX}probe`
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (made.status !== 0) return `namespaces cannot be made here: ${made.stderr.trim()}`
  spawnSync('ip', ['netns', 'del', probe])
  return undefined
}

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
const nsName = (n: string) => PREFIX + n
const inNs = (n: string, cmd: string, ...args: string[]) => sh('ip', 'netns', 'exec', nsName(n), cmd, ...args)

/** Removes every namespace a previous lab left (a killed test run). */
export function clearLab(): void {
  for (const line of sh('ip', 'netns', 'list').split('\n')) {
    const name = line.split(' ')[0]!
    if (name.startsWith(PREFIX)) spawnSync('ip', ['netns', 'del', name])
  }
}

/** tbf on `dev`'s egress: `rate` bytes per second, a buffer of about 50 ms. */
function limit(ns: string, dev: string, rate: number): void {
  const burst = Math.max(16_384, Math.round(rate / 50))
  inNs(
    ns,
    'tc',
    'qdisc',
    'add',
    'dev',
    dev,
    'root',
    'tbf',
    'rate',
    `${rate * 8}bit`,
    'burst',
    String(burst),
    'latency',
    '100ms',
  )
}

function veth(a: string, aDev: string, b: string, bDev: string): void {
  sh('ip', 'link', 'add', 'tmp-a', 'type', 'veth', 'peer', 'name', 'tmp-b')
  sh('ip', 'link', 'set', 'tmp-a', 'netns', nsName(a))
  sh('ip', 'link', 'set', 'tmp-b', 'netns', nsName(b))
  inNs(a, 'ip', 'link', 'set', 'tmp-a', 'name', aDev)
  inNs(b, 'ip', 'link', 'set', 'tmp-b', 'name', bDev)
  inNs(a, 'ip', 'link', 'set', aDev, 'up')
  inNs(b, 'ip', 'link', 'set', bDev, 'up')
}

/** The router's ruleset: masquerade the LAN, accept replies, drop unsolicited inbound. The chain
 * names are miniupnpd's defaults (table inet filter, chains miniupnpd, prerouting_miniupnpd,
 * postrouting_miniupnpd), where it adds its mappings. */
function routerRules(h: HomeOptions): string {
  return `table inet filter {
  chain miniupnpd {}
  chain prerouting_miniupnpd {}
  chain postrouting_miniupnpd {}
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname { "lo", "lan" } accept
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname { "wan", "lan" } accept
    jump miniupnpd
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "wan" masquerade${h.symmetric === true ? ' fully-random' : ''}
  }
}
`
}

function miniupnpdConf(lanNet: string, wanIp: string): string {
  return `ext_ifname=wan
ext_ip=${wanIp}
listening_ip=lan
port=5000
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=yes
notify_interval=60
clean_ruleset_interval=600
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07${wanIp.endsWith('2') ? 'a' : 'b'}
allow 1024-65535 ${lanNet} 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
`
}

/** STUN + TURN for the lab: the options coturn's README.turnserver and examples name for this. */
function turnConf(dir: string): string {
  return `listening-ip=${PUBLIC_IP}
relay-ip=${PUBLIC_IP}
listening-port=${TURN.port}
min-port=49152
max-port=65535
fingerprint
lt-cred-mech
user=${TURN.user}:${TURN.password}
realm=${TURN.realm}
userdb=${join(dir, 'turndb')}
pidfile=${join(dir, 'turnserver.pid')}
no-tls
no-dtls
no-cli
no-multicast-peers
no-software-attribute
user-quota=256
total-quota=512
denied-peer-ip=0.0.0.0-0.255.255.255
denied-peer-ip=10.0.0.0-10.255.255.255
denied-peer-ip=100.64.0.0-100.127.255.255
denied-peer-ip=127.0.0.0-127.255.255.255
denied-peer-ip=169.254.0.0-169.254.255.255
denied-peer-ip=172.16.0.0-172.31.255.255
denied-peer-ip=192.168.0.0-192.168.255.255
log-file=stdout
simple-log
`
}

export function buildLab(o: LabOptions): Lab {
  clearLab()
  const tmp = mkdtempSync(join(tmpdir(), 'cotlab-'))
  const children: ChildProcess[] = []
  const second = o.homes.a.second === true
  for (const n of ['inet', 'pub', 'rA', 'hA', 'rB', 'hB', ...(second ? ['hA2'] : [])]) {
    sh('ip', 'netns', 'add', nsName(n))
    inNs(n, 'ip', 'link', 'set', 'lo', 'up')
  }
  inNs('inet', 'ip', 'link', 'add', 'br0', 'type', 'bridge')
  inNs('inet', 'ip', 'link', 'set', 'br0', 'up')
  const wan = { pub: PUBLIC_IP, hA: '11.0.0.2', hB: '11.0.0.3', hA2: '11.0.0.2' } as const
  for (const [n, ip] of [
    ['pub', wan.pub],
    ['rA', wan.hA],
    ['rB', wan.hB],
  ] as const) {
    veth(n, 'wan', 'inet', `p-${n}`)
    inNs('inet', 'ip', 'link', 'set', `p-${n}`, 'master', 'br0')
    inNs(n, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'wan')
    limit(n, 'wan', o.uplink)
  }
  for (const [r, hname, net, h] of [
    ['rA', 'hA', '192.168.1', o.homes.a],
    ['rB', 'hB', '192.168.2', o.homes.b],
  ] as const) {
    // The LAN is a bridge in the router, so that a second machine can join it (home A's hA2).
    inNs(r, 'ip', 'link', 'add', 'lan', 'type', 'bridge')
    inNs(r, 'ip', 'link', 'set', 'lan', 'up')
    inNs(r, 'ip', 'addr', 'add', `${net}.1/24`, 'dev', 'lan')
    const machines: [string, string][] = [
      [hname, `${net}.2`],
      ...(r === 'rA' && second ? [['hA2', `${net}.3`] as [string, string]] : []),
    ]
    for (const [m, ip] of machines) {
      veth(r, `l-${m}`, m, 'eth0')
      inNs(r, 'ip', 'link', 'set', `l-${m}`, 'master', 'lan')
      inNs(m, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0')
      inNs(m, 'ip', 'route', 'add', 'default', 'via', `${net}.1`)
    }
    inNs(r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
    const rules = join(tmp, `${r}.nft`)
    writeFileSync(rules, routerRules(h))
    inNs(r, 'nft', '-f', rules)
    if (h.upnp === true) {
      const conf = join(tmp, `${r}-miniupnpd.conf`)
      writeFileSync(conf, miniupnpdConf(`${net}.0/24`, r === 'rA' ? wan.hA : wan.hB))
      // -d: foreground with debug output; SSDP multicast goes out of the LAN interface.
      inNs(r, 'ip', 'route', 'add', '239.0.0.0/8', 'dev', 'lan')
      const p = spawn('ip', ['netns', 'exec', nsName(r), 'miniupnpd', '-d', '-f', conf, '-P', join(tmp, `${r}.pid`)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      p.stdout!.resume()
      p.stderr!.resume()
      children.push(p)
    }
  }
  const nsOf = (host: Host) => nsName(host)
  const turnConfPath = join(tmp, 'turnserver.conf')
  writeFileSync(turnConfPath, turnConf(tmp))
  const turn = spawn('ip', ['netns', 'exec', nsName('pub'), 'turnserver', '-c', turnConfPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(turn)
  let turnLog = ''
  turn.stdout!.on('data', (d: Buffer) => void (turnLog = (turnLog + d.toString()).slice(-20_000)))
  turn.stderr!.on('data', (d: Buffer) => void (turnLog = (turnLog + d.toString()).slice(-20_000)))
  const turnReady = async () => {
    const deadline = Date.now() + TURN_START_MS
    while (Date.now() < deadline) {
      if (turn.exitCode !== null) break
      const ss = spawnSync('ip', ['netns', 'exec', nsName('pub'), 'ss', '-Hlun', `sport = :${TURN.port}`], {
        encoding: 'utf8',
      })
      if (ss.stdout.includes(`${PUBLIC_IP}:${TURN.port}`)) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`coturn did not start within ${TURN_START_MS / 1000} s: ${turnLog}`)
  }
  return {
    uplink: o.uplink,
    wan,
    turnReady,
    async capture() {
      const file = join(tmp, `capture-${children.length}.pcap`)
      // -U: each packet written as it arrives; -s 0: whole packets; the internet side of the public host.
      const p = spawn('ip', ['netns', 'exec', nsName('pub'), 'tcpdump', '-i', 'wan', '-U', '-s', '0', '-w', file], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      children.push(p)
      let err = ''
      const listening = new Promise<void>((resolve) =>
        p.stderr!.on('data', (d: Buffer) => {
          err += d.toString()
          if (err.includes('listening on')) resolve()
        }),
      )
      await Promise.race([
        listening,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), CAPTURE_START_MS),
        ),
      ])
      return {
        stop: async () => {
          const exited = new Promise<void>((resolve) =>
            p.exitCode !== null ? resolve() : p.once('exit', () => resolve()),
          )
          p.kill('SIGINT')
          await exited
          return readFileSync(file)
        },
      }
    },
    spawn(host, cmd, args, env) {
      const p = spawn('ip', ['netns', 'exec', nsOf(host), cmd, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: env ?? process.env,
      })
      children.push(p)
      return p
    },
    run(host, cmd, args) {
      const r = spawnSync('ip', ['netns', 'exec', nsOf(host), cmd, ...args], { encoding: 'utf8', timeout: 60_000 })
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
    },
    destroy() {
      for (const p of children) if (p.exitCode === null) p.kill('SIGKILL')
      clearLab()
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}
