/**
 * A man in the middle on loopback, for tests: accepts connections on 127.0.0.1, opens one to the
 * target for each, and forwards BitTorrent frames (the 68-byte handshake, then length-prefixed
 * messages) both ways, recording every byte. A hook sees each frame and may change it, drop it,
 * or inject frames of its own in either direction: a passive capture, a relay, a bit flipper.
 * Once a direction moves into TLS (PROTOCOL.md §5.6.2: its next bytes are a TLS record header,
 * which no BitTorrent length is), the hook sees that direction's TLS records instead, one per call.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { LOOPBACK } from './swarm.js'

export type Direction = 'up' | 'down' // up: the connecting side to the target; down: back

export interface RelayedConnection {
  readonly index: number
  /** Sends a frame of our own in a direction, as if the peer had sent it. */
  inject(direction: Direction, frame: Buffer): void
}

/** Returns the frames to forward instead (none drops it); undefined forwards it unchanged. */
export type FrameHook = (direction: Direction, frame: Buffer, conn: RelayedConnection) => Buffer[] | undefined

export interface Relay {
  readonly port: number
  /** Every byte forwarded in each direction, over all connections, as it went out. */
  readonly captured: Record<Direction, Buffer[]>
  readonly connections: number
  readonly closed: number
  bytes(direction?: Direction): Buffer
  close(): Promise<void>
}

const HANDSHAKE_BYTES = 68
const TLS_HEADER_BYTES = 5
/** A TLS record header: content type 20-23, then protocol version 3.x. */
export const isTlsRecord = (b: Buffer): boolean => b.length >= 2 && b[0]! >= 20 && b[0]! <= 23 && b[1] === 3
const MAX_FRAME_BYTES = 1 << 20 // a PIECE is 16 KiB + 13; anything near 1 MiB is not BitTorrent

export async function startRelay(targetPort: number, hook: FrameHook = () => undefined): Promise<Relay> {
  const captured: Record<Direction, Buffer[]> = { up: [], down: [] }
  const sockets = new Set<Socket>()
  let connections = 0
  let closed = 0
  const server: Server = createServer((client) => {
    const target = connect(targetPort, LOOPBACK)
    const conn: RelayedConnection = { index: connections++, inject: (d, frame) => send(d, frame) }
    const out: Record<Direction, Socket> = { up: target, down: client }
    const send = (d: Direction, frame: Buffer) => {
      captured[d].push(frame)
      if (!out[d].destroyed) out[d].write(frame)
    }
    const pipe = (from: Socket, d: Direction) => {
      let pending = Buffer.alloc(0)
      let handshakeDone = false
      let tls = false
      from.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk])
        for (;;) {
          if (handshakeDone && pending.length < 4) return
          if (handshakeDone && !tls && isTlsRecord(pending)) tls = true
          if (tls && pending.length < TLS_HEADER_BYTES) return
          const size = tls
            ? TLS_HEADER_BYTES + pending.readUInt16BE(3)
            : handshakeDone
              ? 4 + pending.readUInt32BE(0)
              : HANDSHAKE_BYTES
          if (size > MAX_FRAME_BYTES) return end()
          if (pending.length < size) return
          const frame = pending.subarray(0, size)
          pending = pending.subarray(size)
          handshakeDone = true
          for (const f of hook(d, Buffer.from(frame), conn) ?? [frame]) send(d, f)
        }
      })
    }
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      closed++
      client.destroy()
      target.destroy()
    }
    for (const s of [client, target]) {
      sockets.add(s)
      s.on('error', end)
      s.on('close', () => {
        sockets.delete(s)
        end()
      })
    }
    pipe(client, 'up')
    pipe(target, 'down')
  })
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    captured,
    get connections() {
      return connections
    },
    get closed() {
      return closed
    },
    bytes: (d) => Buffer.concat(d === undefined ? [...captured.up, ...captured.down] : captured[d]),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

export const MESSAGE = { unchoke: 1, request: 6, piece: 7, extended: 20 } as const

/** The id of a message frame (after the handshake); undefined for keep-alives. */
export const messageId = (frame: Buffer): number | undefined => (frame.length > 4 ? frame[4] : undefined)

export function requestFrame(index: number, begin: number, length: number): Buffer {
  const f = Buffer.alloc(17)
  f.writeUInt32BE(13, 0)
  f[4] = MESSAGE.request
  f.writeUInt32BE(index, 5)
  f.writeUInt32BE(begin, 9)
  f.writeUInt32BE(length, 13)
  return f
}

/** index, begin and payload of a PIECE frame. */
export const pieceOf = (frame: Buffer) => ({
  index: frame.readUInt32BE(5),
  begin: frame.readUInt32BE(9),
  payload: frame.subarray(13),
})
