import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Handshake, type Credential, type HandshakeRole } from './handshake.js'
import { decodeCanonical, encode } from './canonical.js'
import { issueCertificate } from './certificate.js'
import { CLOCK_SKEW_S, MAX_MESSAGE_BYTES } from './constants.js'
import { DAY, NOW, keyPair, seed, world } from '../testing/fixtures.js'
import { open } from './session.js'

const w = world('hs')
const cred = (cert: Uint8Array, who = w.alice): Credential => ({ certificate: cert, secretKey: who.secretKey })
let counter = 0
const make = (
  role: HandshakeRole,
  credential?: Credential,
  o: Partial<{ swarm: Uint8Array; infoHash: Uint8Array; isRevoked: ((m: Uint8Array) => boolean) | undefined }> = {},
) =>
  new Handshake({
    role,
    credential,
    swarm: o.swarm ?? w.swarm.publicKey,
    infoHash: o.infoHash ?? w.infoHash,
    nonce: seed(`nonce ${++counter}`),
    ephemeralSecret: seed(`eph ${counter}`),
    isRevoked: o.isRevoked,
  })

/** Delivers messages until both sides are quiet. */
function exchange(i: Handshake, r: Handshake, now = NOW) {
  const log: { from: 'I' | 'R'; msg: Uint8Array }[] = []
  const pending: { from: 'I' | 'R'; msg: Uint8Array }[] = []
  for (const msg of i.onPeerHello(r.hello).send) pending.push({ from: 'I', msg })
  for (const msg of r.onPeerHello(i.hello).send) pending.push({ from: 'R', msg })
  for (let steps = 0; pending.length > 0; steps++) {
    assert.ok(steps < 20, 'the handshake terminates')
    const { from, msg } = pending.shift()!
    log.push({ from, msg })
    const to = from === 'I' ? r : i
    for (const out of to.onMessage(msg, now).send) pending.push({ from: from === 'I' ? 'R' : 'I', msg: out })
  }
  return log
}
const typeOf = (msg: Uint8Array) => {
  const d = decodeCanonical(msg, MAX_MESSAGE_BYTES) as Record<string, Uint8Array>
  return new TextDecoder().decode(d.t) + (d.code ? `:${new TextDecoder().decode(d.code)}` : '')
}
const trace = (log: { from: string; msg: Uint8Array }[]) => log.map((e) => `${e.from} ${typeOf(e.msg)}`)

describe('handshake between two members', () => {
  it('authorizes both directions in one extra round trip, and both sides agree on the session secret', () => {
    const i = make('initiator', cred(w.aliceCert, w.alice))
    const r = make('responder', cred(w.bobCert, w.bob))
    const log = exchange(i, r)
    assert.deepEqual(trace(log), ['I proof', 'R proof', 'I accept'])
    assert.equal(i.peer.kind, 'authorized')
    assert.equal(r.peer.kind, 'authorized')
    assert.deepEqual(i.self, { kind: 'accepted' })
    assert.deepEqual(r.self, { kind: 'accepted' })
    assert.ok(i.peer.kind === 'authorized' && Buffer.from(i.peer.certificate.member).equals(w.bob.publicKey))
    assert.ok(r.peer.kind === 'authorized' && Buffer.from(r.peer.certificate.member).equals(w.alice.publicKey))
    assert.ok(i.sessionSecret && r.sessionSecret && Buffer.from(i.sessionSecret).equals(r.sessionSecret))
    assert.ok(i.settled && r.settled)
  })

  it('returns each change as the step that made it, and the getters show only what the steps returned', () => {
    const i = make('initiator', cred(w.aliceCert, w.alice))
    const r = make('responder', cred(w.bobCert, w.bob))
    const hi = i.onPeerHello(r.hello)
    const hr = r.onPeerHello(i.hello)
    assert.deepEqual(Object.keys(hi).sort(), ['send', 'sessionSecret'])
    assert.deepEqual(Object.keys(hr).sort(), ['send', 'sessionSecret'])
    assert.ok(Buffer.from(hi.sessionSecret!).equals(hr.sessionSecret!) && i.sessionSecret === hi.sessionSecret)
    const proofR = r.onMessage(hi.send[0]!, NOW)
    assert.equal(proofR.peer?.kind, 'authorized')
    assert.equal(proofR.self, undefined, 'the responder is not accepted until the accept')
    assert.equal(r.peer, proofR.peer)
    const acceptI = i.onMessage(proofR.send[0]!, NOW)
    assert.deepEqual(acceptI.self, { kind: 'accepted' })
    assert.equal(acceptI.peer?.kind, 'authorized')
    const done = r.onMessage(acceptI.send[0]!, NOW)
    assert.deepEqual(done, { send: [], self: { kind: 'accepted' } })
    assert.deepEqual(r.self, { kind: 'accepted' })
  })

  it('uses fresh keys per connection: the same members get different session secrets', () => {
    const a = make('initiator', cred(w.aliceCert)),
      b = make('responder', cred(w.bobCert, w.bob))
    const c = make('initiator', cred(w.aliceCert)),
      d = make('responder', cred(w.bobCert, w.bob))
    exchange(a, b)
    exchange(c, d)
    assert.ok(!Buffer.from(a.sessionSecret!).equals(c.sessionSecret!))
  })
})

describe("handshake refusals (each with its reason, and the responder's certificate never shown)", () => {
  const other = world('hs-other')
  const refusedBy = (cert: Uint8Array, who = w.alice, now = NOW) => {
    const i = make('initiator', cred(cert, who))
    const r = make('responder', cred(w.bobCert, w.bob))
    const log = exchange(i, r, now)
    assert.ok(!log.some((e) => e.from === 'R' && typeOf(e.msg) === 'proof'), 'the responder kept its certificate')
    assert.equal(i.peer.kind, 'refused', 'the initiator never authorizes an unproven responder')
    assert.equal(r.self.kind, 'withheld')
    return {
      r,
      i,
      code: r.peer.kind === 'refused' ? r.peer.code : 'not refused',
      told: i.self.kind === 'refused' ? i.self.code : '',
    }
  }

  it('refuses a certificate of another swarm', () => {
    const x = refusedBy(other.aliceCert)
    assert.equal(x.code, 'wrong-swarm')
    assert.equal(x.told, 'wrong-swarm', 'the refused side learns why')
  })
  it('refuses an expired certificate', () => {
    assert.equal(refusedBy(w.aliceCert, w.alice, NOW + 31 * DAY + CLOCK_SKEW_S).code, 'expired')
  })
  it('refuses a certificate that is not valid yet', () => {
    const future = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW + DAY, exp: NOW + 2 * DAY })
    assert.equal(refusedBy(future).code, 'not-yet-valid')
  })
  it('refuses a certificate scoped to other torrents', () => {
    const scoped = issueCertificate(w.swarm, {
      member: w.alice.publicKey,
      iat: NOW,
      exp: NOW + DAY,
      scope: [new Uint8Array(20)],
    })
    assert.equal(refusedBy(scoped).code, 'out-of-scope')
  })
  it('refuses a forged certificate', () => {
    const forged = issueCertificate(keyPair('mallory swarm'), { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY })
    assert.equal(refusedBy(forged).code, 'wrong-swarm')
  })
  it('refuses a stolen certificate used without its private key', () => {
    assert.equal(refusedBy(w.aliceCert, keyPair('mallory')).code, 'bad-proof-signature')
  })
  it('refuses a peer without a certificate', () => {
    const i = make('initiator')
    const r = make('responder', cred(w.bobCert, w.bob))
    assert.deepEqual(trace(exchange(i, r)), ['I noproof', 'R refuse:no-certificate'])
    assert.deepEqual(r.peer, { kind: 'refused', code: 'no-certificate' })
    assert.deepEqual(i.self, { kind: 'refused', code: 'no-certificate' }, 'told why, though it knew')
  })
  it('lets a responder without a certificate authorize a member but prove nothing itself', () => {
    const i = make('initiator', cred(w.aliceCert))
    const r = make('responder')
    assert.deepEqual(trace(exchange(i, r)), ['I proof', 'R noproof', 'I refuse:no-certificate'])
    assert.equal(r.peer.kind, 'authorized')
    assert.deepEqual(i.peer, { kind: 'refused', code: 'no-certificate' })
  })
})

describe('handshake against an active attacker', () => {
  it('rejects a proof replayed from another connection', () => {
    const i1 = make('initiator', cred(w.aliceCert)),
      r1 = make('responder', cred(w.bobCert, w.bob))
    const proof = i1.onPeerHello(r1.hello).send[0]!
    // The attacker opens its own connection to the responder and replays Alice's proof.
    const r2 = make('responder', cred(w.bobCert, w.bob))
    const attacker = make('initiator')
    r2.onPeerHello(attacker.hello)
    assert.deepEqual(r2.onMessage(proof, NOW).send.map(typeOf), ['refuse:decrypt-failed'])
    // Replaying it with Alice's hello too does not help: the responder's fresh nonce changed the keys.
    const r3 = make('responder', cred(w.bobCert, w.bob))
    r3.onPeerHello(i1.hello)
    assert.deepEqual(r3.onMessage(proof, NOW).send.map(typeOf), ['refuse:decrypt-failed'])
  })

  it('rejects a proof reflected back to the node that made it', () => {
    const i = make('initiator', cred(w.aliceCert)),
      r = make('responder', cred(w.bobCert, w.bob))
    const proofI = i.onPeerHello(r.hello).send[0]!
    r.onPeerHello(i.hello)
    const proofR = r.onMessage(proofI, NOW).send[0]!
    // The responder's own proof, sent back to a responder: sealed for the other direction.
    assert.equal(r.peer.kind, 'authorized')
    const again = make('responder', cred(w.bobCert, w.bob))
    again.onPeerHello(i.hello)
    assert.deepEqual(again.onMessage(proofR, NOW).send.map(typeOf), ['refuse:decrypt-failed'])
  })

  it('rejects a peer that echoes our own hello', () => {
    const r = make('responder', cred(w.bobCert, w.bob))
    assert.deepEqual(r.onPeerHello(r.hello).send.map(typeOf), ['refuse:reflected'])
  })

  it('refuses its own hello forwarded from another of its connections (self-authorization)', () => {
    // Bob accepts a connection (r) and opens one (i); the attacker forwards each hello to the other.
    const own = new Set<string>()
    const mk = (role: HandshakeRole) => {
      const h = new Handshake({
        role,
        credential: cred(w.bobCert, w.bob),
        swarm: w.swarm.publicKey,
        infoHash: w.infoHash,
        nonce: seed(`own ${role}`),
        ephemeralSecret: seed(`own eph ${role}`),
        isOwn: (n, e) => own.has(Buffer.from(n).toString('hex')) || own.has(Buffer.from(e).toString('hex')),
      })
      own.add(Buffer.from(h.hello.n).toString('hex'))
      own.add(Buffer.from(h.hello.e).toString('hex'))
      return h
    }
    const r = mk('responder'),
      i = mk('initiator')
    assert.deepEqual(r.onPeerHello(i.hello).send.map(typeOf), ['refuse:reflected'])
    assert.deepEqual(i.onPeerHello(r.hello).send.map(typeOf), ['refuse:reflected'])
  })

  it('defeats a man in the middle who substitutes ephemeral keys', () => {
    const i = make('initiator', cred(w.aliceCert)),
      r = make('responder', cred(w.bobCert, w.bob))
    const mToI = make('responder'),
      mToR = make('initiator')
    const proofForM = i.onPeerHello(mToI.hello).send[0]!
    mToI.onPeerHello(i.hello)
    r.onPeerHello(mToR.hello)
    // Forwarded as is, the proof was sealed for M's keys, and signed over M's transcript.
    assert.deepEqual(r.onMessage(proofForM, NOW).send.map(typeOf), ['refuse:decrypt-failed'])
    assert.equal(mToI.onMessage(proofForM, NOW).send.length, 1, 'M can open it, being the endpoint Alice talked to')
    assert.equal(
      mToI.peer.kind,
      'authorized',
      'a Coterie node in the middle verifies Alice only for its own connection',
    )
  })

  it('gives a passive relay no way to open the proofs', () => {
    const i = make('initiator', cred(w.aliceCert)),
      r = make('responder', cred(w.bobCert, w.bob))
    const log = exchange(i, r)
    const box = (decodeCanonical(log[0]!.msg, MAX_MESSAGE_BYTES) as Record<string, Uint8Array>).box!
    assert.ok(!Buffer.from(log[0]!.msg).includes(Buffer.from(w.aliceCert)), 'the certificate is not on the wire')
    assert.ok(!Buffer.from(log[0]!.msg).includes(Buffer.from(w.alice.publicKey)), 'nor the member key')
    assert.equal(open(seed('guess'), seed('th'), box), undefined)
  })

  it('refuses a responder that proves first, and messages out of order', () => {
    const i = make('initiator', cred(w.aliceCert)),
      r = make('responder', cred(w.bobCert, w.bob))
    i.onPeerHello(r.hello)
    assert.deepEqual(i.onMessage(encode({ t: 'accept' }), NOW).send.map(typeOf), ['refuse:unexpected-message'])
    const r2 = make('responder', cred(w.bobCert, w.bob))
    assert.deepEqual(
      r2.onMessage(encode({ t: 'noproof' }), NOW).send.map(typeOf),
      ['refuse:unexpected-message'],
      'before any hello',
    )
    const i2 = make('initiator')
    i2.onPeerHello(make('responder').hello)
    assert.deepEqual(i2.onMessage(encode({ t: 'proof', box: new Uint8Array(64) }), NOW).send.map(typeOf), [
      'refuse:unexpected-message',
    ])
  })

  it('rejects malformed, oversize and non-canonical messages, then stays silent', () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([1, 2, 3]), 'malformed'],
      [encode({ t: 'hello' }), 'malformed'],
      [encode({ t: 'proof' }), 'malformed'],
      [new TextEncoder().encode('d1:t7:noproof1:ai1ee'), 'malformed'],
      [new Uint8Array(MAX_MESSAGE_BYTES + 1), 'oversize'],
    ]
    for (const [msg, code] of cases) {
      const r = make('responder', cred(w.bobCert, w.bob))
      r.onPeerHello(make('initiator').hello)
      assert.deepEqual(r.onMessage(msg, NOW).send.map(typeOf), [`refuse:${code}`])
      assert.deepEqual(r.onMessage(msg, NOW), { send: [] }, 'a refused peer gets one refusal, not an echo')
    }
    for (const hello of [undefined, 'x', { v: 1 }, { v: 1, n: new Uint8Array(31), e: new Uint8Array(32) }]) {
      assert.deepEqual(make('responder').onPeerHello(hello).send.map(typeOf), ['refuse:malformed'])
    }
    assert.deepEqual(
      make('responder')
        .onPeerHello({ ...make('initiator').hello, v: 2 })
        .send.map(typeOf),
      ['refuse:unsupported-version'],
    )
    assert.deepEqual(
      make('responder')
        .onPeerHello({ ...make('initiator').hello, pad: new Uint8Array(300) })
        .send.map(typeOf),
      ['refuse:oversize'],
    )
    assert.deepEqual(
      make('responder')
        .onPeerHello({ ...make('initiator').hello, e: new Uint8Array(32) })
        .send.map(typeOf),
      ['refuse:bad-key-exchange'],
    )
  })

  it('tells a newer peer from a broken one, and keeps an unknown refusal reason as "unknown"', () => {
    assert.deepEqual(
      make('responder')
        .onPeerHello({ ...make('initiator').hello, v: 2, extra: 1 })
        .send.map(typeOf),
      ['refuse:unsupported-version'],
    )
    const i = make('initiator', cred(w.aliceCert))
    i.onPeerHello(make('responder').hello)
    i.onMessage(encode({ t: 'refuse', code: 'reason-from-the-future' }), NOW)
    assert.deepEqual(i.self, { kind: 'refused', code: 'unknown' })
  })

  it('says "oversize" for a certificate too large to be one, inside a valid proof box', () => {
    const i = make('initiator', cred(new Uint8Array(7000).fill(0x61)))
    const r = make('responder', cred(w.bobCert, w.bob))
    const proof = i.onPeerHello(r.hello).send
    r.onPeerHello(i.hello)
    assert.deepEqual(r.onMessage(proof[0]!, NOW).send.map(typeOf), ['refuse:oversize'])
  })

  it('property: arbitrary bytes from a peer never authorize it and never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 5 }), (msgs) => {
        const r = make('responder', cred(w.bobCert, w.bob))
        r.onPeerHello(make('initiator').hello)
        for (const m of msgs) r.onMessage(m, NOW)
        return r.peer.kind !== 'authorized'
      }),
    )
  })
})

describe('handshake over time', () => {
  it('drops authorization when the certificate expires mid-connection', () => {
    const short = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW - 10, exp: NOW + 60 })
    const i = make('initiator', cred(short)),
      r = make('responder', cred(w.bobCert, w.bob))
    exchange(i, r)
    assert.equal(r.peer.kind, 'authorized')
    assert.deepEqual(r.recheck(NOW + 60 + CLOCK_SKEW_S - 1), { send: [] })
    assert.deepEqual(r.recheck(NOW + 60 + CLOCK_SKEW_S).send.map(typeOf), ['refuse:expired'])
    assert.deepEqual(r.peer, { kind: 'refused', code: 'expired' })
    i.onMessage(encode({ t: 'refuse', code: 'expired' }), NOW)
    assert.deepEqual(i.self, { kind: 'refused', code: 'expired' })
  })

  it('refuses a peer that does not finish in time', () => {
    const r = make('responder', cred(w.bobCert, w.bob))
    r.onPeerHello(make('initiator').hello)
    assert.deepEqual(r.timeout().send.map(typeOf), ['refuse:timeout'])
    const done = make('responder', cred(w.bobCert, w.bob)),
      i = make('initiator', cred(w.aliceCert))
    exchange(i, done)
    assert.deepEqual(done.timeout(), { send: [] }, 'an authorized peer is not timed out')
  })
})

describe('handshake with a member whose certificate expired (renewal, PROTOCOL.md §13.3)', () => {
  const LATER = NOW + 31 * DAY + CLOCK_SKEW_S // w's certificates expired a day ago
  const member = (h: Handshake) => (h.lapsed === undefined ? undefined : Buffer.from(h.lapsed.member).toString('hex'))
  const hexOf = (k: { publicKey: Uint8Array }) => Buffer.from(k.publicKey).toString('hex')

  it('as initiator: refused `expired` as before, remembered as lapsed, told it may await a renewal', () => {
    const i = make('initiator', cred(w.aliceCert)),
      r = make('responder', cred(w.bobCert, w.bob))
    // The responder's own certificate is just as old here; only the initiator's is judged first.
    assert.deepEqual(trace(exchange(i, r, LATER)), ['I proof', 'R refuse:expired'])
    assert.deepEqual(r.peer, { kind: 'refused', code: 'expired' })
    assert.equal(member(r), hexOf(w.alice), 'the responder knows which member proved its key')
    assert.equal(r.self.kind, 'withheld', 'and still showed it nothing')
    assert.ok(i.awaitsRenewal)
    assert.equal(i.lapsed, undefined)
  })

  it('as responder: the initiator authorized by it refuses its expired proof, and remembers it as lapsed', () => {
    const fresh = issueCertificate(w.swarm, { member: w.bob.publicKey, iat: LATER - DAY, exp: LATER + DAY })
    const i = make('initiator', cred(fresh, w.bob)),
      r = make('responder', cred(w.aliceCert))
    assert.deepEqual(trace(exchange(i, r, LATER)), ['I proof', 'R proof', 'I refuse:expired'])
    assert.equal(r.peer.kind, 'authorized', 'the expired side still uploads to the member it verified')
    assert.deepEqual(i.peer, { kind: 'refused', code: 'expired' })
    assert.equal(member(i), hexOf(w.alice))
    assert.ok(r.awaitsRenewal)
    assert.ok(!i.awaitsRenewal)
  })

  it('is not lapsed without a proof of the member key, with a revoked key, or out of scope', () => {
    const refused = (cert: Uint8Array, who = w.alice, isRevoked?: (m: Uint8Array) => boolean) => {
      const i = make('initiator', cred(cert, who)),
        r = make('responder', cred(w.bobCert, w.bob), { isRevoked })
      exchange(i, r, LATER)
      return { code: r.peer.kind === 'refused' ? r.peer.code : r.peer.kind, lapsed: member(r), awaits: i.awaitsRenewal }
    }
    // A copied certificate: the code is the same as today (expiry is checked first), but no lapse.
    assert.deepEqual(refused(w.aliceCert, keyPair('mallory')), { code: 'expired', lapsed: undefined, awaits: true })
    assert.deepEqual(
      refused(w.aliceCert, w.alice, (m) => Buffer.from(m).equals(w.alice.publicKey)),
      { code: 'expired', lapsed: undefined, awaits: true },
    )
    const scoped = issueCertificate(w.swarm, {
      member: w.alice.publicKey,
      iat: NOW,
      exp: NOW + DAY,
      scope: [new Uint8Array(20)],
    })
    assert.deepEqual(refused(scoped), { code: 'expired', lapsed: undefined, awaits: true })
    const forged = issueCertificate(keyPair('mallory swarm'), { member: w.alice.publicKey, iat: NOW, exp: NOW + DAY })
    assert.deepEqual(refused(forged), { code: 'wrong-swarm', lapsed: undefined, awaits: false })
    assert.deepEqual(refused(w.aliceCert).lapsed, hexOf(w.alice), 'the same certificate, proven: lapsed')
  })

  it('does not await a renewal after an authorization that lapsed mid-connection, or any other refusal', () => {
    const short = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW - 10, exp: NOW + 60 })
    const i = make('initiator', cred(short)),
      r = make('responder', cred(w.bobCert, w.bob))
    exchange(i, r)
    for (const m of r.recheck(NOW + 60 + CLOCK_SKEW_S).send) i.onMessage(m, NOW + 60 + CLOCK_SKEW_S)
    assert.deepEqual(i.self, { kind: 'refused', code: 'expired' })
    assert.ok(!i.awaitsRenewal, 'it was accepted on this connection: the refuser closes it')
    assert.equal(r.lapsed, undefined)
    const j = make('initiator', cred(w.aliceCert)),
      s = make('responder', cred(w.bobCert, w.bob))
    j.onPeerHello(s.hello) // its proof is lost; a forged refusal arrives instead
    j.onMessage(encode({ t: 'refuse', code: 'revoked' }), NOW)
    assert.ok(!j.awaitsRenewal)
    const k = make('initiator') // no credential: it sent no proof
    k.onPeerHello(s.hello)
    k.onMessage(encode({ t: 'refuse', code: 'expired' }), NOW)
    assert.ok(!k.awaitsRenewal)
  })
})
