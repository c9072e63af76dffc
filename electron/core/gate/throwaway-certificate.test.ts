// The TLS switch's throwaway certificate (throwaway-certificate.ts): hand-written DER that a real
// X.509 parser reads, whose signature verifies under its own key, fresh on every call, and that
// OpenSSL accepts as a TLS 1.3 server certificate.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { Duplex } from 'node:stream'
import { TLSSocket, connect, createSecureContext } from 'node:tls'
import { makeThrowawayCertificate } from './throwaway-certificate.js'
import { onceWithin } from '../testing/wait.js'

describe('throwaway certificate', () => {
  it('parses as X.509 v3, self-signed with ECDSA P-256, and differs every time', () => {
    const a = makeThrowawayCertificate()
    const x = new X509Certificate(a.cert)
    assert.equal(x.subject, 'CN=coterie')
    assert.equal(x.issuer, 'CN=coterie')
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
    assert.ok(x.verify(x.publicKey), 'its signature verifies under its own key')
    const b = new X509Certificate(makeThrowawayCertificate().cert)
    assert.notEqual(x.fingerprint256, b.fingerprint256)
    assert.notEqual(x.serialNumber, b.serialNumber)
  })

  it('serves a TLS 1.3 handshake over an in-memory stream, with equal exporters on both ends', async () => {
    const server: Duplex = new Duplex({ read() {}, write: (c, _e, cb) => (client.push(c), cb()) })
    const client: Duplex = new Duplex({ read() {}, write: (c, _e, cb) => (server.push(c), cb()) })
    const s = new TLSSocket(server, {
      isServer: true,
      secureContext: createSecureContext({ ...makeThrowawayCertificate(), minVersion: 'TLSv1.3' }),
    })
    const c = connect({ socket: client, rejectUnauthorized: false, minVersion: 'TLSv1.3' })
    await Promise.all([
      onceWithin(s, 'secure', 10_000, 'the server side'),
      onceWithin(c, 'secureConnect', 10_000, 'the client side'),
    ])
    assert.equal(c.getProtocol(), 'TLSv1.3')
    const label = 'EXPORTER-coterie-binding'
    const none = Buffer.alloc(0)
    assert.deepEqual(c.exportKeyingMaterial(32, label, none), s.exportKeyingMaterial(32, label, none))
    c.destroy()
    s.destroy()
  })
})
