/**
 * The lab's own STUN and TURN (issue 14), apart from Coterie: a bare WebRTC data channel
 * (node-datachannel) between the two homes, signalled through this process. Behind port-preserving
 * routers ICE punches through with the public host's STUN (server- or peer-reflexive candidates);
 * behind symmetric NAT nothing punches and coturn relays, with the lab's static user. If these
 * fail, the Coterie cases of the same NATs cannot pass: the lab is wrong, not the engine.
 * Run by `npm run test:net` (root), skipped with a one-line reason elsewhere.
 */
import assert from 'node:assert/strict'
import { createInterface } from 'node:readline'
import { describe, test } from 'node:test'
import { buildLab, LAB_ICE, labUnavailable, type HomeOptions, type Lab } from './lab.js'

const why = labUnavailable()
const CHILD = new URL('./ice-child.mjs', import.meta.url).pathname
const BYTES = 4 * 1024 * 1024
const WAIT_MS = 60_000

interface Line {
  description?: { sdp: string; type: string }
  sha256?: string
  received?: number
  seconds?: number
  pair?: { local: string; remote: string } | null
}

async function channel(lab: Lab): Promise<{ sent: string; got: Line }> {
  await lab.turnReady()
  const ends = (['offer', 'answer'] as const).map((role) => {
    const p = lab.spawn(role === 'offer' ? 'hA' : 'hB', process.execPath, [CHILD, role, String(BYTES), ...LAB_ICE])
    let err = ''
    p.stderr!.on('data', (d: Buffer) => void (err += d.toString()))
    const lines: Line[] = []
    const waiters: (() => void)[] = []
    createInterface({ input: p.stdout! }).on('line', (l) => {
      lines.push(JSON.parse(l) as Line)
      waiters.splice(0).forEach((w) => w())
    })
    const next = (pick: (l: Line) => boolean, what: string) =>
      new Promise<Line>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${role}: no ${what} within ${WAIT_MS / 1000} s: ${err}`)),
          WAIT_MS,
        )
        const look = () => {
          const l = lines.find(pick)
          if (l === undefined) return void waiters.push(look)
          clearTimeout(timer)
          resolve(l)
        }
        look()
      })
    return { p, next }
  })
  const [offer, answer] = ends as [(typeof ends)[0], (typeof ends)[0]]
  const sent = (await offer.next((l) => l.sha256 !== undefined, 'hash')).sha256!
  const o = await offer.next((l) => l.description !== undefined, 'offer')
  answer.p.stdin!.write(`${JSON.stringify(o)}\n`)
  const a = await answer.next((l) => l.description !== undefined, 'answer')
  offer.p.stdin!.write(`${JSON.stringify(a)}\n`)
  const got = await answer.next((l) => l.received !== undefined, 'data')
  return { sent, got }
}

async function run(home: HomeOptions): Promise<Line> {
  const lab = buildLab({ homes: { a: home, b: home }, uplink: 2 << 20 })
  try {
    const { sent, got } = await channel(lab)
    assert.equal(got.received, BYTES)
    assert.equal(got.sha256, sent, 'the bytes arrived intact')
    return got
  } finally {
    lab.destroy()
  }
}

describe('the lab’s STUN and TURN (bare WebRTC, no Coterie)', { skip: why }, () => {
  test('port-preserving routers: ICE punches through with STUN', async (t) => {
    const got = await run({})
    t.diagnostic(JSON.stringify(got))
    assert.ok(got.pair?.local !== 'relay' && got.pair?.remote !== 'relay', `not relayed: ${JSON.stringify(got.pair)}`)
  })

  test('symmetric NAT on both sides: coturn relays', async (t) => {
    const got = await run({ symmetric: true })
    t.diagnostic(JSON.stringify(got))
    assert.ok(got.pair?.local === 'relay' || got.pair?.remote === 'relay', `relayed: ${JSON.stringify(got.pair)}`)
  })
})
