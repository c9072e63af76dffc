// Types for the part of the untyped ESM package bencode (v4) that Coterie uses.

declare module 'bencode' {
  export type BencodeValue = number | Uint8Array | BencodeValue[] | { [key: string]: BencodeValue }
  const bencode: {
    encode(value: unknown): Uint8Array
    decode(data: Uint8Array): unknown
  }
  export default bencode
}
