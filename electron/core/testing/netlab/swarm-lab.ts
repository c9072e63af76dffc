/**
 * A flat lab for swarm experiments (issue 19): one network namespace per node on one bridge, each
 * with its own address and its uplink rate-limited with tc `tbf`, so that who gets how much
 * reflects the protocol rather than how this 2-core machine schedules a dozen processes. No NAT
 * here (the NAT lab in lab.ts is for reachability); the prefix differs from the NAT lab's so the
 * two never remove each other's namespaces. Root only.
 *
 *   n0 11.0.9.1 ─┐
 *   n1 11.0.9.2 ─┼─ bridge in `cotswarm-inet`
 *   …           ─┘
 */
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process'

const PREFIX = 'cotswarm-'
const NET = '11.0.9'
/** A /24 holds 253 hosts after the bridge side; far more than an experiment runs. */
export const MAX_SWARM_NODES = 200

export interface SwarmLab {
  /** Each node's address, in the order asked for. */
  readonly addresses: readonly string[]
  /** A process in node i's namespace, killed by `destroy`. */
  spawn(i: number, cmd: string, args: readonly string[], o: { cwd: string; stdio: StdioOptions }): ChildProcess
  destroy(): void
}

const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
const inNs = (n: string, cmd: string, ...args: string[]) => sh('ip', 'netns', 'exec', PREFIX + n, cmd, ...args)

/** Removes every namespace a previous swarm lab left behind (a killed run). */
export function clearSwarmLab(): void {
  for (const line of sh('ip', 'netns', 'list').split('\n')) {
    const name = line.split(' ')[0]!
    if (name.startsWith(PREFIX)) execFileSync('ip', ['netns', 'del', name])
  }
}

/** `count` nodes, each with an uplink of `uplink` bytes per second (tbf, a buffer of about 50 ms). */
export function buildSwarmLab(count: number, uplink: number): SwarmLab {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SWARM_NODES)
    throw new RangeError(`a swarm lab holds 1 to ${MAX_SWARM_NODES} nodes`)
  clearSwarmLab()
  const children: ChildProcess[] = []
  sh('ip', 'netns', 'add', `${PREFIX}inet`)
  inNs('inet', 'ip', 'link', 'add', 'br0', 'type', 'bridge')
  inNs('inet', 'ip', 'link', 'set', 'br0', 'up')
  const addresses: string[] = []
  for (let i = 0; i < count; i++) {
    const n = `n${i}`
    const ip = `${NET}.${i + 1}`
    sh('ip', 'netns', 'add', PREFIX + n)
    inNs(n, 'ip', 'link', 'set', 'lo', 'up')
    sh('ip', 'link', 'add', 'tmp-a', 'type', 'veth', 'peer', 'name', 'tmp-b')
    sh('ip', 'link', 'set', 'tmp-a', 'netns', PREFIX + n)
    sh('ip', 'link', 'set', 'tmp-b', 'netns', `${PREFIX}inet`)
    inNs(n, 'ip', 'link', 'set', 'tmp-a', 'name', 'eth0')
    inNs('inet', 'ip', 'link', 'set', 'tmp-b', 'name', `p-${n}`)
    inNs(n, 'ip', 'link', 'set', 'eth0', 'up')
    inNs('inet', 'ip', 'link', 'set', `p-${n}`, 'master', 'br0')
    inNs('inet', 'ip', 'link', 'set', `p-${n}`, 'up')
    inNs(n, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0')
    const burst = Math.max(16_384, Math.round(uplink / 50))
    inNs(
      n,
      'tc',
      'qdisc',
      'add',
      'dev',
      'eth0',
      'root',
      'tbf',
      'rate',
      `${uplink * 8}bit`,
      'burst',
      String(burst),
      'latency',
      '100ms',
    )
    addresses.push(ip)
  }
  return {
    addresses,
    spawn(i, cmd, args, o) {
      const p = spawn('ip', ['netns', 'exec', `${PREFIX}n${i}`, cmd, ...args], { cwd: o.cwd, stdio: o.stdio })
      children.push(p)
      return p
    },
    destroy() {
      for (const p of children) if (p.exitCode === null) p.kill('SIGKILL')
      clearSwarmLab()
    },
  }
}
