/**
 * Protocol costs: certificate verifications per second, and the handshake's latency and bytes
 * over two real bittorrent-protocol wires piped in memory (no network, so this is the CPU and
 * protocol cost alone; the engine benchmark adds the network).
 */
import Wire from 'bittorrent-protocol'
import { bytesToHex } from '@noble/hashes/utils.js'
import { verifyCertificate } from '../electron/core/protocol/certificate.js'
import { coterieExtension, extensionOf } from '../electron/core/gate/extension.js'
import { primitives } from '../electron/core/protocol/primitives.js'
import { SealedTransfer } from '../electron/core/protocol/transfer.js'
import { NOW, seed, world } from '../electron/core/testing/fixtures.js'
import { median, percentile, round } from './stats.js'

export interface ProtocolResults {
  primitives: string
  cert_verify_per_s: number
  handshake_ms_median: number
  handshake_ms_p95: number
  handshake_bytes_i_to_r: number
  handshake_bytes_r_to_i: number
  handshake_bytes: number
  /** Sealing then opening 16 KiB blocks (PROTOCOL.md §5.6) on one core: what each side spends per MB. */
  seal_open_us_per_block: number
  seal_open_MBps: number
}

const w = world('bench')

function certVerifyPerSecond(ms = 1500): number {
  const ctx = { swarm: w.swarm.publicKey, infoHash: w.infoHash, now: NOW }
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    if (!verifyCertificate(w.aliceCert, ctx).ok) throw new Error('bench certificate must verify')
    n++
  }
  return n / ((performance.now() - start) / 1000)
}

function handshakeOnce(): Promise<{ ms: number; iToR: number; rToI: number }> {
  const ih = bytesToHex(w.infoHash)
  const mk = (type: string, cert: Uint8Array, secretKey: Uint8Array) => {
    const wire = new Wire(type)
    wire.use(
      coterieExtension({
        lookup: () => ({ swarm: w.swarm.publicKey, credential: { certificate: cert, secretKey } }),
        now: () => NOW,
      }),
    )
    return { wire, ext: extensionOf(wire)! }
  }
  const i = mk('tcpOutgoing', w.aliceCert, w.alice.secretKey)
  const r = mk('tcpIncoming', w.bobCert, w.bob.secretKey)
  return new Promise((resolve, reject) => {
    const start = performance.now()
    let done = 0
    const finish = () => {
      if (++done < 2) return
      resolve({ ms: performance.now() - start, iToR: i.ext.bytesSent, rToI: r.ext.bytesSent })
      i.wire.destroy()
      r.wire.destroy()
    }
    i.ext.on('authorized', finish)
    r.ext.on('authorized', finish)
    i.ext.on('refused', reject)
    r.ext.on('refused', reject)
    r.wire.on('handshake', () => r.wire.handshake(ih, bytesToHex(seed('bench r').subarray(0, 20))))
    i.wire.pipe(r.wire).pipe(i.wire)
    i.wire.handshake(ih, bytesToHex(seed('bench i').subarray(0, 20)))
  })
}

function sealOpen(ms = 1000): { usPerBlock: number; MBps: number } {
  const session = seed('bench session')
  const th = seed('bench th')
  const i = new SealedTransfer(session, th, 'initiator')
  const r = new SealedTransfer(session, th, 'responder')
  const block = new Uint8Array(16 * 1024).fill(7)
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    if (r.openPiece(n, 0, i.sealPiece(n, 0, block)!) === undefined) throw new Error('bench record must open')
    n++
  }
  const s = (performance.now() - start) / 1000
  return { usPerBlock: (s * 1e6) / n, MBps: (n * block.length) / 1e6 / s }
}

export async function benchProtocol(runs = 200): Promise<ProtocolResults> {
  const perSecond = certVerifyPerSecond()
  const sealed = sealOpen()
  const times: number[] = []
  let last = { iToR: 0, rToI: 0 }
  for (let k = 0; k < runs; k++) {
    const r = await handshakeOnce()
    if (k >= 10) times.push(r.ms) // the first runs warm up the JIT
    last = r
  }
  return {
    primitives: primitives().name,
    cert_verify_per_s: Math.round(perSecond),
    handshake_ms_median: round(median(times)),
    handshake_ms_p95: round(percentile(times, 95)),
    handshake_bytes_i_to_r: last.iToR,
    handshake_bytes_r_to_i: last.rToI,
    handshake_bytes: last.iToR + last.rToI,
    seal_open_us_per_block: round(sealed.usPerBlock, 1),
    seal_open_MBps: Math.round(sealed.MBps),
  }
}
