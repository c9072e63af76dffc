/**
 * The seed's claim, measured (issue 19; docs/EXPERIMENT.md): in a swarm with leaky peers, are the
 * members (enforcing Coterie nodes) served at least as well as outsiders, do outsiders get nothing
 * from enforcing nodes, and do leaky nodes speed members up?
 *
 * Every node is its own process (bench/peer.ts) in its own network namespace with its own address
 * and a rate-limited uplink (electron/core/testing/netlab/swarm-lab.ts), so the figures reflect
 * the protocol, not this machine's scheduler. Roles:
 *   owner       a Coterie engine seeding the closed torrent (enforcing);
 *   member      Coterie engines with a certificate (enforcing), leeching;
 *   leaky-seed  plain WebTorrent holding the leaked .torrent and the file (non-enforcing);
 *   leaky       plain WebTorrent with the leaked .torrent, leeching (non-enforcing);
 *   outsider    plain WebTorrent with the leaked .torrent, leeching.
 * Leaky leechers and outsiders run the same client; the difference is only which count they are
 * in, as in the seed text (a leak is a node that does not enforce, not a different program).
 * Discovery is what a tracker would give: every leecher is handed every node's address at once.
 *
 * Usage: npm run experiment [-- --runs N] (root; Linux namespaces). Writes the tables into
 * docs/EXPERIMENT.md between its results markers and the plot to docs/experiment.svg.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { plainTorrent } from '../electron/core/protocol/torrent-info.js'
import { buildSwarmLab, type SwarmLab } from '../electron/core/testing/netlab/swarm-lab.js'
import { labUnavailable } from '../electron/core/testing/netlab/lab.js'
import type { GoResult, PeerInfo, Request } from './peer.js'
import { median, round } from './stats.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PEER_SCRIPT = fileURLToPath(new URL('./peer.ts', import.meta.url))
const DOC = join(ROOT, 'docs', 'EXPERIMENT.md')
const PLOT = join(ROOT, 'docs', 'experiment.svg')
const MiB = 1024 * 1024
/** Every node's uplink: slow enough that 13 processes on a shared 2-core machine are not the bottleneck. */
const UPLINK = MiB / 4
const SIZE = 4 * MiB
/** Bounds on every wait (ms): a leecher with no progress for `stall` gives up (an outsider with no leaky seeder). */
const LIMIT = { spawn: 300_000, request: 60_000, seed: 120_000, stall: 40_000, run: 300_000 }
const POLL_MS = 1_000
/** EXPERIMENT_DEBUG=1: the owner's and one member's connections at the end of each run, on stderr. */
const DEBUG = process.env.EXPERIMENT_DEBUG === '1'

type Role = 'owner' | 'member' | 'leaky-seed' | 'leaky' | 'outsider'
/** Where a node's bytes came from: enforcing nodes (owner, members), leaky nodes (seeds or leechers), outsiders. */
type Source = 'owner' | 'member' | 'leaky' | 'outsider'
const SOURCES: readonly Source[] = ['owner', 'member', 'leaky', 'outsider']
const sourceOf = (r: Role): Source => (r === 'leaky-seed' ? 'leaky' : r)

interface Mix {
  readonly name: string
  readonly members: number
  readonly leakySeeds: number
  readonly leakyLeechers: number
  readonly outsiders: number
  /** The owner's node stops once the members hold this fraction of the file between them. */
  readonly ownerLeavesAt?: number
  /** The control: owner and members run plain WebTorrent with the plain torrent (nobody enforces). */
  readonly plain?: boolean
}

const MIXES: readonly Mix[] = [
  { name: 'L=0', members: 4, leakySeeds: 0, leakyLeechers: 0, outsiders: 4 },
  { name: 'L=2', members: 4, leakySeeds: 1, leakyLeechers: 1, outsiders: 4 },
  { name: 'L=4', members: 4, leakySeeds: 2, leakyLeechers: 2, outsiders: 4 },
  { name: 'L=2, owner leaves at 50 %', members: 4, leakySeeds: 1, leakyLeechers: 1, outsiders: 4, ownerLeavesAt: 0.5 },
  { name: 'control: nobody enforces', members: 4, leakySeeds: 0, leakyLeechers: 0, outsiders: 4, plain: true },
]

/** One peer process (bench/peer.ts) in a namespace, driven over Node's IPC channel. */
class Peer {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>()
  #next = 1
  #exited: string | undefined
  readonly ready: Promise<void>

  constructor(
    lab: SwarmLab,
    readonly slot: number,
  ) {
    this.#child = lab.spawn(slot, process.execPath, ['--import', 'tsx', PEER_SCRIPT], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`peer ${slot}: not loaded within ${LIMIT.spawn} ms`)),
        LIMIT.spawn,
      )
      this.#child.once('message', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    this.#child.on('message', (m: { id: number; ok: boolean; error?: string }) => {
      const p = this.#pending.get(m.id)
      if (p === undefined) return
      this.#pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.ok) p.resolve(m)
      else p.reject(new Error(`peer ${slot}: ${m.error}`))
    })
    this.#child.on('exit', (code, signal) => {
      this.#exited = `peer ${slot} exited (${signal ?? `code ${code}`})`
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer)
        p.reject(new Error(this.#exited))
      }
      this.#pending.clear()
    })
  }

  kill(): void {
    if (this.#exited === undefined) this.#child.kill('SIGKILL')
  }

  req<T>(r: Request, timeoutMs = LIMIT.request): Promise<T> {
    if (this.#exited !== undefined) return Promise.reject(new Error(this.#exited))
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`peer ${this.slot}: no answer to '${r.cmd}' within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      this.#child.send({ id, ...r })
    })
  }
}

interface NodeResult {
  readonly role: Role
  readonly done: boolean
  /** Seconds from being handed the peers to holding the whole file (leechers that finished). */
  readonly seconds?: number
  /** Bytes of the file it held at the end. */
  readonly bytes: number
  /** Bytes received from each kind of node, and (owner) sent to each kind. */
  readonly receivedFrom: Record<Source, number>
  readonly sentTo: Record<Source, number>
}

interface RunResult {
  readonly mix: string
  readonly run: number
  readonly nodes: readonly NodeResult[]
}

const zero = (): Record<Source, number> => ({ owner: 0, member: 0, leaky: 0, outsider: 0 })

/** The IPv4 address of "a.b.c.d:port", "::ffff:a.b.c.d:port" or "[::ffff:a.b.c.d]:port". */
const ipOf = (address: string) => address.replace(/^\[?(::ffff:)?/, '').replace(/\]?:\d+$/, '')

/**
 * Per-wire counters, polled: a wire's bytes are the largest value seen for its remote address and
 * port (a closed wire keeps what was seen last; at most one poll interval is missed).
 */
class WireLedger {
  readonly #down = new Map<string, number>()
  readonly #up = new Map<string, number>()
  record(peers: readonly PeerInfo[]): void {
    for (const p of peers) {
      this.#down.set(p.address, Math.max(this.#down.get(p.address) ?? 0, p.downloaded))
      this.#up.set(p.address, Math.max(this.#up.get(p.address) ?? 0, p.uploaded))
    }
  }
  bySource(roleOfIp: Map<string, Role>, which: 'down' | 'up'): Record<Source, number> {
    const out = zero()
    for (const [address, bytes] of which === 'down' ? this.#down : this.#up) {
      const role = roleOfIp.get(ipOf(address))
      if (role !== undefined) out[sourceOf(role)] += bytes
    }
    return out
  }
}

async function runMix(lab: SwarmLab, peers: readonly Peer[], mix: Mix, run: number, dir: string): Promise<RunResult> {
  const roles: Role[] = [
    'owner',
    ...Array<Role>(mix.members).fill('member'),
    ...Array<Role>(mix.leakySeeds).fill('leaky-seed'),
    ...Array<Role>(mix.leakyLeechers).fill('leaky'),
    ...Array<Role>(mix.outsiders).fill('outsider'),
  ]
  const roleOfIp = new Map(roles.map((r, i) => [lab.addresses[i]!, r]))
  const used = peers.slice(0, roles.length)
  const ports = await Promise.all(
    used.map((p, i) => {
      const closed = mix.plain !== true && (roles[i] === 'owner' || roles[i] === 'member')
      return p.req<{ port: number }>({ cmd: 'start', kind: closed ? 'closed' : 'open', utp: false, who: `node ${i}` })
    }),
  )
  try {
    const runDir = join(dir, `run-${mix.name.replace(/\W+/g, '-')}-${run}`)
    mkdirSync(runDir, { recursive: true })
    const file = join(runDir, 'film.bin')
    writeFileSync(file, randomBytes(SIZE))
    const seeded = await peers[0]!.req<{ infoHash: string; meta: string }>({ cmd: 'seed', path: file }, LIMIT.seed)
    // A closed seed answers with the info dictionary; a plain one (the control) with a .torrent.
    const leaked =
      mix.plain === true ? seeded.meta : Buffer.from(plainTorrent(Buffer.from(seeded.meta, 'hex'))).toString('hex')
    await Promise.all(
      used.slice(1).map((p, j) => {
        const i = j + 1
        const nodeDir = join(runDir, `n${i}`)
        mkdirSync(nodeDir)
        if (roles[i] === 'leaky-seed') copyFileSync(file, join(nodeDir, 'film.bin'))
        const meta = roles[i] === 'member' && mix.plain !== true ? seeded.meta : leaked
        return p.req({ cmd: 'add', meta, dir: nodeDir }, LIMIT.seed)
      }),
    )
    const addresses = used.map((_, i) => `${lab.addresses[i]}:${ports[i]!.port}`)
    const ledgers = used.map(() => new WireLedger())
    const leechers = roles.flatMap((r, i) => (r === 'owner' || r === 'leaky-seed' ? [] : [i]))
    const results = new Map<number, GoResult | Error>()
    const finished = Promise.all(
      leechers.map((i) =>
        used[i]!.req<GoResult>(
          {
            cmd: 'go',
            infoHash: seeded.infoHash,
            peers: addresses.filter((_, k) => k !== i),
            stallMs: LIMIT.stall,
            limitMs: LIMIT.run,
          },
          LIMIT.run + LIMIT.request,
        ).then(
          (r) => results.set(i, r),
          (e: Error) => results.set(i, e),
        ),
      ),
    )
    const dump = async () => {
      for (const i of [0, 1])
        console.error(
          `${roles[i]} ${lab.addresses[i]} wires:`,
          (
            await used[i]!.req<{ peers: PeerInfo[] }>({ cmd: 'peers', infoHash: seeded.infoHash }).catch(() => ({
              peers: [],
            }))
          ).peers
            .map(
              (p) => `${p.address} ${roleOfIp.get(ipOf(p.address))} ${p.state} up ${p.uploaded} down ${p.downloaded}`,
            )
            .join('\n  '),
        )
    }
    let allDone = false
    const goAt = performance.now()
    let dumped = false
    void finished.then(() => (allDone = true))
    let ownerGone = false
    const poll = async () => {
      await Promise.all(
        used.map(async (p, i) => {
          if (i === 0 && ownerGone) return
          const r = await p
            .req<{ peers: PeerInfo[] }>({ cmd: 'peers', infoHash: seeded.infoHash })
            .catch(() => undefined)
          if (r !== undefined) ledgers[i]!.record(r.peers)
        }),
      )
    }
    while (!allDone) {
      await poll()
      if (DEBUG && !dumped && performance.now() - goAt > 30_000) {
        dumped = true
        await dump()
      }
      if (mix.ownerLeavesAt !== undefined && !ownerGone) {
        const held = ledgers
          .filter((_, i) => roles[i] === 'member')
          .reduce((s, l) => s + SOURCES.reduce((t, src) => t + l.bySource(roleOfIp, 'down')[src], 0), 0)
        if (held >= mix.ownerLeavesAt * mix.members * SIZE) {
          ownerGone = true
          await peers[0]!.req({ cmd: 'stop' })
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
    await poll()
    const nodes: NodeResult[] = roles.map((role, i) => {
      const r = results.get(i)
      const received = ledgers[i]!.bySource(roleOfIp, 'down')
      const seeder = role === 'owner' || role === 'leaky-seed'
      const ok = seeder || (r !== undefined && !(r instanceof Error))
      return {
        role,
        done: ok,
        bytes: seeder ? SIZE : ok ? SIZE : SOURCES.reduce((s, src) => s + received[src], 0),
        ...(!seeder && ok && { seconds: round((r as GoResult).ms / 1000, 1) }),
        receivedFrom: received,
        sentTo: ledgers[i]!.bySource(roleOfIp, 'up'),
      }
    })
    return { mix: mix.name, run, nodes }
  } finally {
    // A node that already stopped (the owner who left) answers stop with nothing to do.
    await Promise.all(used.map((p) => p.req({ cmd: 'stop' }).catch(() => {})))
  }
}

// ---------------------------------------------------------------------------------------------
// Report: tables (markdown) and a plot (SVG, no dependency: a few dozen shapes).

const fmt = (xs: readonly number[]) =>
  xs.length === 0 ? '–' : `${round(median(xs), 1)} (${round(Math.min(...xs), 1)}–${round(Math.max(...xs), 1)})`
const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)} %`)

function tables(runs: readonly RunResult[], runsPerMix: number): string {
  const out: string[] = []
  for (const mix of MIXES) {
    const rs = runs.filter((r) => r.mix === mix.name)
    if (rs.length === 0) continue
    out.push(`### ${mix.name}`, '')
    out.push(
      `N = ${mix.members} members, ${mix.leakySeeds} leaky seeder(s), ${mix.leakyLeechers} leaky leecher(s), K = ${mix.outsiders} outsiders` +
        (mix.ownerLeavesAt !== undefined
          ? `; the owner's node stops once members hold ${mix.ownerLeavesAt * 100} % between them`
          : '') +
        `; ${rs.length} of ${runsPerMix} runs.`,
      '',
    )
    out.push(
      '| role | finished | seconds to done, median (min–max) | received from owner / members / leaky / outsiders |',
    )
    out.push('|---|---|---|---|')
    for (const role of ['member', 'leaky', 'outsider'] as const) {
      const ns = rs.flatMap((r) => r.nodes.filter((n) => n.role === role))
      if (ns.length === 0) continue
      const got = zero()
      for (const n of ns) for (const s of SOURCES) got[s] += n.receivedFrom[s]
      const total = SOURCES.reduce((s, k) => s + got[k], 0)
      out.push(
        `| ${role} | ${ns.filter((n) => n.done).length} of ${ns.length} | ${fmt(ns.flatMap((n) => (n.seconds === undefined ? [] : [n.seconds])))} | ` +
          `${SOURCES.map((s) => pct(got[s], total)).join(' / ')} (${round(total / MiB / ns.length, 1)} MiB each) |`,
      )
    }
    const owners = rs.flatMap((r) => r.nodes.filter((n) => n.role === 'owner'))
    const sent = zero()
    for (const o of owners) for (const s of SOURCES) sent[s] += o.sentTo[s]
    const sentTotal = SOURCES.reduce((s, k) => s + sent[k], 0)
    out.push(
      '',
      `Owner's upload: ${round(sentTotal / MiB / owners.length, 1)} MiB per run, ${pct(sent.member, sentTotal)} to members, ` +
        `${pct(sent.leaky, sentTotal)} to leaky nodes, ${pct(sent.outsider, sentTotal)} to outsiders.`,
      '',
    )
  }
  return out.join('\n')
}

function plot(runs: readonly RunResult[]): string {
  const W = 720
  const H = 360
  const left = 60
  const top = 30
  const bottom = 60
  const never = top + 10
  const times = runs.flatMap((r) => r.nodes.flatMap((n) => (n.seconds === undefined ? [] : [n.seconds])))
  const yMax = Math.max(10, Math.ceil(Math.max(...times, 1) / 10) * 10)
  const y = (s: number) => H - bottom - ((H - bottom - top - 30) * s) / yMax
  const colW = (W - left - 20) / MIXES.length
  const colour: Record<string, string> = { member: '#1f77b4', leaky: '#7f7f7f', outsider: '#ff7f0e' }
  const offset: Record<string, number> = { member: -0.25, leaky: 0, outsider: 0.25 }
  const shapes: string[] = []
  for (let t = 0; t <= yMax; t += yMax / 5) {
    shapes.push(`<line x1="${left}" x2="${W - 20}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`)
    shapes.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${round(t, 0)}</text>`)
  }
  shapes.push(`<text x="${left - 6}" y="${never + 4}" text-anchor="end" font-size="11">never</text>`)
  MIXES.forEach((mix, m) => {
    const cx = left + colW * (m + 0.5)
    shapes.push(
      `<text x="${cx}" y="${H - bottom + 18}" text-anchor="middle" font-size="11">${mix.name.replace(/&/g, '&amp;')}</text>`,
    )
    let k = 0
    for (const r of runs.filter((x) => x.mix === mix.name))
      for (const n of r.nodes) {
        if (n.role !== 'member' && n.role !== 'leaky' && n.role !== 'outsider') continue
        const x = cx + offset[n.role]! * colW + ((k++ % 7) - 3) * 3
        if (n.seconds !== undefined)
          shapes.push(
            `<circle cx="${round(x, 1)}" cy="${round(y(n.seconds), 1)}" r="3.5" fill="${colour[n.role]}" fill-opacity="0.75"/>`,
          )
        else
          shapes.push(
            `<path d="M${round(x - 3, 1)},${never - 3}l6,6m0,-6l-6,6" stroke="${colour[n.role]}" stroke-width="1.5"/>`,
          )
      }
  })
  const legend = Object.entries(colour)
    .map(
      ([role, c], i) =>
        `<circle cx="${left + 10 + i * 110}" cy="${H - 14}" r="4" fill="${c}"/><text x="${left + 18 + i * 110}" y="${H - 10}" font-size="11">${role === 'leaky' ? 'leaky leecher' : role}</text>`,
    )
    .join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">Seconds to the whole file, per node (x: never finished)</text>
${shapes.join('\n')}
${legend}
</svg>
`
}

function writeReport(runs: readonly RunResult[], runsPerMix: number, started: Date): void {
  const START = '<!-- results:start -->'
  const END = '<!-- results:end -->'
  const doc = readFileSync(DOC, 'utf8')
  const a = doc.indexOf(START)
  const b = doc.indexOf(END)
  if (a < 0 || b < a) throw new Error(`${DOC} has no results markers`)
  const body = [
    START,
    '',
    `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run experiment -- --runs ${runsPerMix}\`), ` +
      `${SIZE / MiB} MiB file, every uplink ${UPLINK / MiB} MiB/s.`,
    '',
    tables(runs, runsPerMix),
    '![Seconds to the whole file per node, members vs leaky leechers vs outsiders, per mix](experiment.svg)',
    '',
    END,
  ].join('\n')
  writeFileSync(DOC, doc.slice(0, a) + body + doc.slice(b + END.length))
  writeFileSync(PLOT, plot(runs))
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, mix: { type: 'string' } } })
  const runsPerMix = Number(values.runs)
  if (!Number.isInteger(runsPerMix) || runsPerMix < 1 || runsPerMix > 20) throw new Error('--runs takes 1 to 20')
  const why = labUnavailable()
  if (why !== undefined) {
    console.log(`experiment skipped: ${why}`)
    return
  }
  const mixes = values.mix === undefined ? MIXES : MIXES.filter((m) => m.name === values.mix)
  const slots = Math.max(...mixes.map((m) => 1 + m.members + m.leakySeeds + m.leakyLeechers + m.outsiders))
  const started = new Date()
  const lab = buildSwarmLab(slots, UPLINK)
  const dir = mkdtempSync(join(tmpdir(), 'cotexp-'))
  const runs: RunResult[] = []
  try {
    for (let run = 1; run <= runsPerMix; run++)
      for (const mix of mixes) {
        // Fresh processes for every run: webtorrent crashes a process whose torrent was destroyed
        // while a peer's handshake was still in flight (lib/peer.js reads the gone swarm), and the
        // other nodes keep dialling until their own stop.
        const peers = Array.from({ length: slots }, (_, i) => new Peer(lab, i))
        await Promise.all(peers.map((p) => p.ready))
        const t0 = performance.now()
        const r = await runMix(lab, peers, mix, run, dir).finally(() => peers.forEach((p) => p.kill()))
        runs.push(r)
        const members = r.nodes.filter((n) => n.role === 'member')
        const outsiders = r.nodes.filter((n) => n.role === 'outsider')
        console.log(
          `${mix.name} run ${run}: members ${members.map((n) => n.seconds ?? 'never').join(' ')} s; ` +
            `outsiders ${outsiders.map((n) => n.seconds ?? `never (${round(n.bytes / MiB, 1)} MiB)`).join(' ')}; ` +
            `${round((performance.now() - t0) / 1000, 0)} s`,
        )
        rmSync(join(dir, `run-${mix.name.replace(/\W+/g, '-')}-${run}`), { recursive: true, force: true })
      }
    if (values.mix === undefined) writeReport(runs, runsPerMix, started)
    else console.log(tables(runs, runsPerMix))
  } finally {
    lab.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
