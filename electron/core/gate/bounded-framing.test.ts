// Bounded framing on a real bittorrent-protocol wire, fed bytes as a socket would: a huge prefix is
// refused after its 4 bytes, a frame's id is judged before its body arrives, a first frame read
// before the wrapper was installed is judged at install, a frame arriving a byte at a time is
// delivered whole, and what is held is never copied again while a frame is incomplete.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import Wire from 'bittorrent-protocol'
import { randomBytes } from 'node:crypto'
import { boundFraming } from './bounded-framing.js'
import { MAX_EXTENDED_FRAME, MAX_PIECE_FRAME, MESSAGE } from '../protocol/frame-bounds.js'
import { extendedFrame, frame, handshakeBytes } from '../testing/hostile-peers.js'
import type { FrameErrorCode } from '../../../shared/protocol-codes.js'

const INFO_HASH = 'aa'.repeat(20)
const PIECES = 1000

/** A wire that has read a peer's BitTorrent handshake, with bounded framing; what it refused. */
function handshakenWire(install = true): { wire: Wire; refused: [FrameErrorCode, number][]; install(): void } {
  const wire = new Wire('tcpIncoming')
  wire.on('error', () => {})
  const refused: [FrameErrorCode, number][] = []
  const doInstall = () => boundFraming(wire, { pieces: () => PIECES, onRefused: (c, n) => refused.push([c, n]) })
  if (install) doInstall()
  wire.write(handshakeBytes(INFO_HASH))
  return { wire, refused, install: doInstall }
}

const prefix = (length: number, ...body: number[]) => {
  const b = Buffer.alloc(4 + body.length)
  b.writeUInt32BE(length)
  body.forEach((x, i) => (b[4 + i] = x))
  return b
}
const settle = () => new Promise((r) => setImmediate(r))

describe('bounded framing on a wire', () => {
  // bittorrent-protocol reads a prefix as a signed number: from 2 GiB on it took it for a keep-alive
  // and parsed the body as frames; here every prefix is unsigned, and refused whole.
  it('refuses a 4 GiB prefix after its 4 bytes, and reads nothing after it', async () => {
    const { wire, refused } = handshakenWire()
    let extended = 0
    wire.on('extended', () => extended++)
    wire.write(prefix(0xffff_fff0))
    await settle()
    assert.deepEqual(refused, [['frame-too-long', 0xffff_fff0]])
    assert.ok(wire.destroyed, 'the wire is closed')
    wire.write(extendedFrame(100))
    await settle()
    assert.equal(extended, 0, 'nothing after the refused prefix is parsed')
    assert.equal(wire._bufferSize, 0, 'nothing is held')
  })

  it("judges a frame's id before its body: a PIECE longer than one sealed block is refused at its id byte", async () => {
    const { wire, refused } = handshakenWire()
    wire.write(prefix(MAX_PIECE_FRAME + 1)) // within the largest frame of any kind (an extended one)
    await settle()
    assert.deepEqual(refused, [], 'the prefix alone is within bounds')
    wire.write(Buffer.from([MESSAGE.piece]))
    await settle()
    assert.deepEqual(refused, [['frame-too-long', MAX_PIECE_FRAME + 1]])
    assert.ok(wire.destroyed)
  })

  it('refuses a fixed-size message of the wrong length', async () => {
    const { wire, refused } = handshakenWire()
    wire.write(frame(Uint8Array.of(MESSAGE.have, 0, 0, 0, 1, 0, 0, 0, 0)))
    await settle()
    assert.deepEqual(refused, [['wrong-frame-length', 9]])
    assert.ok(wire.destroyed)
  })

  it('judges at install a prefix read before (webtorrent installs an incoming wire after an await)', async () => {
    const { wire, refused, install } = handshakenWire(false)
    wire.write(prefix(0x7fff_fff0, MESSAGE.extended))
    await settle()
    assert.equal(wire._parserSize, 0x7fff_fff0, 'the unbounded parser took the prefix and waits for 2 GiB')
    install()
    assert.deepEqual(refused, [['frame-too-long', 0x7fff_fff0]])
    await settle()
    assert.ok(wire.destroyed)
  })

  it('delivers a frame of the largest size sent a byte at a time, whole, and holds its chunks without joining them', async () => {
    const { wire, refused } = handshakenWire()
    const got: Uint8Array[] = []
    wire.on('extended', (_ext: unknown, buf: Uint8Array) => got.push(buf))
    const bytes = extendedFrame(MAX_EXTENDED_FRAME)
    const CHUNK = 1024
    let writes = 0
    for (let at = 0; at + CHUNK < bytes.length; at += CHUNK, writes++) wire.write(bytes.subarray(at, at + CHUNK))
    await settle()
    // The 4-byte prefix was parsed off the first chunk; the rest waits as it came, one array per chunk.
    assert.equal(wire._buffer.length, writes, 'each chunk is held as it came, never joined into a new buffer')
    wire.write(bytes.subarray(writes * CHUNK))
    await settle()
    assert.deepEqual(refused, [])
    assert.equal(got.length, 1)
    assert.ok(Buffer.from(got[0]!).equals(bytes.subarray(6)), 'the payload arrived intact')
    assert.ok(!wire.destroyed)
  })

  it('passes a PIECE of one sealed block, and a keep-alive, unchanged', async () => {
    const { wire, refused } = handshakenWire()
    const pieces: Uint8Array[] = []
    wire.on('piece', (_i: number, _o: number, b: Uint8Array) => pieces.push(b))
    let keepAlives = 0
    wire.on('keep-alive', () => keepAlives++)
    const block = randomBytes(MAX_PIECE_FRAME - 9)
    wire.write(
      Buffer.concat([prefix(0), frame(Buffer.concat([Buffer.from([MESSAGE.piece, 0, 0, 0, 3, 0, 0, 0, 0]), block]))]),
    )
    await settle()
    assert.deepEqual(refused, [])
    assert.equal(keepAlives, 1)
    assert.equal(pieces.length, 1)
    assert.ok(Buffer.from(pieces[0]!).equals(block))
  })
})
