// A client that sends its BEP 10 extended handshake right behind its BitTorrent handshake, before
// it has heard the node's (libtorrent does; so did the independent implementation of issue 15),
// dialing a real engine on 127.0.0.1. Webtorrent routes an incoming plaintext connection to its
// torrent only after an await, so both handshakes can be parsed before the gate is installed: the
// peer's hello must still reach the gate (it was lost, and the member refused, about half the time).
// Both handshakes leave here in one TCP write, so every connection meets the race.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import Wire from 'bittorrent-protocol'
import { Engine, type SeededTorrent } from './engine.js'
import { coterieExtension, extensionOf, type CoterieExtension } from '../gate/extension.js'
import { keyPair, membershipIn } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, tempDir } from '../testing/swarm.js'
import { eventually, onceWithin } from '../testing/wait.js'

/** Connections tried: each one sends both handshakes in one write. */
const ATTEMPTS = 12
/** A loaded machine's bound for one handshake (the protocol's own deadline is HANDSHAKE_TIMEOUT_MS). */
const VERDICT_MS = 20_000

const swarm = keyPair('early hello swarm')

/** One member connection whose extended handshake leaves with its BitTorrent handshake. */
async function earlyMember(port: number, infoHash: string, who: string): Promise<string> {
  const membership = membershipIn(swarm, who)
  const socket = connect(port, LOOPBACK)
  const wire = new Wire('tcpOutgoing')
  socket.on('error', () => {})
  wire.on('error', () => {})
  wire.use(coterieExtension({ lookup: (ih) => (ih === infoHash ? membership : undefined) }))
  const ext = extensionOf(wire) as CoterieExtension
  // The node's verdict on our proof, or the connection closing without one (what the race did).
  const verdict = Promise.race([
    eventually(() => ext.self !== undefined && ext.self.kind !== 'pending', VERDICT_MS, `the node's verdict on ${who}`),
    onceWithin(wire, 'close', VERDICT_MS, 'the connection to close'),
  ]).then(() => {
    const v = ext.self
    return v?.kind === 'refused' ? `refused ${v.code}` : wire.destroyed ? `closed (${ext.state})` : (v?.kind ?? 'none')
  })
  try {
    await onceWithin(socket, 'connect', VERDICT_MS, 'the TCP connection')
    socket.pipe(wire)
    // Corked until both are queued: one write, so the node reads them in one chunk.
    socket.cork()
    wire.pipe(socket)
    wire.handshake(infoHash, randomBytes(20), { dht: false })
    ;(wire as unknown as { _sendExtendedHandshake(): void })._sendExtendedHandshake()
    await new Promise((r) => setImmediate(r))
    socket.uncork()
    return await verdict
  } finally {
    wire.destroy()
    socket.destroy()
  }
}

describe('an extended handshake sent before the node answers', () => {
  const dir = tempDir('early-hello')
  let owner: Engine
  let t: SeededTorrent
  before(async () => {
    owner = await Engine.start({ dht: false })
    t = await owner.seed(randomFile(dir.path, 'f.bin', 64 * 1024).path, membershipIn(swarm, 'early owner'))
  })
  after(async () => {
    await owner.close()
    dir.remove()
  })

  it(`is taken by the gate: ${ATTEMPTS} of ${ATTEMPTS} members accepted`, async () => {
    const verdicts: string[] = []
    for (let i = 0; i < ATTEMPTS; i++) {
      verdicts.push(await earlyMember(owner.port, t.infoHash, `early member ${i}`))
    }
    assert.deepEqual(verdicts, Array<string>(ATTEMPTS).fill('accepted'))
  })
})
