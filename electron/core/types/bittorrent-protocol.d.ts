// The part of bittorrent-protocol's Wire (v5) that Coterie uses. See engine notes §2.
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
    peerInterested: boolean
    peerExtensions: { extended?: boolean; [k: string]: unknown }
    extendedHandshake: Record<string, unknown>
    peerExtendedMapping: Record<string, number>
    peerExtendedHandshake: Record<string, unknown>
    destroyed: boolean
    use(ext: ExtensionClass): void
    handshake(infoHash: string | Uint8Array, peerId: string | Uint8Array, extensions?: Record<string, boolean>): void
    extended(ext: string | number, obj: Uint8Array | Record<string, unknown>): void
    choke(): void
    unchoke(): void
    interested(): void
    destroy(err?: Error): this
  }
}
