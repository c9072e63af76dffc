// The part of bittorrent-tracker 11 (a webtorrent dependency) the engine and its tests use:
// the announce client, and the server the tests run on 127.0.0.1.

declare module 'bittorrent-tracker' {
  import { EventEmitter } from 'node:events'

  export interface ClientOptions {
    infoHash: string | Uint8Array
    peerId: string | Uint8Array
    announce: string[]
    port: number
    getAnnounceOpts?: () => Record<string, unknown>
    /** RTCPeerConnection configuration of the WebRTC peers made through ws(s) trackers (simple-peer's `config`). */
    rtcConfig?: { iceServers: { urls: string | string[]; username?: string; credential?: string }[] }
  }

  export class Client extends EventEmitter {
    constructor(opts: ClientOptions)
    start(opts?: Record<string, unknown>): void
    stop(opts?: Record<string, unknown>): void
    update(opts?: Record<string, unknown>): void
    destroy(cb?: (err?: Error) => void): void
    /** "host:port" from HTTP/UDP trackers; a simple-peer WebRTC connection from ws(s) trackers. */
    on(event: 'peer', f: (peer: string | { readonly id: string; destroy(err?: Error): void }) => void): this
    on(event: 'warning' | 'error', f: (err: Error) => void): this
    on(event: string, f: (...a: unknown[]) => void): this
  }

  export interface ServerOptions {
    http?: boolean
    udp?: boolean
    ws?: boolean
    stats?: boolean
    interval?: number
    filter?: (infoHash: string, params: Record<string, unknown>, cb: (err?: Error | null) => void) => void
  }

  export class Server extends EventEmitter {
    constructor(opts?: ServerOptions)
    listen(port: number, hostname: string | { http?: string; udp?: string }, onListening?: () => void): void
    close(cb?: () => void): void
    http: { address(): { port: number } } | null
    ws: unknown
    udp: { address(): { port: number } } | null
    torrents: Record<string, unknown>
  }

  export default Client
}
