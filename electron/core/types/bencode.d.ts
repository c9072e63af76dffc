// Types for the part of the bencode package (v4) the tests use to cross-check our encoder.

declare module 'bencode' {
  export type BencodeValue = number | Uint8Array | BencodeValue[] | { [key: string]: BencodeValue }
  const bencode: {
    encode(value: unknown): Uint8Array
    decode(data: Uint8Array): unknown
  }
  export default bencode
}
