// The closed swarm over WebRTC (issue 14, docs/NAT.md): nodes that meet only through a WebSocket
// tracker on 127.0.0.1 (bittorrent-tracker's server, no HTTP or UDP announce, no DHT, no LSD, no
// peer given) connect over data channels, and everything the TCP gate tests check holds there: a
// member gets the file byte for byte, and its blocks cross the data channel sealed; outsiders
// holding the leaked torrent get no payload byte, no metadata and an empty bitfield (Coterie nodes
// refused for their certificates are the TCP tests' business: the handshake is the same). The ICE
// servers are exactly the ones given, never simple-peer's default STUN list.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, Server } from 'bittorrent-tracker'
import Peer from '@thaunknown/simple-peer/lite.js'
import type WebTorrent from 'webtorrent'
import { Engine, type SwarmMembership, type SeededTorrent } from './engine.js'
import { discoveryTopic } from '../protocol/topic.js'
import { keyPair, seed, membershipIn } from '../testing/fixtures.js'
import { LOOPBACK, destroyClient, plainClient, randomFile, sleep, tempDir, until } from '../testing/swarm.js'

const swarm = keyPair('webrtc swarm')
const member = (who: string): SwarmMembership => membershipIn(swarm, who)
const BLOCK = 16 * 1024
const FILE_BYTES = 2 * 1024 * 1024
const RECHOKE_PERIOD_MS = 10_000
// Generous: ICE gathering, the tracker's offer round trip and the handshake on a loaded 2-core machine.
const CONNECT_MS = 90_000
// ICE servers that answer nothing (closed loopback ports): host candidates still pair on loopback,
// and what each connection was configured with can be checked. The group's, and a user's own.
const OUTSIDER_RETRY_MS = 3_000
const GROUP_STUN = `stun:${LOOPBACK}:9`
const OWN_STUN = `stun:${LOOPBACK}:7`

/**
 * What crossed every data channel of this process, and the ICE servers each was configured with:
 * recorded on simple-peer's prototype (the class bittorrent-tracker makes its peers from), below
 * the engine and webtorrent, so the engine's own code is what is observed, not replaced.
 */
const seen = { bytes: [] as Buffer[], iceServers: new Set<string>() }
interface PeerInternals {
  _onChannelMessage(event: { data: ArrayBuffer | Uint8Array | string }): void
  config: { iceServers: unknown }
}
const proto = (Peer as unknown as { prototype: PeerInternals }).prototype
const onMessage = proto._onChannelMessage
proto._onChannelMessage = function (this: PeerInternals, event) {
  if (typeof event.data !== 'string') seen.bytes.push(Buffer.from(event.data as ArrayBuffer))
  seen.iceServers.add(JSON.stringify(this.config.iceServers))
  return onMessage.call(this, event)
}

/** How many of the file's blocks appear in clear in `capture` (32 bytes from inside each block). */
function leaks(capture: Buffer, data: Buffer): number {
  let found = 0
  for (let at = 0; at + 96 <= data.length; at += BLOCK) if (capture.includes(data.subarray(at + 64, at + 96))) found++
  return found
}

describe('the closed swarm over WebRTC data channels, signalled by a WebSocket tracker', () => {
  const dir = tempDir('webrtc')
  const closers: (() => Promise<void>)[] = []
  let ws: string
  let owner: Engine
  let t: SeededTorrent
  let topic: Uint8Array
  let file: { path: string; data: Buffer }

  before(async () => {
    const server = new Server({ http: false, udp: false, ws: true, stats: false })
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()))
    closers.push(() => new Promise((r) => server.close(() => r())))
    ws = `ws://${LOOPBACK}:${server.http!.address().port}`
    owner = await Engine.start({ obfuscate: false })
    closers.push(() => owner.close())
    file = randomFile(join(dir.path, 'src'), 'film.bin', FILE_BYTES)
    // The topic needs the infohash, which seeding computes: seed, then announce under the topic.
    const probe = await owner.seed(file.path, member('webrtc owner'))
    await owner.remove(probe.infoHash)
    topic = discoveryTopic(seed('webrtc group secret'), Buffer.from(probe.infoHash, 'hex'))
    t = await owner.seed(file.path, member('webrtc owner'), { topic, trackers: [ws], ice: [GROUP_STUN] })
  })
  after(async () => {
    for (const c of closers.reverse()) await c()
    dir.remove()
  })

  it('a member finds the owner through the tracker alone and gets the file, byte for byte, sealed', async () => {
    const joiner = await Engine.start({ obfuscate: false, ice: [OWN_STUN] })
    closers.push(() => joiner.close())
    const dest = join(dir.path, 'member')
    await joiner.add(t.info, dest, member('webrtc member'), { topic, trackers: [ws], ice: [GROUP_STUN] })
    await until(() => joiner.torrentSummary(t.infoHash).progress === 1, CONNECT_MS, 'the member to finish over WebRTC')
    assert.ok(readFileSync(join(dest, 'film.bin')).equals(file.data), 'the file, byte for byte')

    const peers = [...owner.torrentSummary(t.infoHash).peers, ...joiner.torrentSummary(t.infoHash).peers]
    assert.ok(peers.length >= 2, 'each side sees the other')
    for (const p of peers) {
      assert.equal(p.transport, 'webrtc', `no other transport: ${JSON.stringify(p)}`)
      // Loopback has no NAT, but ICE may pair a peer-reflexive candidate learned from the checks
      // themselves (what it would do through a NAT); no TURN server was given, so never a relay.
      assert.ok(p.path === 'direct' || p.path === 'holepunch', `no relay without TURN: ${p.path}`)
    }
    assert.ok(
      peers.every((p) => p.state === 'authorized'),
      'authorized both ways',
    )

    const capture = Buffer.concat(seen.bytes)
    assert.ok(capture.length >= FILE_BYTES, `the file crossed the data channels (${capture.length} bytes seen)`)
    assert.equal(leaks(capture, file.data), 0, 'not one block in clear on the data channel')
    // Each connection had its group's servers (and the member its own too): not Google's, not Twilio's.
    const owners = JSON.stringify([{ urls: GROUP_STUN }])
    const members = JSON.stringify([{ urls: GROUP_STUN }, { urls: OWN_STUN }])
    assert.deepEqual(new Set(seen.iceServers), new Set([owners, members]), 'only the ICE servers given')
  })

  it('outsiders holding the leaked torrent get no payload, no metadata and an empty bitfield', async () => {
    const outsiders: WebTorrent[] = []
    const signalling: Client[] = []
    closers.push(async () => {
      for (const c of signalling) await new Promise<void>((r) => c.destroy(() => r()))
      await Promise.all(outsiders.map(destroyClient))
    })
    // Plain WebTorrent, one with the .torrent and one with only the magnet link, each announcing the
    // topic to the group's tracker (a removed member knows it) and taking the WebRTC peers it brokers.
    // Each other's peers they are not: the leaked client would hand the magnet one the metadata.
    const outsiderIds = new Set<string>()
    const join_ = (input: string | Buffer, label: string) => {
      const id = Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')
      outsiderIds.add(id)
      const c = plainClient()
      outsiders.push(c)
      const torrent = c.add(input, { path: join(dir.path, label) })
      const tracker = new Client({
        infoHash: Buffer.from(topic).toString('hex'),
        peerId: id,
        announce: [ws],
        port: 6881,
        rtcConfig: { iceServers: [] },
      })
      signalling.push(tracker)
      tracker.on('peer', (p) => {
        if (typeof p === 'string') return
        if (torrent.destroyed || outsiderIds.has(p.id)) p.destroy()
        else torrent.addPeer(p)
      })
      tracker.on('warning', () => {})
      tracker.on('error', () => {})
      tracker.start()
      // Announce again (new offers) until connected, as an outsider set on getting in would: one
      // announce's offers go to random nodes of the swarm and may all be lost to a busy peer.
      const retry = setInterval(() => torrent.wires.length === 0 && tracker.update(), OUTSIDER_RETRY_MS)
      closers.push(async () => clearInterval(retry))
      return torrent
    }
    const leaked = join_(Buffer.concat([Buffer.from('d4:info'), t.info, Buffer.from('e')]), 'leaked')
    const magnet = join_(`magnet:?xt=urn:btih:${t.infoHash}`, 'magnet')

    await until(
      () => leaked.wires.length > 0 && magnet.wires.length > 0,
      CONNECT_MS,
      'the outsiders to connect over WebRTC',
    )
    // Over a rechoke period, so the regular and the optimistic unchoke both ran.
    await sleep(RECHOKE_PERIOD_MS + 2_500)

    for (const p of [leaked, magnet]) {
      assert.ok(
        p.wires.every((w) => w.type === 'webrtc'),
        'connected over WebRTC only',
      )
      assert.equal(p.downloaded, 0, 'a plain client got payload bytes')
    }
    assert.equal(magnet.ready, false, 'the magnet-only client never got the metadata')
    assert.equal(
      leaked.wires.some((w) =>
        (w as unknown as { peerPieces: { buffer: Uint8Array } }).peerPieces.buffer.some((b) => b !== 0),
      ),
      false,
      'it saw an empty bitfield',
    )
    const refused = owner.torrentSummary(t.infoHash).peers.filter((p) => p.transport === 'webrtc')
    assert.ok(
      refused.some((p) => p.state === 'no-extension'),
      'the plain clients are kept choked',
    )
  })
})
