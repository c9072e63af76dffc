// The part of bittorrent-protocol's Wire (v5) that Coterie uses. See docs/ENGINE.md §2.
declare module 'bittorrent-protocol' {
  import { Duplex } from 'node:stream'

  export interface Extension {
    onHandshake?(infoHash: string, peerId: string, extensions: { extended?: boolean; [k: string]: unknown }): void
    onExtendedHandshake?(handshake: Record<string, unknown>): void
    onMessage?(buf: Uint8Array): void
  }
  export type ExtensionClass = (new (wire: Wire) => Extension) & { prototype: { name: string } }

  export default class Wire extends Duplex {
    constructor(type?: string, peEnabled?: number)
    type: string
    peerId: string | null
    amChoking: boolean
    peerChoking: boolean
    amInterested: boolean
    peerInterested: boolean
    peerExtensions: { extended?: boolean; [k: string]: unknown }
    extendedHandshake: Record<string, unknown>
    peerExtendedMapping: Record<string, number>
    peerExtendedHandshake: Record<string, unknown>
    destroyed: boolean
    use(ext: ExtensionClass): void
    handshake(infoHash: string | Uint8Array, peerId: string | Uint8Array, extensions?: Record<string, boolean>): void
    extended(ext: string | number, obj: Uint8Array | Record<string, unknown>): void
    hasFast: boolean
    remoteAddress?: string
    remotePort?: number
    uploaded: number
    downloaded: number
    peerPieces: { get(i: number): boolean }
    /** Reads the speed; with bytes, counts them first (what piece() does for each block). */
    uploadSpeed(bytes?: number): number
    downloadSpeed(): number
    choke(): void
    unchoke(): void
    keepAlive(): void
    piece(index: number, offset: number, buffer: Uint8Array): void
    /** Internal: queues bytes for the peer (through MSE's cipher if one was chosen). */
    _push(data: Uint8Array): void
    /** Internal: the parser hands each received PIECE here (the sealing layer opens it first). */
    _onPiece(index: number, offset: number, buffer: Uint8Array): void
    /*
     * Internal: the receive side's parser (gate/bounded-framing.ts bounds it). Bytes received
     * wait in _buffer (_bufferSize of them) until _parserSize are there, then go to _parser.
     */
    _buffer: Uint8Array[]
    _bufferSize: number
    _parserSize: number
    _parser: ((buffer: Uint8Array) => void) | null
    _parse(size: number, parser: (buffer: Uint8Array) => void): void
    _write(data: Uint8Array, cb: (err: Error | null) => void): void
    _processBuffer(): void
    _onMessageLength(buffer: Uint8Array): void
    _onMessage(buffer: Uint8Array): void
    /** Internal: what the parser calls for UNCHOKE, CHOKE and ALLOWED_FAST (engine/connection-budget.ts holds them). */
    _onUnchoke(): void
    _onChoke(): void
    _onAllowedFast(index: number): void
    /** Set while the MSE handshake searches the stream for a pattern (it reads the joined buffer). */
    _cryptoSyncPattern: Uint8Array | null
    /** MSE's cipher, once one was chosen. */
    _encryptor: { decrypt(data: Uint8Array): Uint8Array; readonly _isEncrypted?: boolean } | null
    bitfield(bitfield: { buffer: Uint8Array } | Uint8Array): void
    have(index: number): void
    haveAll(): void
    haveNone(): void
    allowedFast(index: number): void
    interested(): void
    request(index: number, offset: number, length: number, cb: (err: Error | null, block?: Uint8Array) => void): void
    cancel(index: number, offset: number, length: number): void
    destroy(err?: Error): this
  }
}

declare module 'ut_metadata' {
  import type { ExtensionClass } from 'bittorrent-protocol'
  export default function utMetadata(metadata?: Uint8Array): ExtensionClass
}
