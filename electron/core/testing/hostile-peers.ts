/**
 * Hostile outsiders that hold a torrent's infohash and attack a node's framing and connection
 * slots, on raw TCP sockets (no bittorrent-protocol of their own, so they send exactly the bytes
 * written here): one announces a huge frame and streams into it, one sends many frames of exactly
 * the largest legitimate size and then one byte longer, and a crowd of stallers claims every piece
 * and never sends one, reconnecting as soon as it is dropped. Used by the hostile-peer tests and
 * by `npm run bench:hostile`.
 */
import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { MESSAGE } from '../protocol/frame-bounds.js'

const PSTR = 'BitTorrent protocol'
const HANDSHAKE_BYTES = 1 + PSTR.length + 8 + 20 + 20
const STREAM_CHUNK = 64 * 1024
/**
 * 2 GiB, less a little: the largest a prefix can announce to bittorrent-protocol, which reads it as
 * a signed number (from 2^31 on, a keep-alive).
 */
export const HUGE_FRAME = 0x7fff_fff0
/**
 * Where attackers connect from by default: another loopback address, as another host would be, so
 * the node's per-address fairness (engine/connection-budget.ts) sees them apart from the members.
 */
export const ATTACKER_ADDRESS = '127.0.0.2'
/** An extended message id no one registers: the node parses it and ignores it. */
const UNUSED_EXT_ID = 77

/** BitTorrent's handshake with the BEP 10 (extended) and BEP 6 (fast) bits. */
export function handshakeBytes(infoHash: string, o: { extended?: boolean } = {}): Buffer {
  const reserved = Buffer.alloc(8)
  if (o.extended !== false) reserved[5]! |= 0x10
  reserved[7]! |= 0x04
  return Buffer.concat([
    Buffer.from([PSTR.length]),
    Buffer.from(PSTR),
    reserved,
    Buffer.from(infoHash, 'hex'),
    randomBytes(20),
  ])
}

/** One frame: its 4-byte length prefix, then `body` (id first). */
export function frame(body: Uint8Array): Buffer {
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(body.length)
  return Buffer.concat([prefix, body])
}

/** An extended message (id 20) of `length` bytes in all, carrying an ext id nobody uses. */
export function extendedFrame(length: number): Buffer {
  const body = randomBytes(length)
  body[0] = MESSAGE.extended
  body[1] = UNUSED_EXT_ID
  return frame(body)
}

/** Connects and exchanges BitTorrent handshakes; resolves once the node's handshake arrived. */
function handshaken(host: string, port: number, infoHash: string, from = ATTACKER_ADDRESS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, localAddress: from })
    let got = 0
    const onData = (d: Buffer) => {
      got += d.length
      if (got < HANDSHAKE_BYTES) return
      socket.off('data', onData)
      socket.on('data', () => {}) // keep reading (and discarding) what the node sends
      socket.on('error', () => {}) // a reset once the node drops us is what we are here for
      resolve(socket)
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.once('close', () => reject(new Error('closed before the handshake')))
    socket.once('connect', () => socket.write(handshakeBytes(infoHash)))
  })
}

/** Writes `data` (or waits for the socket to drain); false once the socket is closed. */
function write(socket: Socket, data: Uint8Array): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(false)
  if (socket.write(data)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (open: boolean) => {
      socket.off('drain', onDrain)
      socket.off('close', onClose)
      resolve(open)
    }
    const onDrain = () => done(true)
    const onClose = () => done(false)
    socket.once('drain', onDrain)
    socket.once('close', onClose)
  })
}

export interface StreamOutcome {
  /** Bytes written after the handshake (the kernel's socket buffers take some after a close, too). */
  readonly sent: number
  /** The node closed the connection before `max` bytes were sent. */
  readonly closed: boolean
}

/**
 * Announces a frame of `announced` bytes and streams garbage into it until the node closes the
 * connection or `max` bytes are out.
 */
export async function streamHugeFrame(
  host: string,
  port: number,
  infoHash: string,
  o: { announced?: number; max: number; from?: string },
): Promise<StreamOutcome> {
  const socket = await handshaken(host, port, infoHash, o.from)
  const prefix = Buffer.alloc(6)
  prefix.writeUInt32BE(o.announced ?? HUGE_FRAME)
  prefix[4] = MESSAGE.extended
  prefix[5] = UNUSED_EXT_ID
  const chunk = randomBytes(STREAM_CHUNK)
  let sent = 0
  let open = await write(socket, prefix)
  while (open && sent < o.max) {
    open = await write(socket, chunk)
    if (open) sent += chunk.length
  }
  socket.destroy()
  return { sent, closed: !open }
}

/**
 * Sends `count` frames of exactly `frameBytes` (the largest legitimate size), each in `chunk`-byte
 * writes (many small chunks are what made buffering quadratic), then one frame a byte longer, and
 * waits (up to `closeWithinMs`) for the node to close the connection.
 */
export async function nearLimitFrames(
  host: string,
  port: number,
  infoHash: string,
  o: { frameBytes: number; count: number; chunk: number; closeWithinMs: number; from?: string },
): Promise<StreamOutcome & { readonly frames: number }> {
  const socket = await handshaken(host, port, infoHash, o.from)
  const closed = new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true))
    setTimeout(() => resolve(false), o.closeWithinMs).unref()
  })
  let sent = 0
  let frames = 0
  const send = async (bytes: Buffer): Promise<boolean> => {
    for (let at = 0; at < bytes.length; at += o.chunk) {
      if (!(await write(socket, bytes.subarray(at, at + o.chunk)))) return false
      sent += Math.min(o.chunk, bytes.length - at)
    }
    return true
  }
  const legit = extendedFrame(o.frameBytes)
  while (frames < o.count && (await send(legit))) frames++
  if (frames === o.count) await send(extendedFrame(o.frameBytes + 1))
  const wasClosed = await closed
  socket.destroy()
  return { sent, closed: wasClosed, frames }
}

export interface Stallers {
  /** Connections tried, in all (a refused one is tried again 50 ms later). */
  readonly attempts: number
  /** Connections the node accepted (handshake answered), in all. */
  readonly opened: number
  /** Of those, how many the node has closed. */
  readonly dropped: number
  /** Open now. */
  readonly open: number
  stop(): void
}

/**
 * `count` connections that each claim every piece (HAVE_ALL), unchoke the node and never send a
 * block, reopened as soon as the node drops one. Half set the BEP 10 bit and never send an
 * extended handshake (they stay "pending"); half send a plain one without Coterie.
 */
export function stallers(host: string, port: number, infoHash: string, count: number, from?: string): Stallers {
  let attempts = 0
  let opened = 0
  let dropped = 0
  let stopped = false
  const live = new Set<Socket>()
  const claim = Buffer.concat([frame(Uint8Array.of(MESSAGE.haveAll)), frame(Uint8Array.of(MESSAGE.unchoke))])
  const plainExtended = frame(Buffer.concat([Buffer.from([MESSAGE.extended, 0]), Buffer.from('d1:md6:ut_pexi1eee')]))
  const open = (n: number): void => {
    if (stopped) return
    attempts++
    handshaken(host, port, infoHash, from).then(
      (socket) => {
        opened++
        live.add(socket)
        socket.write(n % 2 === 0 ? claim : Buffer.concat([plainExtended, claim]))
        socket.once('close', () => {
          live.delete(socket)
          if (stopped) return
          dropped++
          open(n)
        })
        socket.on('error', () => {})
      },
      // Refused or reset before the handshake: try again a moment later, as a real attacker would.
      () => void setTimeout(() => open(n), 50).unref(),
    )
  }
  for (let i = 0; i < count; i++) open(i)
  return {
    get attempts() {
      return attempts
    },
    get opened() {
      return opened
    },
    get dropped() {
      return dropped
    },
    get open() {
      return live.size
    },
    stop() {
      stopped = true
      for (const s of live) s.destroy()
    },
  }
}
