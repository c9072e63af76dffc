/**
 * What a peer reconnecting in a loop costs a node once its address is refused (issue 15), before
 * and after engine/refuse-at-accept.ts, in one run: a TCP server whose one refused address is the
 * attacker's, and `npm run bench:hostile`'s 2 GiB-frame attacker in a process of its own, which
 * reconnects as soon as it is closed. Each variant is measured for the same window, interleaved:
 *   socket  Node builds a net.Socket and the server destroys it (what webtorrent's pool did)
 *   handle  refuseAtAccept closes the raw handle, before a socket exists (nothing held)
 *   hold    refuseAtAccept as the engine uses it: the first connections are held until the cool-down ends
 * Reported: this process's CPU in the window (the attacker's is its own), refused accepts, and
 * CPU per accept. Usage: npm run bench:refused [-- --runs N] [--window-ms MS]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { parseArgs } from 'node:util'
import { CoolDown } from '../electron/core/engine/connection-budget.js'
import { refuseAtAccept, type AcceptGuard } from '../electron/core/engine/refuse-at-accept.js'
import { ATTACKER_ADDRESS } from '../electron/core/testing/hostile-peers.js'
import { eventually } from '../electron/core/testing/wait.js'
import { median, round } from './stats.js'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'window-ms': { type: 'string', default: '5000' } },
})
const RUNS = Number(values.runs)
const WINDOW_MS = Number(values['window-ms'])
const ATTACKER = new URL('./hostile-attacker.ts', import.meta.url).pathname
const ANY_INFOHASH = 'ab'.repeat(20)

type Variant = 'socket' | 'handle' | 'hold'
const VARIANTS: readonly Variant[] = ['socket', 'handle', 'hold']

interface Sample {
  readonly cpuMs: number
  readonly accepts: number
}

async function once(variant: Variant): Promise<Sample> {
  const cooling = new CoolDown()
  cooling.add(ATTACKER_ADDRESS, 10 * 60_000)
  let accepts = 0
  const server: Server = createServer((socket) => {
    if (!cooling.has(socket.remoteAddress ?? '')) return
    accepts++
    socket.on('error', () => {})
    socket.destroy()
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  let guard: AcceptGuard | undefined
  if (variant !== 'socket')
    guard = refuseAtAccept(server, cooling, {
      ...(variant === 'handle' && { perAddress: 0 }),
      onRefused: () => accepts++,
    })
  const port = (server.address() as { port: number }).port
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', ATTACKER, 'huge', String(port), ANY_INFOHASH],
    { stdio: 'ignore' },
  )
  try {
    await eventually(() => accepts > 0, 120_000, 'the attacker to connect')
    const n0 = accepts
    const cpu0 = process.cpuUsage()
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS))
    const cpu = process.cpuUsage(cpu0)
    return { cpuMs: (cpu.user + cpu.system) / 1000, accepts: accepts - n0 }
  } finally {
    child.kill('SIGKILL')
    guard?.close()
    server.close()
  }
}

const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]))
for (let run = 0; run < RUNS; run++) {
  for (const v of VARIANTS) {
    const s = await once(v)
    samples.get(v)!.push(s)
    console.error(`run ${run + 1}/${RUNS} ${v}: CPU ${Math.round(s.cpuMs)} ms, ${s.accepts} refused accepts`)
  }
}
const med = (v: Variant, k: keyof Sample) => median(samples.get(v)!.map((s) => s[k]))
console.log(`\nA refused peer reconnecting in a loop, ${WINDOW_MS} ms windows, median of ${RUNS} interleaved runs\n`)
console.log('| variant | CPU (ms) | ratio to socket | refused accepts | CPU per accept (µs) |')
console.log('|---|---|---|---|---|')
for (const v of VARIANTS) {
  const perAccept = med(v, 'accepts') === 0 ? '-' : String(Math.round((1000 * med(v, 'cpuMs')) / med(v, 'accepts')))
  console.log(
    `| ${v} | ${Math.round(med(v, 'cpuMs'))} | ${round(med(v, 'cpuMs') / med('socket', 'cpuMs'))} | ${med(v, 'accepts')} | ${perAccept} |`,
  )
}
process.exit(0)
