/**
 * One end of a bare WebRTC data channel in a lab home (issue 14), to check the lab itself apart from
 * Coterie: does ICE punch through these routers with the public host's STUN, and does its coturn
 * relay where nothing punches? Signalling goes through the test process: the whole description
 * (candidates gathered, no trickle) is printed as one JSON line, and the other side's is read from
 * stdin. The offerer sends BYTES random bytes; the answerer prints what arrived (count, SHA-256)
 * and the candidate pair ICE chose. Plain JS, so that it starts without a TypeScript loader.
 * Usage: node ice-child.mjs offer|answer BYTES ICE_URL...
 */
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import nodeDataChannel from 'node-datachannel'

const [role, total, ...iceServers] = process.argv.slice(2)
const BYTES = Number(total)
const CHUNK = 16 * 1024
/** Keep at most this much queued in the channel: node-datachannel buffers without limit otherwise. */
const HIGH_WATER = 1024 * 1024

const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
const pc = new nodeDataChannel.PeerConnection(role, { iceServers })
let described = false
pc.onGatheringStateChange((state) => {
  if (state !== 'complete' || described) return
  described = true
  say({ description: pc.localDescription() })
})
const pair = () => {
  const p = pc.getSelectedCandidatePair()
  return p === null ? null : { local: p.local.type, remote: p.remote.type }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line)
  if (m.description !== undefined) pc.setRemoteDescription(m.description.sdp, m.description.type)
})

if (role === 'offer') {
  const dc = pc.createDataChannel('lab')
  const data = randomBytes(BYTES)
  say({ sha256: createHash('sha256').update(data).digest('hex') })
  dc.onOpen(() => {
    let at = 0
    const pump = () => {
      while (at < data.length && dc.bufferedAmount() < HIGH_WATER) {
        dc.sendMessageBinary(data.subarray(at, at + CHUNK))
        at += CHUNK
      }
      if (at >= data.length) say({ sent: data.length, pair: pair() })
    }
    dc.setBufferedAmountLowThreshold(HIGH_WATER / 4)
    dc.onBufferedAmountLow(pump)
    pump()
  })
} else {
  pc.onDataChannel((dc) => {
    const hash = createHash('sha256')
    let got = 0
    const t0 = performance.now()
    dc.onMessage((msg) => {
      const b = Buffer.isBuffer(msg) ? msg : Buffer.from(msg)
      hash.update(b)
      got += b.length
      if (got >= BYTES)
        say({ received: got, sha256: hash.digest('hex'), seconds: (performance.now() - t0) / 1000, pair: pair() })
    })
  })
}
process.on('SIGTERM', () => {
  pc.close()
  process.exit(0)
})
