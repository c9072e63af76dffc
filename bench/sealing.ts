/**
 * `npm run bench:sealing` (issue 16): what each way of sealing a transfer costs, as CPU ms per MiB
 * and as a ratio to plain TCP, all in one run. One process sends BENCH_SEALING_MIB over a loopback
 * TCP connection to itself, so the CPU figure is both ends together (sealing and opening), as on
 * this 2-core machine where both peers share the cores.
 *
 * Candidates (docs/ENGINE.md §6 says which was chosen and why):
 *   plain       16 KiB writes, nothing sealed: the floor
 *   records-16k today's sealed records (protocol/transfer.ts, node:crypto AES-256-GCM one-shot per
 *               16 KiB record, a fresh cipher object and result per record), length-prefixed
 *   records-64k the same with 64 KiB records (larger blocks negotiated between members)
 *   records-128k the same with 128 KiB records (BEP 3's largest block)
 *   ctr+hmac    one AES-256-CTR context per direction (one keystream, update() per record) and an
 *               HMAC-SHA256 per 16 KiB record: a stream cipher context kept, a per-record MAC
 *   tls13       node:tls (OpenSSL) TLS 1.3 over the connection, keyed by an external PSK
 *               (TLS_AES_128_GCM_SHA256: OpenSSL's PSK callback ties a PSK to SHA-256), 16 KiB writes
 * Each candidate runs BENCH_SEALING_RUNS times (3), alternating; medians.
 */
import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'
import { installNativePrimitives } from '../electron/core/platform/native-primitives.js'
import { SealedTransfer } from '../electron/core/protocol/transfer.js'
import { median, round } from './stats.js'

const MiB = 1024 * 1024
const env = (name: string, fallback: number): number => {
  const v = process.env[name]
  const n = v === undefined || v === '' ? fallback : Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number`)
  return n
}
const TOTAL = env('BENCH_SEALING_MIB', 256) * MiB
const RUNS = env('BENCH_SEALING_RUNS', 3)
/** A run that takes longer than this fails the bench instead of hanging it. */
const RUN_LIMIT_MS = 300_000
const LOOPBACK = '127.0.0.1'

interface Pipe {
  /** Bytes to send, in whatever writes the candidate makes; returns false when the socket is full. */
  send(block: Uint8Array): boolean
  /** Called with what the receiving socket got; returns plaintext bytes accounted for. */
  receive(chunk: Buffer): number
}

type Candidate = { name: string; block: number; tls?: boolean; make: () => Pipe }

const session = randomBytes(32)
const th = randomBytes(32)

/** Length-prefixed records, sealed and opened with protocol/transfer.ts's SealedTransfer. */
function records(block: number): Candidate {
  return {
    name: `records-${block / 1024}k`,
    block,
    make: () => {
      const out = new SealedTransfer(session, th, 'initiator')
      const back = new SealedTransfer(session, th, 'responder')
      let pending: Buffer = Buffer.alloc(0)
      return {
        send(b) {
          const frame = out.sealPiece(0, 0, b, 4)!
          new DataView(frame.buffer, frame.byteOffset, 4).setUint32(0, frame.length - 4)
          return sink!.write(frame)
        },
        receive(chunk) {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
          let got = 0
          while (pending.length >= 4) {
            const len = pending.readUInt32BE(0)
            if (pending.length < 4 + len) break
            const opened = back.openPiece(0, 0, pending.subarray(4, 4 + len))
            if (opened === undefined) throw new Error('a record did not open')
            got += opened.length
            pending = pending.subarray(4 + len)
          }
          return got
        },
      }
    },
  }
}

/** One AES-256-CTR keystream per direction, HMAC-SHA256 (truncated to 16 bytes) over each record. */
function ctrHmac(block: number): Candidate {
  return {
    name: 'ctr+hmac',
    block,
    make: () => {
      const key = session
      const macKey = th
      const iv = Buffer.alloc(16)
      const enc = createCipheriv('aes-256-ctr', key, iv)
      const dec = createCipheriv('aes-256-ctr', key, iv)
      let n = 0
      let m = 0
      const mac = (seq: number, data: Uint8Array) => {
        const h = createHmac('sha256', macKey)
        const s = Buffer.alloc(8)
        s.writeBigUInt64BE(BigInt(seq))
        return h.update(s).update(data).digest().subarray(0, 16)
      }
      let pending: Buffer = Buffer.alloc(0)
      return {
        send(b) {
          const body = enc.update(b)
          const head = Buffer.alloc(4)
          head.writeUInt32BE(body.length + 16)
          sink!.write(head)
          sink!.write(body)
          return sink!.write(mac(n++, body))
        },
        receive(chunk) {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
          let got = 0
          while (pending.length >= 4) {
            const len = pending.readUInt32BE(0)
            if (pending.length < 4 + len) break
            const body = pending.subarray(4, 4 + len - 16)
            const tag = pending.subarray(4 + len - 16, 4 + len)
            if (!timingSafeEqual(tag, mac(m++, body))) throw new Error('a record did not verify')
            got += dec.update(body).length
            pending = pending.subarray(4 + len)
          }
          return got
        },
      }
    },
  }
}

const plain: Candidate = {
  name: 'plain',
  block: 16 * 1024,
  make: () => ({ send: (b) => sink!.write(b), receive: (c) => c.length }),
}
const tls13: Candidate = { ...plain, name: 'tls13', tls: true }

let sink: net.Socket | undefined

const PSK = randomBytes(32)
const TLS_OPTS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' } as const

/** Sends TOTAL bytes through the candidate over one loopback connection; wall ms and CPU ms. */
async function once(c: Candidate): Promise<{ ms: number; cpuMs: number }> {
  const pipe = c.make()
  const block = randomBytes(c.block)
  let received = 0
  let resolveDone!: () => void
  let rejectDone!: (e: Error) => void
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve
    rejectDone = reject
  })
  const onSocket = (s: net.Socket) => {
    s.on('data', (d: Buffer) => {
      try {
        received += pipe.receive(d)
      } catch (e) {
        rejectDone(e as Error)
      }
      if (received >= TOTAL) resolveDone()
    })
    s.on('error', (e) => rejectDone(e))
  }
  const server = c.tls
    ? tls.createServer({ ...TLS_OPTS, pskCallback: () => PSK, pskIdentityHint: 'coterie' }, onSocket)
    : net.createServer(onSocket)
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve))
  const port = (server.address() as net.AddressInfo).port
  const client: net.Socket = await new Promise((resolve, reject) => {
    const s = c.tls
      ? tls.connect(
          {
            ...TLS_OPTS,
            host: LOOPBACK,
            port,
            checkServerIdentity: () => undefined,
            pskCallback: () => ({ psk: PSK, identity: 'coterie' }),
          },
          () => resolve(s),
        )
      : net.connect(port, LOOPBACK, () => resolve(s))
    s.once('error', reject)
  })
  sink = client
  const timer = setTimeout(() => rejectDone(new Error(`${c.name}: not done in ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let sent = 0
  const pump = () => {
    while (sent < TOTAL) {
      sent += block.length
      if (!pipe.send(block)) return void client.once('drain', pump)
    }
  }
  pump()
  try {
    await done
  } finally {
    clearTimeout(timer)
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  client.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}

if (!installNativePrimitives().gcm) throw new Error('native AES-GCM unavailable')
const candidates = [plain, records(16 * 1024), records(64 * 1024), records(128 * 1024), ctrHmac(16 * 1024), tls13]
const runs = new Map<string, { ms: number; cpuMs: number }[]>()
for (const c of candidates) await once(c) // warm-up, not counted
for (let i = 0; i < RUNS; i++) {
  for (let j = 0; j < candidates.length; j++) {
    const c = candidates[(i + j) % candidates.length]!
    const r = await once(c)
    runs.set(c.name, [...(runs.get(c.name) ?? []), r])
    process.stderr.write(
      `  ${c.name.padEnd(13)} ${(TOTAL / 1e6 / (r.ms / 1000)).toFixed(0).padStart(5)} MB/s  ${(r.cpuMs / (TOTAL / MiB)).toFixed(2)} cpu ms/MiB\n`,
    )
  }
}
const summary = candidates.map((c) => {
  const rs = runs.get(c.name)!
  return {
    name: c.name,
    MBps: round(median(rs.map((r) => TOTAL / 1e6 / (r.ms / 1000))), 0),
    cpu_ms_per_MiB: round(median(rs.map((r) => r.cpuMs / (TOTAL / MiB))), 2),
  }
})
const base = summary[0]!
console.log(
  `\nSealing candidates, ${TOTAL / MiB} MiB over loopback TCP in one process (both ends' CPU), medians of ${RUNS}`,
)
console.table(
  summary.map((s) => ({
    candidate: s.name,
    'MB/s': s.MBps,
    'cpu ms/MiB': s.cpu_ms_per_MiB,
    'cpu x plain': round(s.cpu_ms_per_MiB / base.cpu_ms_per_MiB, 2),
    'sealing cpu ms/MiB (over plain)': round(s.cpu_ms_per_MiB - base.cpu_ms_per_MiB, 2),
  })),
)
