// Sealed records (PROTOCOL.md §5.6.1) between real WebTorrent engines on 127.0.0.1, seen from a man
// in the middle (testing/relay.ts): what crosses the wire between members is ciphertext, a relay
// gets nothing readable even for its own requests, and a flipped bit ends the connection, never
// the download. The records are what a member still uses with an older Coterie node and on WebRTC,
// so these engines do not offer the TLS switch; tls-switch.test.ts is the same from the TLS path.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Torrent } from 'webtorrent'
import { Engine, type SwarmMembership } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { DAY, keyPair } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, tempDirs, until } from '../testing/swarm.js'
import { MESSAGE, messageId, pieceOf, requestFrame, startRelay, type Relay } from '../testing/relay.js'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('sealed swarm')
const people = { owner: keyPair('sealed owner'), alice: keyPair('sealed alice'), bob: keyPair('sealed bob') }
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

/** 32-byte samples from every block of the file: any one in a capture means plaintext leaked. */
function leaks(capture: Buffer, data: Buffer): number {
  let found = 0
  for (let at = 0; at + 96 <= data.length; at += BLOCK) if (capture.includes(data.subarray(at + 64, at + 96))) found++
  return found
}

async function withEngines<T>(n: number, fn: (engines: Engine[]) => Promise<T>): Promise<T> {
  // Without the obfuscation handshake, so the relay can read the frames it forwards.
  const engines = await Promise.all(Array.from({ length: n }, () => Engine.start({ obfuscate: false, tls: false })))
  try {
    return await fn(engines)
  } finally {
    await Promise.all(engines.map((e) => e.close()))
  }
}

describe('sealed records, seen from the path', () => {
  it('a passive capture of a member-to-member transfer holds no plaintext and no certificate', async () => {
    const file = randomFile(temp('src'), 'home-video.bin', 2 * MiB + 77)
    await withEngines(2, async ([alice, bob]) => {
      const owner = await Engine.start({ obfuscate: false, tls: false })
      const t = await owner.seed(file.path, membership('owner'))
      await alice!.add(t.info, temp('alice'), membership('alice'), { peers: [`${LOOPBACK}:${owner.port}`] })
      await alice!.whenDone(t.infoHash)
      await owner.close() // from here on, only members hold the file
      const relay = await startRelay(alice!.port)
      try {
        const dest = temp('bob')
        await bob!.add(t.info, dest, membership('bob'), { peers: [`${LOOPBACK}:${relay.port}`] })
        await bob!.whenDone(t.infoHash)
        assert.ok(readFileSync(join(dest, 'home-video.bin')).equals(file.data), 'bob has the file, byte for byte')
        const capture = relay.bytes()
        assert.ok(capture.length > file.data.length, 'the whole transfer went through the relay')
        assert.equal(leaks(capture, file.data), 0, 'no block of the file crossed in clear')
        for (const who of ['alice', 'bob'] as const) {
          assert.ok(!capture.includes(Buffer.from(certs[who])), `${who}'s certificate is not on the wire`)
          assert.ok(!capture.includes(Buffer.from(people[who].publicKey)), `${who}'s member key is not on the wire`)
        }
      } finally {
        await relay.close()
      }
    })
  })

  it('the same capture of a plain WebTorrent transfer shows the file (the check above can fail)', async () => {
    const file = randomFile(temp('plain'), 'plain.bin', MiB)
    const seeder = plainClient({ secure: 0 })
    const leecher = plainClient({ secure: 0 })
    try {
      const torrent = await new Promise<Torrent>((resolve) => seeder.seed(file.path, {}, resolve))
      await new Promise<void>((resolve) => seeder.once('listening', resolve).address() !== null && resolve())
      const relay = await startRelay(seeder.address()!.port)
      try {
        const t = leecher.add(torrent.torrentFile!, { path: temp('plain-dest') })
        t.on('infoHash', () => t.addPeer(`${LOOPBACK}:${relay.port}`))
        await new Promise<void>((resolve) => t.once('done', () => resolve()))
        assert.ok(
          leaks(relay.bytes('down'), file.data) >= MiB / BLOCK - 1,
          'plain BitTorrent carries every block in clear',
        )
      } finally {
        await relay.close()
      }
    } finally {
      await Promise.all([destroyClient(seeder), destroyClient(leecher)])
    }
  })

  it('a relay that forwards the handshake and injects its own request reads only ciphertext', async () => {
    const file = randomFile(temp('relay-src'), 'album.bin', MiB)
    await withEngines(2, async ([owner, alice]) => {
      const t = await owner!.seed(file.path, membership('owner'))
      let injected = false
      const stolen: Buffer[] = []
      const relay = await startRelay(owner!.port, (direction, frame, conn) => {
        const id = messageId(frame)
        if (direction === 'down' && id === MESSAGE.unchoke && !injected) {
          injected = true // the owner just unchoked the member: ask for block 0 in its name
          conn.inject('up', requestFrame(0, 0, BLOCK))
        }
        if (direction === 'down' && id === MESSAGE.piece) stolen.push(pieceOf(frame).payload)
        return undefined
      })
      try {
        const dest = temp('relay-dest')
        await alice!.add(t.info, dest, membership('alice'), { peers: [`${LOOPBACK}:${relay.port}`] })
        await alice!.whenDone(t.infoHash)
        assert.ok(readFileSync(join(dest, 'album.bin')).equals(file.data))
        assert.ok(injected, 'the relay injected its request after the handshake')
        assert.ok(stolen.length >= MiB / BLOCK, 'the relay saw every piece message')
        for (const payload of stolen) {
          assert.equal(payload.length, BLOCK + 16, 'each block crossed as a sealed record (block + 16-byte tag)')
        }
        assert.equal(leaks(Buffer.concat(stolen), file.data), 0, 'not one block readable, its own request included')
      } finally {
        await relay.close()
      }
    })
  })

  it('a bit flipped in a block kills the connection, and the download still completes intact', async () => {
    const file = randomFile(temp('flip-src'), 'flip.bin', MiB)
    await withEngines(2, async ([owner, alice]) => {
      const t = await owner!.seed(file.path, membership('owner'))
      let flipped = 0
      const relay: Relay = await startRelay(owner!.port, (direction, frame) => {
        if (direction !== 'down' || messageId(frame) !== MESSAGE.piece || flipped > 0) return undefined
        flipped++
        const f = Buffer.from(frame)
        f[13 + 100]! ^= 0x10 // one bit of the block itself
        return [f]
      })
      const warnings: string[] = []
      alice!.on('warning', (e: Error) => warnings.push(e.message))
      try {
        const dest = temp('flip-dest')
        await alice!.add(t.info, dest, membership('alice'), { peers: [`${LOOPBACK}:${relay.port}`] })
        await until(() => relay.closed >= 1, 10_000, 'the tampered connection to close')
        assert.equal(flipped, 1)
        assert.ok(
          warnings.some((w) => w.includes('did not open')),
          `the member saw the tampering: ${warnings.join('; ')}`,
        )
        // webtorrent redials a dropped peer after a second; the relay flips only once.
        await alice!.whenDone(t.infoHash)
        assert.ok(readFileSync(join(dest, 'flip.bin')).equals(file.data), 'no corrupt byte reached the file')
        assert.ok(relay.connections >= 2, 'it took a new connection')
      } finally {
        await relay.close()
      }
    })
  })
})
