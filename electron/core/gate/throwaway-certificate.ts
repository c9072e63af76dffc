/**
 * The TLS switch's certificate (docs/PROTOCOL.md §5.6.2): TLS 1.3 needs the server to present one,
 * but no one checks it. Who is on the other end was proved by the Coterie handshake, and the TLS
 * session is tied to that handshake by the channel binding (protocol/tls-binding.ts), not by a
 * certificate chain. So each process makes one self-signed ECDSA P-256 certificate, in memory, the
 * first time a connection switches, and drops it when it exits.
 *
 * Hand-written DER rather than a dependency: node:crypto signs but cannot build a certificate, and
 * the one certificate we need is six fixed fields. P-256 because every TLS 1.3 stack signs with it
 * (BoringSSL, in Electron, does not offer Ed25519 certificates by default).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { createSecureContext, type SecureContext } from 'node:tls'

const SEQUENCE = 0x30
const SET = 0x31
const INTEGER = 0x02
const BIT_STRING = 0x03
const OID = 0x06
const UTF8_STRING = 0x0c
const UTC_TIME = 0x17

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const n = body.length
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
  return Buffer.concat([Buffer.from([tag, ...len]), body])
}

// 1.2.840.10045.4.3.2 ecdsa-with-SHA256; 2.5.4.3 commonName.
const ECDSA_SHA256 = der(SEQUENCE, der(OID, Buffer.from('2a8648ce3d040302', 'hex')))
const NAME = der(
  SEQUENCE,
  der(SET, der(SEQUENCE, der(OID, Buffer.from('550403', 'hex')), der(UTF8_STRING, Buffer.from('coterie')))),
)
// Nobody checks the dates; they only have to parse (UTCTime covers 1950-2049).
const VALIDITY = der(SEQUENCE, der(UTC_TIME, Buffer.from('000101000000Z')), der(UTC_TIME, Buffer.from('491231235959Z')))

/** A fresh self-signed certificate and its key, both PEM. */
export function makeThrowawayCertificate(): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const serial = randomBytes(8)
  serial[0] = (serial[0]! & 0x7f) | 0x01 // positive, no leading zero byte
  const tbs = der(
    SEQUENCE,
    der(0xa0, der(INTEGER, Buffer.from([2]))), // version: v3
    der(INTEGER, serial),
    ECDSA_SHA256,
    NAME,
    VALIDITY,
    NAME,
    publicKey.export({ type: 'spki', format: 'der' }),
  )
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' })
  const certificate = der(SEQUENCE, tbs, ECDSA_SHA256, der(BIT_STRING, Buffer.from([0]), signature))
  const lines = certificate
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  }
}

let certificate: { cert: string; key: string } | undefined
let context: { options: object; context: SecureContext } | undefined

/**
 * This process's TLS server context, made on first use (one certificate for all its connections),
 * for the given options (the same on every call; a new context if they change). Throws if the TLS
 * library refuses the options.
 */
export function throwawayServerContext(options: { minVersion: 'TLSv1.3'; ciphers?: string }): SecureContext {
  if (context?.options !== options) {
    certificate ??= makeThrowawayCertificate()
    context = { options, context: createSecureContext({ ...options, ...certificate }) }
  }
  return context.context
}
