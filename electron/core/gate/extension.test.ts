// Two real bittorrent-protocol wires piped together in memory (as bittorrent-protocol's and
// ut_metadata's own extension tests do), each running the Coterie extension.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import Wire, { type ExtensionClass } from 'bittorrent-protocol'
import { bytesToHex } from '@noble/hashes/utils.js'
import { coterieExtension, extensionOf, type CoterieExtension, type GatedTorrent } from './extension.js'
import { issueCertificate } from '../protocol/certificate.js'
import { CLOCK_SKEW_S } from '../protocol/constants.js'
import { ephemeralFromSecret } from '../protocol/session.js'
import { DAY, NOW, seed, world } from '../testing/fixtures.js'
import { formatAddress, peerAddress, type PeerAddress } from '../protocol/address.js'
import { encodePex } from '../protocol/pex.js'
import { PEX_INTERVAL_MS, RENEWAL_TIMEOUT_MS } from '../protocol/constants.js'
import { encode } from '../protocol/canonical.js'
import { until } from '../testing/swarm.js'

const w = world('wire')
const IH = bytesToHex(w.infoHash)
const alice: GatedTorrent = {
  swarm: w.swarm.publicKey,
  credential: { certificate: w.aliceCert, secretKey: w.alice.secretKey },
}
const bob: GatedTorrent = {
  swarm: w.swarm.publicKey,
  credential: { certificate: w.bobCert, secretKey: w.bob.secretKey },
}

interface Side {
  wire: Wire
  ext: CoterieExtension | undefined
  events: string[]
}

/** Connects an initiator and a responder; `undefined` torrent means a plain, non-Coterie peer. */
interface ConnectOptions {
  now?: () => number
  timeoutMs?: number
  /** false: the responder runs Coterie but does not gate this torrent. */
  gatesR?: boolean
  /** Replaces the initiator's extension (to play a misbehaving peer). */
  initiatorExtension?: ExtensionClass
  clockMs?: () => number
}
function connect(iT: GatedTorrent | undefined, rT: GatedTorrent | undefined, o: ConnectOptions = {}) {
  const side = (type: string, t: GatedTorrent | undefined, gates = true): Side => {
    const wire = new Wire(type)
    const s: Side = { wire, ext: undefined, events: [] }
    if (type === 'tcpOutgoing' && o.initiatorExtension !== undefined) wire.use(o.initiatorExtension)
    else if (t !== undefined) {
      const lookup = (ih: string) => (ih === IH && gates ? t : undefined)
      wire.use(coterieExtension({ lookup, now: o.now ?? (() => NOW), timeoutMs: o.timeoutMs, clockMs: o.clockMs }))
      const ext = extensionOf(wire)!
      s.ext = ext
      ext.on('authorized', () => s.events.push('authorized'))
      ext.on('refused', (code: string) => s.events.push(`refused:${code}`))
      ext.on('no-extension', () => s.events.push('no-extension'))
      ext.on('mutual', () => s.events.push('mutual'))
      ext.on('pex', (peers: PeerAddress[]) => s.events.push(`pex:${peers.map(formatAddress).join(',')}`))
      ext.on('pex-ignored', (why: string) => s.events.push(`pex-ignored:${why}`))
    }
    return s
  }
  const i = side('tcpOutgoing', iT)
  const r = side('tcpIncoming', rT, o.gatesR)
  r.wire.on('handshake', () => r.wire.handshake(IH, bytesToHex(seed('peer r').subarray(0, 20))))
  i.wire.pipe(r.wire).pipe(i.wire)
  i.wire.handshake(IH, bytesToHex(seed('peer i').subarray(0, 20)))
  return { i, r }
}
// Waits for what the in-memory pipes deliver (within a few ms; a loaded CI machine may take longer).
const waitFor = (check: () => boolean, what: string) => until(check, 5_000, what)
// A fixed wait only where the test is about time itself (a deadline passing, nothing happening).
const sleepMs = (ms: number) => new Promise((res) => setTimeout(res, ms))
// Both sides reached a verdict on each other (or one side has none to reach).
const settled =
  (...sides: Side[]) =>
  () =>
    sides.every((x) => x.ext === undefined || (x.ext.state !== 'pending' && x.ext.self?.kind !== 'pending'))

describe('the coterie BEP 10 extension on piped wires', () => {
  it('authorizes two members to each other and counts the handshake bytes', async () => {
    const { i, r } = connect(alice, bob)
    await waitFor(() => i.events.includes('mutual') && r.events.includes('mutual'), 'both sides mutual')
    assert.deepEqual(i.events, ['authorized', 'mutual'])
    assert.deepEqual(r.events, ['authorized', 'mutual'])
    assert.equal(i.ext!.state, 'authorized')
    assert.deepEqual(r.ext!.self, { kind: 'accepted' })
    assert.ok(Buffer.from(i.ext!.sessionSecret!).equals(r.ext!.sessionSecret!))
    assert.equal(i.ext!.bytesSent, r.ext!.bytesReceived)
    assert.equal(r.ext!.bytesSent, i.ext!.bytesReceived)
    assert.ok(
      i.ext!.bytesSent < 600 && r.ext!.bytesSent < 600,
      `bytes I->R ${i.ext!.bytesSent}, R->I ${r.ext!.bytesSent}`,
    )
  })

  it('refuses a member of another swarm, with the reason, on both sides', async () => {
    const other = world('wire-other')
    const { i, r } = connect(
      { swarm: w.swarm.publicKey, credential: { certificate: other.aliceCert, secretKey: other.alice.secretKey } },
      bob,
    )
    await waitFor(() => i.ext!.self?.kind === 'refused' && i.ext!.state === 'refused', 'the refusal on both sides')
    assert.deepEqual(r.events, ['refused:wrong-swarm'])
    assert.deepEqual(i.ext!.self, { kind: 'refused', code: 'wrong-swarm' })
    assert.equal(i.ext!.state, 'refused', 'the responder showed nothing, so the initiator authorizes nothing')
  })

  it('marks a plain BitTorrent peer as having no extension, on either side', async () => {
    const a = connect(alice, undefined)
    const b = connect(undefined, bob)
    await waitFor(
      () => a.i.events.length > 0 && b.r.events.length > 0,
      'both Coterie sides to give up on the plain peer',
    )
    assert.deepEqual(a.i.events, ['no-extension'])
    assert.deepEqual(b.r.events, ['no-extension'])
  })

  it('treats a torrent it does not gate as not speaking Coterie', async () => {
    const { i, r } = connect(alice, bob, { gatesR: false })
    await waitFor(() => r.events.length > 0, 'the responder to mark the wire')
    assert.deepEqual(r.events, ['no-extension'])
    assert.equal(i.ext!.state, 'pending', 'the gated side waits for a proof that will not come')
  })

  it('refuses a peer that speaks Coterie but never proves, after the deadline', async () => {
    // A stalled or hostile initiator: a valid hello, then silence.
    class Silent {
      declare name: string
      constructor(wire: Wire) {
        wire.extendedHandshake.coterie = {
          v: 1,
          n: seed('silent n'),
          e: ephemeralFromSecret(seed('silent e')).publicKey,
        }
      }
    }
    Silent.prototype.name = 'coterie'
    const { r } = connect(alice, bob, { timeoutMs: 400, initiatorExtension: Silent as unknown as ExtensionClass })
    await sleepMs(100)
    assert.deepEqual(r.events, [], 'still waiting before the deadline')
    await waitFor(() => r.events.length > 0, 'the deadline')
    assert.deepEqual(r.events, ['refused:timeout'])
  })

  it('survives a peer that lists the extension with id 0 ("disabled" in BEP 10)', async () => {
    class Disabled {
      declare name: string
      constructor(wire: Wire) {
        // bittorrent-protocol builds "m" from the registered extensions; rewrite our entry to 0.
        const send = wire.extended.bind(wire)
        wire.extended = (ext, obj) => {
          if (ext === 0 && obj instanceof Uint8Array) {
            const text = Buffer.from(obj)
              .toString('latin1')
              .replace(/7:coteriei\d+e/, '7:coteriei0e')
            return send(0, Buffer.from(text, 'latin1'))
          }
          return send(ext, obj)
        }
      }
    }
    Disabled.prototype.name = 'coterie'
    const { r } = connect(alice, bob, { timeoutMs: 40, initiatorExtension: Disabled as unknown as ExtensionClass })
    await waitFor(() => r.events.length > 0, 'the responder to see the disabled extension')
    await sleepMs(100) // past the deadline (40 ms), where sending a refusal used to throw in a timer
    assert.deepEqual(r.events, ['no-extension'])
  })

  it('stops authorizing when the certificate expires mid-connection', async () => {
    let clock = NOW
    // Valid until NOW + 1 for a verifier (expiry plus the clock-skew allowance).
    const short = issueCertificate(w.swarm, { member: w.alice.publicKey, iat: NOW - DAY, exp: NOW + 1 - CLOCK_SKEW_S })
    const { i, r } = connect(
      { swarm: w.swarm.publicKey, credential: { certificate: short, secretKey: w.alice.secretKey } },
      bob,
      { now: () => clock },
    )
    await waitFor(() => r.events.includes('mutual'), 'authorization')
    assert.deepEqual(r.events, ['authorized', 'mutual'])
    clock = NOW + 2 // the re-check timer fires about 1 s after authorization
    await waitFor(() => r.events.length > 2 && i.ext!.self?.kind === 'refused', 'the re-check')
    assert.deepEqual(r.events, ['authorized', 'mutual', 'refused:expired'])
    assert.deepEqual(i.ext!.self, { kind: 'refused', code: 'expired' })
  })
  it('carries sealed messages once authorized, and drops a peer whose sealed message does not open', async () => {
    const { i, r } = connect(alice, bob)
    await waitFor(settled(i, r), 'the handshake')
    const got: string[] = []
    r.ext!.on('message', (_e, m: Uint8Array) => got.push(Buffer.from(m).toString()))
    assert.ok(i.ext!.sendSealed(new TextEncoder().encode('first')))
    assert.ok(i.ext!.sendSealed(new TextEncoder().encode('second')))
    await waitFor(() => got.length >= 2, 'both messages')
    assert.deepEqual(got, ['first', 'second'])
    // A forged record (a fresh box under a key nobody derived) ends the connection.
    r.ext!.on('tampered', () => got.push('tampered'))
    i.wire.extended('coterie', new Uint8Array(Buffer.from('d3:box20:aaaaaaaaaaaaaaaaaaaa1:t6:sealede')))
    await waitFor(() => got.length > 2 && r.wire.destroyed, 'the forged record to end the wire')
    assert.deepEqual(got.slice(2), ['tampered'])
    assert.ok(r.wire.destroyed)
  })

  it('sends no sealed message to a peer it has not authorized', async () => {
    const { i } = connect(alice, undefined)
    await waitFor(() => i.events.length > 0, 'the plain peer to be marked')
    assert.equal(i.ext!.sendSealed(new TextEncoder().encode('secret')), false)
  })
})

describe('pex on the coterie extension', () => {
  const A = peerAddress('192.0.2.7', 6881)!
  const B = peerAddress('2001:db8::1', 51413)!
  /** Sends raw coterie-extension bytes from one side, bypassing its own checks (a hostile peer). */
  const raw = (from: Side, bytes: Uint8Array) => from.wire.extended('coterie', bytes)
  /** The same, sealed as a member's would be (PROTOCOL.md §5.6), bypassing the pex rate checks. */
  const sealed = (from: Side, bytes: Uint8Array) => assert.ok(from.ext!.sendSealed(bytes), 'the sender may seal')

  it('flows once both sides authorized each other, and not before or to a refused peer', async () => {
    let ms = 0
    const { i, r } = connect(alice, bob, { clockMs: () => ms })
    assert.equal(i.ext!.sendPex([A]), false, 'nothing is authorized yet')
    await waitFor(() => i.events.includes('mutual') && r.events.includes('mutual'), 'both sides mutual')
    assert.ok(i.events.includes('mutual') && r.events.includes('mutual'))
    assert.ok(i.ext!.sendPex([A, B]))
    await waitFor(() => r.events.some((e) => e.startsWith('pex')), 'the pex')
    assert.deepEqual(
      r.events.filter((e) => e.startsWith('pex')),
      ['pex:192.0.2.7:6881,[2001:db8:0:0:0:0:0:1]:51413'],
    )
    assert.equal(i.ext!.sendPex([A]), false, 'the sender keeps to the interval too')
    ms += PEX_INTERVAL_MS
    assert.ok(i.ext!.sendPex([B]))
    await waitFor(() => r.events.filter((e) => e.startsWith('pex:')).length >= 2, 'the second pex')
    assert.equal(r.events.filter((e) => e.startsWith('pex:')).length, 2)

    const other = world('wire-other')
    const refused = connect(
      { swarm: w.swarm.publicKey, credential: { certificate: other.aliceCert, secretKey: other.alice.secretKey } },
      bob,
    )
    await waitFor(settled(refused.i, refused.r), 'the refusal')
    assert.equal(refused.r.ext!.sendPex([A]), false, 'never to a peer we refused')
    assert.equal(refused.i.ext!.sendPex([A]), false, 'never by a peer that was refused')
  })

  it('is ignored in clear, or from a peer we did not authorize, and never costs it a verdict', async () => {
    const { i, r } = connect({ swarm: w.swarm.publicKey }, bob) // no credential: noproof
    await waitFor(() => r.events.length > 0, 'the refusal')
    raw(i, encodePex([A]))
    await waitFor(() => r.events.length > 1, 'the pex in clear')
    assert.deepEqual(r.events, ['refused:no-certificate', 'pex-ignored:unsealed'])
    // A responder whose certificate we refused still authorized us, so it can seal a pex to us.
    const other = world('wire-pex-other')
    const bad = connect(alice, {
      swarm: w.swarm.publicKey,
      credential: { certificate: other.bobCert, secretKey: other.bob.secretKey },
    })
    await waitFor(
      () => bad.r.ext!.sealsOutgoing && bad.i.events.length > 0,
      'the responder to authorize, and the initiator to refuse',
    )
    sealed(bad.r, encodePex([A]))
    await waitFor(() => bad.i.events.some((e) => e.startsWith('pex')), 'the sealed pex')
    assert.deepEqual(
      bad.i.events.filter((e) => e.startsWith('pex') || e.startsWith('refused')),
      ['refused:wrong-swarm', 'pex-ignored:unauthorized'],
    )
  })

  it('drops a malformed or too-frequent pex without refusing the member', async () => {
    let ms = 0
    const { i, r } = connect(alice, bob, { clockMs: () => ms })
    const pexes = () => r.events.filter((e) => e.startsWith('pex')).length
    await waitFor(settled(i, r), 'the handshake')
    sealed(i, new TextEncoder().encode('d3:ip43:abc1:t3:pexe'))
    sealed(i, encodePex([A]))
    sealed(i, encodePex([B]))
    await waitFor(() => pexes() >= 3, 'the three pexes')
    ms += PEX_INTERVAL_MS / 2
    sealed(i, encodePex([B]))
    await waitFor(() => pexes() >= 4, 'the fourth pex')
    assert.deepEqual(
      r.events.filter((e) => e.startsWith('pex')),
      ['pex-ignored:malformed', 'pex:192.0.2.7:6881', 'pex-ignored:too-soon', 'pex:[2001:db8:0:0:0:0:0:1]:51413'],
    )
    assert.equal(r.ext!.state, 'authorized')
  })
})

describe('renewal for a member whose certificate expired (PROTOCOL.md §13.3)', () => {
  const LATER = NOW + 31 * DAY + CLOCK_SKEW_S // w's certificates have expired by then
  const fresh = (who: typeof w.alice): GatedTorrent => ({
    swarm: w.swarm.publicKey,
    credential: {
      certificate: issueCertificate(w.swarm, { member: who.publicKey, iat: LATER - DAY, exp: LATER + DAY }),
      secretKey: who.secretKey,
    },
  })
  const announce = encode({ t: 'index', version: 7 })
  const listen = (s: Side) => {
    const got: string[] = []
    s.ext!.on('lapsed', () => got.push('lapsed'))
    s.ext!.on('renewal', (_e, m: Uint8Array) => got.push(`renewal:${Buffer.from(m).toString()}`))
    s.ext!.on('message', () => got.push('message'))
    s.ext!.on('tampered', () => got.push('tampered'))
    return got
  }

  for (const expiredSide of ['initiator', 'responder'] as const) {
    it(`the refuser seals index payloads, and only those, to the expired ${expiredSide}`, async () => {
      const { i, r } =
        expiredSide === 'initiator'
          ? connect(alice, fresh(w.bob), { now: () => LATER })
          : connect(fresh(w.bob), alice, { now: () => LATER })
      const [expired, upToDate] = expiredSide === 'initiator' ? [i, r] : [r, i]
      const heard = { expired: listen(expired), upToDate: listen(upToDate) }
      await waitFor(
        () => heard.upToDate.includes('lapsed') && expired.ext!.renewing,
        'the refusal as expired, on both sides',
      )
      assert.deepEqual(upToDate.ext!.peer, { kind: 'refused', code: 'expired' }, 'the verdict is as before')
      assert.ok(
        upToDate.ext!.lapsed !== undefined && Buffer.from(upToDate.ext!.lapsed.member).equals(w.alice.publicKey),
      )
      assert.ok(expired.ext!.renewing)
      assert.equal(upToDate.ext!.sendSealed(announce), false, 'no ordinary sealed message: it is not authorized')
      assert.equal(upToDate.ext!.sendPex([peerAddress('192.0.2.7', 6881)!]), false, 'no pex')
      assert.equal(
        upToDate.ext!.sendRenewal(new TextEncoder().encode('d1:t3:pexe')),
        false,
        'nothing but index payloads',
      )
      assert.ok(upToDate.ext!.sendRenewal(announce))
      await waitFor(() => heard.expired.length > 0, 'the renewal')
      assert.deepEqual(heard.expired, [`renewal:${Buffer.from(announce).toString()}`])
      assert.deepEqual(heard.upToDate, ['lapsed'])
      assert.equal(expired.ext!.sendRenewal(announce), false, 'the expired side has no one to renew')
      // Once the expired side has what it wanted, a further sealed message from the peer ends the wire.
      expired.ext!.endRenewal()
      assert.ok(!expired.ext!.renewing)
      assert.ok(upToDate.ext!.sendRenewal(announce))
      await waitFor(() => heard.expired.length > 1 && expired.wire.destroyed, 'the late sealed message to end the wire')
      assert.deepEqual(heard.expired.slice(1), ['tampered'])
      assert.ok(expired.wire.destroyed)
    })
  }

  it('is bounded in time on both sides, and the refuser closes a renewal-only wire when the time is up', async () => {
    let ms = 0
    const { i, r } = connect(alice, fresh(w.bob), { now: () => LATER, clockMs: () => ms })
    await waitFor(() => i.ext!.renewing && r.ext!.lapsed !== undefined, 'the refusal as expired')
    assert.ok(i.ext!.renewing)
    ms = RENEWAL_TIMEOUT_MS
    assert.ok(!i.ext!.renewing, 'the expired side stops listening')
    assert.equal(r.ext!.sendRenewal(announce), false, 'and the refuser stops sending')
    ms = 0
    const again = connect(alice, fresh(w.bob), { now: () => LATER, clockMs: () => ms })
    await waitFor(() => again.r.ext!.lapsed !== undefined, 'the refusal as expired')
    ms = RENEWAL_TIMEOUT_MS - 300 // the close timer runs on the real clock for what is left: 300 ms
    assert.ok(again.r.ext!.sendRenewal(announce))
    assert.ok(!again.r.wire.destroyed)
    await waitFor(() => again.r.wire.destroyed || again.i.wire.destroyed, 'the close timer')
    assert.ok(again.r.wire.destroyed || again.i.wire.destroyed)
  })

  it("gives a revoked member, a non-member's copied certificate, or a live member nothing to renew", async () => {
    const revoked = connect(
      alice,
      { ...fresh(w.bob), isRevoked: (m) => Buffer.from(m).equals(w.alice.publicKey) },
      { now: () => LATER },
    )
    const copied = connect(
      { swarm: w.swarm.publicKey, credential: { certificate: w.aliceCert, secretKey: w.bob.secretKey } },
      fresh(w.bob),
      { now: () => LATER },
    )
    const live = connect(alice, bob)
    await waitFor(settled(revoked.i, revoked.r, copied.i, copied.r, live.i, live.r), 'the three handshakes')
    assert.deepEqual(revoked.r.ext!.peer, { kind: 'refused', code: 'expired' }, 'the code stays as before')
    for (const c of [revoked, copied, live]) {
      assert.equal(c.r.ext!.lapsed, undefined)
      assert.equal(c.r.ext!.sendRenewal(announce), false)
    }
    assert.ok(!live.i.ext!.renewing)
  })
})
