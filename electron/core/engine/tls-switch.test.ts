// The TLS switch (PROTOCOL.md §5.6.2) between real WebTorrent engines on 127.0.0.1, seen from a man
// in the middle (testing/relay.ts): after the handshake both directions are TLS records, so a
// capture holds no block, no certificate and no control message; a flipped bit or an injected
// frame ends the connection (TLS's record MAC), never the download; a relay that terminates TLS
// toward each side fails the channel binding; and a node that does not offer the switch (an older
// Coterie) still gets its blocks, as sealed records.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { syncBuiltinESMExports } from 'node:module'
import { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import tls, { TLSSocket, connect as tlsConnect, createSecureContext, type ConnectionOptions } from 'node:tls'
import { Engine, type EngineOptions, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { makeThrowawayCertificate } from '../gate/throwaway-certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../testing/swarm.js'
import { MESSAGE, isTlsRecord, messageId, requestFrame, startRelay, type FrameHook } from '../testing/relay.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('tls swarm')
const people = { owner: keyPair('tls owner'), alice: keyPair('tls alice') }
const certs = Object.fromEntries(
  Object.entries(people).map(([k, p]) => [
    k,
    issueCertificate(swarm, { member: p.publicKey, iat: now() - 60, exp: now() + DAY }),
  ]),
) as Record<keyof typeof people, Uint8Array>
const membership = (who: keyof typeof people): SwarmMembership => ({
  swarm: swarm.publicKey,
  credential: { certificate: certs[who], secretKey: people[who].secretKey },
})
const { temp, cleanup } = tempDirs()
after(cleanup)

const BLOCK = 16 * 1024
const MiB = 1024 * 1024
const TLS_APPLICATION_DATA = 23

/** 32-byte samples from every block of the file: any one in a capture means plaintext leaked. */
function leaks(capture: Buffer, data: Buffer): number {
  let found = 0
  for (let at = 0; at + 96 <= data.length; at += BLOCK) if (capture.includes(data.subarray(at + 64, at + 96))) found++
  return found
}

/**
 * The owner seeds a file, alice downloads it through a relay with `hook`; both offer the switch
 * unless told otherwise. Returns what the test needs to look at.
 */
async function throughRelay(
  name: string,
  size: number,
  hook: FrameHook | undefined,
  o: { owner?: EngineOptions; alice?: EngineOptions } = {},
) {
  const file = randomFile(temp(`${name}-src`), `${name}.bin`, size)
  // Without the obfuscation handshake, so the relay can read the frames it forwards.
  const owner = await Engine.start({ obfuscate: false, tls: true, ...o.owner })
  const alice = await Engine.start({ obfuscate: false, tls: true, ...o.alice })
  const warnings = { owner: [] as string[], alice: [] as string[] }
  owner.on('warning', (e: Error) => warnings.owner.push(e.message))
  alice.on('warning', (e: Error) => warnings.alice.push(e.message))
  const relay = await startRelay(owner.port, hook)
  const t = await owner.seed(file.path, membership('owner'))
  const dest = temp(`${name}-dest`)
  await alice.add(t.info, dest, membership('alice'), { peers: [`${LOOPBACK}:${relay.port}`] })
  return {
    file,
    relay,
    warnings,
    infoHash: t.infoHash,
    alice,
    received: () => readFileSync(join(dest, `${name}.bin`)),
    close: async () => {
      await relay.close()
      await Promise.all([owner.close(), alice.close()])
    },
  }
}

describe('the TLS switch, seen from the path', () => {
  it('a passive capture holds TLS records only after the switch: no block, no certificate, no control message', async () => {
    const run = await throughRelay('capture', 2 * MiB + 77, undefined)
    try {
      await run.alice.whenDone(run.infoHash)
      assert.ok(run.received().equals(run.file.data), 'alice has the file, byte for byte')
      const { captured } = run.relay
      for (const d of ['up', 'down'] as const) {
        const first = captured[d].findIndex(isTlsRecord)
        assert.ok(first > 0, `the ${d} direction moved into TLS`)
        assert.ok(captured[d].slice(first).every(isTlsRecord), `after its first TLS record, ${d} carries nothing else`)
      }
      const clearPieces = captured.down.filter((f) => !isTlsRecord(f) && messageId(f) === MESSAGE.piece).length
      const tlsData = captured.down.filter((f) => f[0] === TLS_APPLICATION_DATA).length
      assert.ok(clearPieces < (2 * MiB) / BLOCK / 4, `few blocks (${clearPieces}) went as records before the switch`)
      assert.ok(tlsData >= (2 * MiB) / BLOCK / 2, `the blocks went inside TLS (${tlsData} records)`)
      const capture = run.relay.bytes()
      assert.equal(leaks(capture, run.file.data), 0, 'no block of the file crossed in clear')
      for (const who of ['owner', 'alice'] as const) {
        assert.ok(!capture.includes(Buffer.from(certs[who])), `${who}'s certificate is not on the wire`)
        assert.ok(!capture.includes(Buffer.from(people[who].publicKey)), `${who}'s member key is not on the wire`)
      }
      assert.deepEqual(run.warnings, { owner: [], alice: [] })
    } finally {
      await run.close()
    }
  })

  it('a bit flipped in a TLS record ends the connection (tls-failed), and the download completes intact', async () => {
    let flipped = 0
    const run = await throughRelay('flip', MiB, (direction, frame) => {
      if (direction !== 'down' || frame[0] !== TLS_APPLICATION_DATA || frame.length < 1000 || flipped > 0)
        return undefined
      flipped++
      const f = Buffer.from(frame)
      f[500]! ^= 0x10
      return [f]
    })
    try {
      await until(() => run.relay.closed >= 1, 20_000, 'the tampered connection to close')
      assert.equal(flipped, 1)
      assert.ok(
        run.warnings.alice.some((w) => w.includes('(tls-failed)')),
        `alice saw the tampering: ${run.warnings.alice.join('; ')}`,
      )
      await run.alice.whenDone(run.infoHash) // webtorrent redials; the relay flips only once
      assert.ok(run.received().equals(run.file.data), 'no corrupt byte reached the file')
      assert.ok(run.relay.connections >= 2, 'it took a new connection')
    } finally {
      await run.close()
    }
  })

  it("a relay's own request injected after the switch ends the connection; it gets no block", async () => {
    let injected = false
    const run = await throughRelay('inject', MiB, (direction, frame, conn) => {
      if (direction === 'up' && frame[0] === TLS_APPLICATION_DATA && !injected) {
        injected = true // the member's first bytes inside TLS: ask for block 0 in its name, in clear
        return [frame, requestFrame(0, 0, BLOCK)]
      }
      void conn
      return undefined
    })
    try {
      await until(() => run.relay.closed >= 1, 20_000, 'the connection with the injected frame to close')
      assert.ok(injected)
      // The owner's TLS refuses the bytes and alerts; whichever side notices first closes it.
      const all = [...run.warnings.owner, ...run.warnings.alice]
      assert.ok(
        all.some((w) => w.includes('(tls-failed)')),
        `the injected bytes failed TLS: ${all.join('; ')}`,
      )
      await run.alice.whenDone(run.infoHash)
      assert.ok(run.received().equals(run.file.data))
      assert.equal(leaks(run.relay.bytes('down'), run.file.data), 0, 'not one block readable')
    } finally {
      await run.close()
    }
  })

  it('a relay that terminates TLS toward each side fails the channel binding', async () => {
    const { cert, key } = makeThrowawayCertificate()
    const context = createSecureContext({ cert, key, minVersion: 'TLSv1.3' })
    const legs = new Map<number, { fromI: Duplex; fromR: Duplex }>()
    let cleartextSeen = 0
    const run = await throughRelay('mitm', MiB, (direction, frame, conn) => {
      if (!isTlsRecord(frame)) return undefined
      let leg = legs.get(conn.index)
      if (leg === undefined) {
        const fromI = new Duplex({ read() {}, write: (c: Buffer, _e, cb) => (conn.inject('down', c), cb()) })
        const fromR = new Duplex({ read() {}, write: (c: Buffer, _e, cb) => (conn.inject('up', c), cb()) })
        const towardI = new TLSSocket(fromI, { isServer: true, secureContext: context })
        const towardR = tlsConnect({ socket: fromR, rejectUnauthorized: false, minVersion: 'TLSv1.3' })
        towardI.on('data', (b: Buffer) => ((cleartextSeen += b.length), towardR.write(b)))
        towardR.on('data', (b: Buffer) => ((cleartextSeen += b.length), towardI.write(b)))
        for (const s of [towardI, towardR]) s.on('error', () => {})
        legs.set(conn.index, (leg = { fromI, fromR }))
      }
      ;(direction === 'up' ? leg.fromI : leg.fromR).push(frame)
      return []
    })
    try {
      // Whichever side checks the MAC it was sent first closes the connection.
      const refused = () =>
        [...run.warnings.owner, ...run.warnings.alice].filter((w) => w.includes('(tls-binding-failed)'))
      await until(() => refused().length >= 2, 30_000, 'the binding to be refused on two connections')
      assert.equal(run.alice.torrentSummary(run.infoHash).progress, 0, 'alice got no block through it')
      assert.ok(cleartextSeen > 0, 'the relay did terminate TLS (it read what each side sent first)')
      assert.equal(leaks(run.relay.bytes(), run.file.data), 0, 'no block crossed, in clear or to the relay')
    } finally {
      await run.close()
    }
  })

  it("with BitTorrent's obfuscation (MSE) under it, the switch completes and the file arrives intact", async () => {
    const file = randomFile(temp('mse-src'), 'mse.bin', MiB + 3)
    const owner = await Engine.start({ tls: true })
    const alice = await Engine.start({ tls: true })
    const warnings: string[] = []
    for (const e of [owner, alice]) e.on('warning', (w: Error) => warnings.push(w.message))
    try {
      const t = await owner.seed(file.path, membership('owner'))
      const dest = temp('mse-dest')
      await alice.add(t.info, dest, membership('alice'), { peers: [`${LOOPBACK}:${owner.port}`] })
      await alice.whenDone(t.infoHash)
      assert.ok(readFileSync(join(dest, 'mse.bin')).equals(file.data))
      assert.deepEqual(
        warnings.filter((w) => w.includes('TLS')),
        [],
      )
    } finally {
      await Promise.all([owner.close(), alice.close()])
    }
  })

  it('on TCP without RC4, TLS runs on the raw TCP socket on both sides (docs/ENGINE.md §6), not over a stream', async () => {
    // Which socket each TLS session is made on, seen by wrapping node:tls's two entry points (the
    // real ones still do the work; syncBuiltinESMExports hands the wrappers to tls-switch.ts's imports).
    const made: string[] = []
    const kind = (s: unknown) => (s instanceof Socket ? 'tcp' : 'stream')
    const real = { TLSSocket: tls.TLSSocket, connect: tls.connect }
    class Seen extends real.TLSSocket {
      constructor(socket: Duplex, o: ConstructorParameters<typeof TLSSocket>[1]) {
        super(socket, o)
        made.push(`server on ${kind(socket)}`)
      }
    }
    const seen = (o: ConnectionOptions) => (made.push(`client on ${kind(o.socket)}`), real.connect(o))
    Object.assign(tls, { TLSSocket: Seen, connect: seen })
    syncBuiltinESMExports()
    try {
      const run = await throughRelay('raw', MiB + 5, undefined)
      try {
        await run.alice.whenDone(run.infoHash)
        assert.ok(run.received().equals(run.file.data))
        assert.deepEqual(made.sort(), ['client on tcp', 'server on tcp'])
        assert.equal(leaks(run.relay.bytes(), run.file.data), 0)
      } finally {
        await run.close()
      }
    } finally {
      Object.assign(tls, real)
      syncBuiltinESMExports()
    }
  })

  it('with speed limits on both sides (throttles holding bytes at the switch), the file arrives intact inside TLS', async () => {
    const limit = 4 * MiB // bytes per second: webtorrent's throttles slice and delay every chunk
    const run = await throughRelay('limited', MiB + 9, undefined, {
      owner: { uploadLimit: limit, downloadLimit: limit },
      alice: { uploadLimit: limit, downloadLimit: limit },
    })
    try {
      await run.alice.whenDone(run.infoHash)
      assert.ok(run.received().equals(run.file.data))
      for (const d of ['up', 'down'] as const) {
        const first = run.relay.captured[d].findIndex(isTlsRecord)
        assert.ok(first > 0 && run.relay.captured[d].slice(first).every(isTlsRecord), `${d} moved into TLS`)
      }
      assert.deepEqual(run.warnings, { owner: [], alice: [] })
    } finally {
      await run.close()
    }
  })

  it('a member that does not offer the switch (an older node) gets its blocks as sealed records', async () => {
    const run = await throughRelay('older', MiB, undefined, { owner: { tls: false } })
    try {
      await run.alice.whenDone(run.infoHash)
      assert.ok(run.received().equals(run.file.data))
      const down = run.relay.captured.down
      assert.equal(down.filter(isTlsRecord).length, 0, 'no TLS: the offer went unanswered')
      const pieces = down.filter((f) => messageId(f) === MESSAGE.piece)
      assert.ok(pieces.length >= MiB / BLOCK, 'every block came as a PIECE message')
      for (const p of pieces) assert.equal(p.length, 4 + 9 + BLOCK + 16, 'each a sealed record (block + 16-byte tag)')
      assert.equal(leaks(run.relay.bytes(), run.file.data), 0)
    } finally {
      await run.close()
    }
  })
})
