// The part of webtorrent 3.x (no bundled types) that Coterie's engine uses. Kept to what is
// called, so a wrong guess shows up at the call site. See ../../../../shared/guides/engine-notes.md.
declare module 'webtorrent' {
  import { EventEmitter } from 'node:events'
  import type Wire from 'bittorrent-protocol'

  export interface ClientOptions {
    dht?: boolean | Record<string, unknown>
    tracker?: boolean | Record<string, unknown>
    lsd?: boolean
    utPex?: boolean
    utp?: boolean
    natUpnp?: boolean
    natPmp?: boolean
    torrentPort?: number
    dhtPort?: number
    maxConns?: number
    uploadLimit?: number | undefined
    downloadLimit?: number | undefined
    secure?: number
  }

  export interface TorrentFile {
    name: string
    path: string
    length: number
    downloaded: number
  }

  export interface TorrentOptions {
    path?: string
    name?: string
    private?: boolean
    announce?: string[]
    info?: Record<string, unknown>
    pieceLength?: number
    createdBy?: string
    skipVerify?: boolean | undefined
    /** Pieces held already (BEP 3 bitfield order): trusted, with one piece of each file hashed to check. */
    bitfield?: Uint8Array
    paused?: boolean
    uploads?: number
    /** Piece selection; webtorrent's default is 'sequential'. */
    strategy?: 'rarest' | 'sequential'
    /** Whole pieces kept in memory by cache-chunk-store (default 20); 0: no cache. */
    storeCacheSlots?: number
  }

  export class Torrent extends EventEmitter {
    infoHash: string
    name: string
    info: Record<string, unknown> | undefined
    torrentFile: Uint8Array | undefined
    private: boolean
    ready: boolean
    done: boolean
    paused: boolean
    destroyed: boolean
    length: number
    pieceLength: number
    pieces: unknown[]
    bitfield: { get(i: number): boolean; buffer: Uint8Array } | undefined
    files: TorrentFile[]
    wires: Wire[]
    numPeers: number
    progress: number
    downloaded: number
    uploaded: number
    received: number
    downloadSpeed: number
    uploadSpeed: number
    timeRemaining: number
    path: string
    _rechoke(): void
    addPeer(peer: string): boolean
    pause(): void
    resume(): void
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): void
  }

  export default class WebTorrent extends EventEmitter {
    static WEBRTC_SUPPORT: boolean
    static UTP_SUPPORT: boolean
    constructor(opts?: ClientOptions)
    torrentPort: number
    readonly peerId: string
    torrents: Torrent[]
    dht: unknown
    destroyed: boolean
    add(torrentId: Uint8Array | string, opts?: TorrentOptions, onTorrent?: (t: Torrent) => void): Torrent
    seed(input: string | string[], opts?: TorrentOptions, onSeed?: (t: Torrent) => void): Torrent
    get(id: string): Promise<Torrent | null>
    remove(id: string | Torrent, opts?: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): Promise<void>
    address(): { address: string; family: string; port: number } | null
    destroy(cb?: (err?: Error | null) => void): void
    throttleUpload(rate: number): void
    throttleDownload(rate: number): void
  }
}

declare module 'create-torrent' {
  export interface CreateTorrentOptions {
    name?: string
    private?: boolean
    announceList?: string[][]
    info?: Record<string, unknown>
    createdBy?: string
    creationDate?: Date
    onProgress?: ((hashed: number, total: number) => void) | undefined
  }
  export default function createTorrent(
    input: string | string[],
    opts: CreateTorrentOptions,
    cb: (err: Error | null, torrent: Uint8Array) => void,
  ): void
}

declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events'
  export default class DHT extends EventEmitter {
    constructor(opts?: { bootstrap?: false | string[]; host?: string })
    listen(port: number, host: string, cb?: () => void): void
    address(): { address: string; port: number }
    destroy(cb?: () => void): void
  }
}
