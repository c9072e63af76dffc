/**
 * The NAT lab (issue 14): Linux network namespaces that stand for the lab's "internet", a public
 * host, and homes behind routers, so connectivity is tested with real NAT rather than guessed.
 * Root only (`ip netns`, nftables, tc). The "internet" is 11.0.0.0/24, a routable range, because
 * miniupnpd refuses to map on a reserved external address; no namespace has a route out of the lab.
 *
 *   pub 11.0.0.1 ─┐
 *   rA  11.0.0.2 ─┼─ bridge in `inet` ─ (no way out)
 *   rB  11.0.0.3 ─┘
 *   rA: masquerades 192.168.1.0/24 (hA 192.168.1.2), drops unsolicited inbound; optional miniupnpd
 *   rB: likewise for 192.168.2.0/24 (hB 192.168.2.2)
 * Each uplink (pub's, rA's and rB's side towards the internet) is rate-limited with tc `tbf`
 * (this kernel has no netem), so throughput is measured against a known limit.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PREFIX = 'cotlab-'
export const PUBLIC_IP = '11.0.0.1'

export interface HomeOptions {
  /** miniupnpd on the router: UPnP IGD and NAT-PMP towards the home. */
  readonly upnp?: boolean
  /** masquerade `fully-random`: a new external port per flow ("symmetric" NAT). */
  readonly symmetric?: boolean
}

export interface LabOptions {
  readonly homes: { readonly a: HomeOptions; readonly b: HomeOptions }
  /** Uplink limit of every host on the internet side, in bytes per second. */
  readonly uplink: number
}

export type Host = 'pub' | 'hA' | 'hB'

export interface Lab {
  readonly uplink: number
  /** Address of each host as its peers on the internet see it (the router's for homes). */
  readonly wan: Record<Host, string>
  /** A process in a host's namespace, ended by `destroy`. */
  spawn(host: Host, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess
  /** Runs a command in a host's namespace to its end. */
  run(host: Host, cmd: string, args: readonly string[]): { code: number; stdout: string; stderr: string }
  destroy(): void
}

/** Why the lab cannot be built here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the NAT lab needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the NAT lab needs root (ip netns, nftables, tc)'
  for (const [cmd, args] of [
    ['ip', ['netns', 'list']],
    ['nft', ['--version']],
    ['tc', ['-V']],
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
    iifname "lan" oifname "wan" accept
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

export function buildLab(o: LabOptions): Lab {
  clearLab()
  const tmp = mkdtempSync(join(tmpdir(), 'cotlab-'))
  const children: ChildProcess[] = []
  for (const n of ['inet', 'pub', 'rA', 'hA', 'rB', 'hB']) {
    sh('ip', 'netns', 'add', nsName(n))
    inNs(n, 'ip', 'link', 'set', 'lo', 'up')
  }
  inNs('inet', 'ip', 'link', 'add', 'br0', 'type', 'bridge')
  inNs('inet', 'ip', 'link', 'set', 'br0', 'up')
  const wan = { pub: PUBLIC_IP, hA: '11.0.0.2', hB: '11.0.0.3' } as const
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
    veth(r, 'lan', hname, 'eth0')
    inNs(r, 'ip', 'addr', 'add', `${net}.1/24`, 'dev', 'lan')
    inNs(hname, 'ip', 'addr', 'add', `${net}.2/24`, 'dev', 'eth0')
    inNs(hname, 'ip', 'route', 'add', 'default', 'via', `${net}.1`)
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
  return {
    uplink: o.uplink,
    wan,
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
