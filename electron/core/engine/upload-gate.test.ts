// Outsiders holding the leaked torrent, on every upload path, against the owner and a member,
// for longer than a rechoke period (10 s) so the regular and the optimistic unchoke both ran.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Engine, type PeerEvent, type SwarmMembership, type SeededTorrent } from './engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { CLOCK_SKEW_S } from '../protocol/constants.js'
import { DAY, keyPair, seed } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, sleep, tempDir, until } from '../testing/swarm.js'
import { eventually } from '../testing/wait.js'
import { rawPeer, type RawPeer } from '../testing/raw-peer.js'
import type WebTorrent from 'webtorrent'

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('gate swarm')
const other = keyPair('gate other swarm')
const cred = (
  s: typeof swarm,
  who: string,
  o: { iat?: number; exp?: number; scope?: Uint8Array[] } = {},
): SwarmMembership => {
  const k = keyPair(who)
  const certificate = issueCertificate(s, {
    member: k.publicKey,
    iat: o.iat ?? now() - 60,
    exp: o.exp ?? now() + DAY,
    scope: o.scope,
  })
  return { swarm: swarm.publicKey, credential: { certificate, secretKey: k.secretKey } }
}
const RECHOKE_PERIOD_MS = 10_000

describe('the authorization gate against outsiders holding the leaked torrent', () => {
  const dir = tempDir('gate')
  let owner: Engine, member: Engine
  let t: SeededTorrent
  const engines: Engine[] = []
  const plains: WebTorrent[] = []
  const raws: RawPeer[] = []

  before(async () => {
    const file = randomFile(dir.path, 'secret.bin', 2 * 1024 * 1024)
    owner = await Engine.start()
    member = await Engine.start()
    t = await owner.seed(file.path, cred(swarm, 'gate owner'))
    await member.add(t.info, `${dir.path}/member`, cred(swarm, 'gate member'))
    member.addPeer(t.infoHash, `${LOOPBACK}:${owner.port}`)
    await member.whenDone(t.infoHash)
  })
  after(async () => {
    raws.forEach((r) => r.close())
    await Promise.all([...engines, owner, member].map((e) => e.close()))
    await Promise.all(plains.map(destroyClient))
    dir.remove()
  })

  it('gives nothing to any of them, on any path, over more than one rechoke period', async () => {
    const targets = [owner.port, member.port]
    // 1. Plain WebTorrent with the leaked .torrent, and 2. with only the magnet link (metadata path).
    const leaked = plainClient(),
      magnet = plainClient()
    plains.push(leaked, magnet)
    const lt = leaked.add(Buffer.concat([Buffer.from('d4:info'), t.info, Buffer.from('e')]), {
      path: `${dir.path}/leaked`,
    })
    const mt = magnet.add(`magnet:?xt=urn:btih:${t.infoHash}`, { path: `${dir.path}/magnet` })
    await until(
      () => lt.infoHash !== undefined && mt.infoHash !== undefined,
      5_000,
      'the plain clients to parse their input',
    )
    for (const port of targets) {
      lt.addPeer(`${LOOPBACK}:${port}`)
      mt.addPeer(`${LOOPBACK}:${port}`)
    }
    // 3. Raw hostile wires that request blocks while choked and ask for metadata.
    for (const port of targets) raws.push(rawPeer(LOOPBACK, port, t.infoHash))
    // 4. Coterie nodes with no certificate, another swarm's, an expired one, one for other torrents.
    const refused = {
      none: { swarm: swarm.publicKey },
      'wrong-swarm': cred(other, 'gate mallory'),
      expired: cred(swarm, 'gate former', { iat: now() - 10 * DAY, exp: now() - DAY }),
      'out-of-scope': cred(swarm, 'gate scoped', { scope: [seed('another torrent').subarray(0, 20)] }),
    }
    for (const [label, m] of Object.entries(refused)) {
      const e = await Engine.start()
      engines.push(e)
      await e.add(t.info, `${dir.path}/${label}`, m)
      for (const port of targets) e.addPeer(t.infoHash, `${LOOPBACK}:${port}`)
    }

    // The reasons are visible where the CLI and UI read them, while the refused peers are connected
    // (each gets HANDSHAKE_TIMEOUT_MS, then the connection budget closes it: engine/connection-budget.ts).
    const shown = new Set<string>()
    await eventually(
      () => {
        for (const p of owner.torrentSummary(t.infoHash).peers) if (p.state === 'refused') shown.add(p.reason!)
        return ['no-certificate', 'wrong-swarm', 'expired', 'out-of-scope'].every((c) => shown.has(c))
      },
      30_000,
      `the owner's summary to show each refusal, seen: ${[...shown].join(',')}`,
    )

    await sleep(RECHOKE_PERIOD_MS + 2_500)

    for (const p of [lt, mt]) {
      assert.equal(p.downloaded, 0, 'a plain client got payload bytes')
      assert.equal(p.numPeers >= 1, true, 'it was connected')
    }
    assert.equal(mt.ready, false, 'the magnet-only client never got the metadata')
    assert.equal(
      lt.wires.some((w) =>
        (w as unknown as { peerPieces: { buffer: Uint8Array } }).peerPieces.buffer.some((b) => b !== 0),
      ),
      false,
      'it saw an empty bitfield',
    )
    for (const r of raws) {
      assert.equal(r.log.pieceBytes, 0, 'a raw peer got blocks')
      assert.equal(r.log.metadataBytes, 0, 'a raw peer got metadata')
      assert.equal(r.log.unchoked, 0, 'a raw peer was unchoked')
      assert.equal(r.log.bitfieldBitsSet + r.log.haveAll + r.log.haves, 0, 'a raw peer learned which pieces we hold')
      assert.equal(
        r.log.sawAvailability,
        true,
        'it was told "nothing" (empty bitfield / have-none), as BitTorrent requires',
      )
    }
    for (const e of engines) assert.equal(e.torrentSummary(t.infoHash).downloaded, 0)
    const member0 = owner.torrentSummary(t.infoHash).peers.find((p) => p.state === 'authorized')
    assert.ok(member0, 'the member is still served')
  })

  it('stops uploading at once when a certificate expires mid-transfer', async () => {
    const src = tempDir('gate-expiry')
    try {
      const file = randomFile(src.path, 'slow.bin', 4 * 1024 * 1024)
      const slowOwner = await Engine.start({ uploadLimit: 400_000 }) // ~10 s for the whole file
      engines.push(slowOwner)
      const st = await slowOwner.seed(file.path, cred(swarm, 'gate owner'))
      // Valid for a verifier until about 3 s from now (expiry plus the clock-skew allowance).
      const brief = cred(swarm, 'gate brief', { exp: now() + 3 - CLOCK_SKEW_S, iat: now() - DAY })
      const leecher = await Engine.start()
      engines.push(leecher)
      await leecher.add(st.info, `${src.path}/dl`, brief)
      leecher.addPeer(st.infoHash, `${LOOPBACK}:${slowOwner.port}`)
      const events: PeerEvent[] = []
      slowOwner.on('peer', (e: PeerEvent) => events.push(e))
      const last = () => events.at(-1)?.peer
      await until(() => last()?.state === 'authorized', 5_000, 'authorization')
      await until(() => last()?.state === 'refused', 8_000, 'the expiry re-check')
      assert.equal(last()!.reason, 'expired')
      const at = leecher.torrentSummary(st.infoHash).downloaded
      await sleep(2_500) // long enough for the leecher to reconnect: refused again, at the handshake
      assert.equal(leecher.torrentSummary(st.infoHash).downloaded, at, 'no byte arrives after the refusal')
      assert.ok(
        events.slice(2).every((e) => e.peer.state === 'refused' && e.peer.reason === 'expired'),
        JSON.stringify(events.map((e) => e.peer.state)),
      )
      assert.ok(at < file.data.length, 'the transfer was cut short')
    } finally {
      src.remove()
    }
  })
})
