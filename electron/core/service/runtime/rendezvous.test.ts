// Where members of a group meet (PROTOCOL.md §12.5) and how they move when the discovery secret
// rotates (§13.2), with real profiles, real nodes, a DHT and a tracker on 127.0.0.1: a group whose
// invite was made before anything was shared still gets its later shares; after a removal every
// torrent of the group, its rendezvous included, is announced under the new topic only, and the
// removed member looking under the old ones finds nobody; and no user list shows the rendezvous.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import DHT from 'bittorrent-dht'
import { Client as TrackerClient, Server as TrackerServer } from 'bittorrent-tracker'
import { CoterieNode } from './node.js'
import { ProfileStore } from '../../profile/index.js'
import { addFriend } from '../operations/friends.js'
import { createGroup, removeMember, setTrackers } from '../operations/groups.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import { rendezvousOf } from '../operations/rendezvous.js'
import { discoveryTopic } from '../../protocol/topic.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { LOOPBACK, randomFile, tempDirs, until } from '../../testing/swarm.js'
import { fileDone, testProfile } from '../../testing/profiles.js'
import { startTestApp } from '../../testing/app.js'
import { onceWithin } from '../../testing/wait.js'

const { temp, cleanup } = tempDirs()
const closers: (() => Promise<unknown>)[] = []
after(async () => {
  for (const c of closers.reverse()) await c().catch(() => {})
  cleanup()
})

const profile = (name: string) => testProfile(temp, name)
async function start(store: ProfileStore, o: Parameters<typeof CoterieNode.start>[1]) {
  const n = await CoterieNode.start(store, o)
  closers.push(() => n.stop())
  return n
}

/** A DHT bootstrap node on loopback that records every announce it receives. */
async function loopbackDht() {
  const node = new DHT({ bootstrap: false })
  await new Promise<void>((r) => node.listen(0, LOOPBACK, () => r()))
  closers.push(() => new Promise<void>((r) => node.destroy(() => r())))
  const announced: { topic: string; port: number }[] = []
  node.on(
    'announce',
    (peer: { port: number }, infoHash: Uint8Array) =>
      void announced.push({ topic: bytesToHex(infoHash), port: peer.port }),
  )
  return { dht: { bootstrap: [`${LOOPBACK}:${node.address().port}`] }, announced }
}

/** An HTTP tracker on loopback that records every announce (with its event) it receives. */
async function loopbackTracker() {
  const heard: { topic: string; port: number; event: string }[] = []
  const server = new TrackerServer({
    http: true,
    udp: false,
    ws: false,
    stats: false,
    filter: (infoHash, params, cb) => {
      heard.push({
        topic: infoHash,
        port: Number(params.port),
        event: typeof params.event === 'string' ? params.event : 'update',
      })
      cb(null)
    },
  })
  await new Promise<void>((r) => server.listen(0, { http: LOOPBACK }, () => r()))
  closers.push(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://${LOOPBACK}:${server.http!.address().port}/announce`, heard }
}

/** The peers a tracker hands someone who announces `topic` (an outsider to the group's new secret). */
async function trackerLookup(url: string, topic: string): Promise<string[]> {
  const found: string[] = []
  const client = new TrackerClient({
    infoHash: topic,
    peerId: bytesToHex(crypto.getRandomValues(new Uint8Array(20))),
    announce: [url],
    port: 6881,
  })
  client.on('peer', (address) => void (typeof address === 'string' && found.push(address)))
  client.on('warning', () => {})
  client.on('error', () => {})
  // The tracker's answer names every peer it hands out ('peer' follows 'update' synchronously).
  const answered = onceWithin(client, 'update', 10_000, `the tracker's answer for ${topic}`)
  client.start()
  await answered
  client.stop()
  await new Promise<void>((r) => client.destroy(() => r()))
  return found
}

const topicHex = (secretHex: string, infoHash: string) =>
  bytesToHex(discoveryTopic(Buffer.from(secretHex, 'hex'), Buffer.from(infoHash, 'hex')))

describe('the group rendezvous', () => {
  it('an invite saved before anything was shared: the member still gets what the owner shares later, with no new invite', async () => {
    const [owner, bob] = await Promise.all([profile('Owner'), profile('Bob')])
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'Club', { members: ['Bob'] })
    const inv = join(temp('early-inv'), 'club.coterie')
    await writeInvite(owner.store, 'Club', 'Bob', inv) // nothing shared yet
    await joinInvite(bob.store, inv, bob.downloads)
    const ownerGroup = owner.store.current.groups[0]!
    const bobGroup = bob.store.current.groups[0]!
    assert.ok(ownerGroup.rendezvous !== undefined, 'the owner drew the group a rendezvous when creating it')
    assert.equal(bobGroup.rendezvous, ownerGroup.rendezvous, 'the invite carried it')
    assert.deepEqual(bob.store.current.torrents, [], 'and it is no share')

    // No --peer and nothing in the invite's peer list: the two meet under the rendezvous's topic.
    const { dht, announced } = await loopbackDht()
    const ownerNode = await start(owner.store, { dht })
    const rvTopic = topicHex(ownerGroup.groupSecret, bytesToHex(rendezvousOf(ownerGroup)!.infoHash))
    await until(
      () => announced.some((a) => a.topic === rvTopic && a.port === ownerNode.port),
      20_000,
      'the owner to announce the rendezvous on the DHT',
    )
    const bobNode = await start(bob.store, { dht, downloadDir: bob.downloads })
    const meets = () =>
      bobNode.status().some((t) => t.rendezvous === true && t.peers.some((p) => p.state === 'authorized'))
    await until(meets, 30_000, 'bob to meet the owner in the rendezvous')

    const file = randomFile(temp('early-src'), 'later.bin', 200_000)
    const started = Date.now()
    await share(owner.store, file.path, 'Club')
    await ownerNode.reload()
    await until(
      fileDone(join(bob.downloads, 'later.bin'), file.data),
      30_000,
      'bob to get the later share with no new invite',
    )
    assert.ok(Date.now() - started < 30_000)
    assert.equal(
      bob.store.current.groups[0]!.indexVersion,
      owner.store.current.groups[0]!.indexVersion,
      "bob holds the owner's newest index",
    )
  })

  it('after a removal the others announce every torrent of the group under the new topic only; the removed member finds no one under the old', async () => {
    const [owner, alice, bob] = await Promise.all([profile('Owner'), profile('Alice'), profile('Bob')])
    const tracker = await loopbackTracker()
    const { dht, announced } = await loopbackDht()
    await addFriend(owner.store, alice.key, 'Alice')
    await addFriend(owner.store, bob.key, 'Bob')
    await createGroup(owner.store, 'Club', { members: ['Alice', 'Bob'], trackers: [tracker.url] })
    const one = randomFile(temp('rot-src'), 'one.bin', 150_000)
    await share(owner.store, one.path, 'Club')
    for (const [m, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
    ] as const) {
      const inv = join(temp('rot-inv'), 'club.coterie')
      await writeInvite(owner.store, 'Club', name, inv)
      await joinInvite(m.store, inv, m.downloads)
    }
    const ownerNode = await start(owner.store, { dht })
    const aliceNode = await start(alice.store, { dht, downloadDir: alice.downloads })
    const bobNode = await start(bob.store, { dht, downloadDir: bob.downloads })
    for (const m of [alice, bob]) {
      await until(fileDone(join(m.downloads, 'one.bin'), one.data), 30_000, 'the members to get file 1')
      await until(() => (m.store.current.groups[0]!.indexVersion ?? 0) >= 1, 20_000, 'the members to hold the index')
    }
    const group = () => owner.store.current.groups[0]!
    const groupTorrents = [bytesToHex(rendezvousOf(group())!.infoHash), owner.store.current.torrents[0]!.infoHash]
    const oldSecret = group().groupSecret
    const oldTopics = groupTorrents.map((ih) => topicHex(oldSecret, ih))
    for (const n of [ownerNode, bobNode])
      for (const [i, ih] of groupTorrents.entries()) assert.deepEqual(n.engine.discoveryKeys(ih), [oldTopics[i]])

    const rotatedAt = announced.length
    const heardBefore = tracker.heard.length
    await removeMember(owner.store, 'Club', 'Alice')
    await ownerNode.reload()
    const newSecret = group().groupSecret
    assert.notEqual(newSecret, oldSecret)
    await until(
      () => bob.store.current.groups[0]!.groupSecret === newSecret,
      20_000,
      'bob to take the rotated secret from the index',
    )
    const newTopics = groupTorrents.map((ih) => topicHex(newSecret, ih))

    // What the discovery layer is asked for: the new topic of each torrent, and nothing else.
    const current = [ownerNode, bobNode]
    for (const n of current) {
      const keys = () => groupTorrents.map((ih) => n.engine.discoveryKeys(ih))
      await until(
        () => JSON.stringify(keys()) === JSON.stringify(newTopics.map((k) => [k])),
        10_000,
        'each torrent to move to its new topic',
      )
    }
    // What the DHT and the tracker heard, without a restart: every torrent's new topic from both.
    for (const n of current) {
      for (const topic of newTopics) {
        await until(
          () => announced.slice(rotatedAt).some((a) => a.topic === topic && a.port === n.port),
          20_000,
          'the new topic announced on the DHT',
        )
        await until(
          () =>
            tracker.heard
              .slice(heardBefore)
              .some((h) => h.topic === topic && h.port === n.port && h.event === 'started'),
          20_000,
          'the new topic announced to the tracker',
        )
      }
      for (const topic of oldTopics) {
        await until(
          () =>
            tracker.heard
              .slice(heardBefore)
              .some((h) => h.topic === topic && h.port === n.port && h.event === 'stopped'),
          20_000,
          'the old topic given up at the tracker',
        )
      }
    }
    assert.ok(
      !announced.slice(rotatedAt).some((a) => oldTopics.includes(a.topic) && current.some((n) => n.port === a.port)),
      'no old topic announced on the DHT since',
    )
    assert.ok(
      !tracker.heard
        .slice(heardBefore)
        .some((h) => oldTopics.includes(h.topic) && h.event !== 'stopped' && current.some((n) => n.port === h.port)),
    )

    // Alice knows only the old secret: looking up the old topics, she finds no current member.
    const currentAddresses = current.map((n) => `${LOOPBACK}:${n.port}`)
    for (const topic of oldTopics) {
      const found = await trackerLookup(tracker.url, topic)
      assert.deepEqual(
        found.filter((a) => currentAddresses.includes(a)),
        [],
        `under ${topic} alice found ${found.join(', ')}`,
      )
    }
    assert.equal(alice.store.current.groups[0]!.groupSecret, oldSecret, 'alice never learnt the new secret')
    for (const ih of groupTorrents)
      assert.deepEqual(aliceNode.engine.discoveryKeys(ih), [oldTopics[groupTorrents.indexOf(ih)]])
  })

  it("a running node moves every torrent of a group to the group's new trackers at once, and tells the old ones it stopped", async () => {
    const owner = await profile('Owner')
    const [before, after] = [await loopbackTracker(), await loopbackTracker()]
    await createGroup(owner.store, 'Club', { trackers: [before.url] })
    const ownerNode = await start(owner.store, { dht: false })
    const topic = topicHex(
      owner.store.current.groups[0]!.groupSecret,
      bytesToHex(rendezvousOf(owner.store.current.groups[0]!)!.infoHash),
    )
    const heard = (t: typeof before, event: string) => () =>
      t.heard.some((h) => h.topic === topic && h.port === ownerNode.port && h.event === event)
    await until(heard(before, 'started'), 20_000, 'the first tracker to hear the topic')
    await setTrackers(owner.store, 'Club', [after.url])
    await ownerNode.reload()
    await until(heard(after, 'started'), 20_000, 'the new tracker to hear the topic without a restart')
    await until(heard(before, 'stopped'), 20_000, 'the old tracker to be told the node stopped')
    assert.deepEqual(
      ownerNode.engine.discoveryKeys(bytesToHex(rendezvousOf(owner.store.current.groups[0]!)!.infoHash)),
      [topic],
      'still under the same topic',
    )
  })

  it("a group made before the rendezvous existed gets one from its owner's node, and the index carries it", async () => {
    const owner = await profile('Owner')
    await createGroup(owner.store, 'Old club')
    await owner.store.update((d) => void delete d.groups[0]!.rendezvous) // as a profile written before it
    const ownerNode = await start(owner.store, { dht: false })
    const g = owner.store.current.groups[0]!
    assert.match(g.rendezvous ?? '', /^[0-9a-f]{64}$/, 'drawn at node start')
    const infoHash = bytesToHex(rendezvousOf(g)!.infoHash)
    assert.ok(ownerNode.status().some((t) => t.infoHash === infoHash && t.rendezvous === true && t.state === 'seeding'))
    const held = ownerNode.engine.index.get(Buffer.from(g.swarmPublicKey, 'hex'))
    assert.deepEqual(held?.infoHashes.map(bytesToHex), [infoHash], 'the published index carries it, first')
  })

  it("is not shown as a share: not in the app's transfers, groups or invite preview, nor in the CLI's human output", async (t) => {
    const [alice, bob] = await Promise.all([startTestApp(t, 'rv-a'), startTestApp(t, 'rv-b')])
    const bobId = await bob.call('identity.get', {})
    await alice.call('friends.add', { key: bobId.key, name: 'Bob' })
    const g = await alice.call('groups.create', { name: 'Club', members: [bobId.key] })
    // The node runs the rendezvous (flagged), and nothing the renderer sees lists it.
    await until(
      () => alice.backend.node.status().some((s) => s.rendezvous === true && s.state === 'seeding'),
      15_000,
      'the rendezvous to run',
    )
    assert.deepEqual(await alice.call('torrents.list', {}), [])
    assert.deepEqual((await alice.call('groups.list', {})).find((x) => x.id === g.id)?.torrents, [])
    const invite = await alice.call('invites.create', { group: g.id, friend: bobId.key })
    assert.deepEqual((await bob.call('invites.preview', invite)).torrents, [])
    const accepted = await bob.call('invites.accept', { data: invite.data })
    assert.deepEqual(accepted.torrents, [])
    await until(() => bob.backend.node.status().some((s) => s.rendezvous === true), 15_000, 'the member to run it too')
    assert.deepEqual(await bob.call('torrents.list', {}), [])

    // The CLI: `status` and `group show` list no share; only --json shows the rendezvous, flagged.
    const bin = new URL('../../cli/coterie.mjs', import.meta.url).pathname
    const dir = temp('rv-cli')
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [bin, '--profile', dir, ...args], { encoding: 'utf8', timeout: 60_000 })
      assert.equal(r.status, 0, r.stderr)
      return r.stdout
    }
    cli('group', 'create', 'Solo')
    const shown = JSON.parse(cli('group', 'show', 'Solo', '--json')) as {
      rendezvous: string | null
      torrents: unknown[]
    }
    assert.match(shown.rendezvous ?? '', /^[0-9a-f]{40}$/)
    assert.deepEqual(shown.torrents, [])
    assert.ok(!cli('group', 'show', 'Solo').includes(shown.rendezvous!), 'group show names no rendezvous')
    const proc: ChildProcess = spawn(
      process.execPath,
      [bin, '--profile', dir, 'run', '--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    closers.push(async () => proc.kill('SIGKILL'))
    let output = ''
    proc.stdout!.on('data', (d) => (output += d))
    proc.stderr!.on('data', (d) => (output += d))
    await until(() => output.includes('listening on port'), 30_000, `coterie run to listen: ${output}`)
    const status = () =>
      JSON.parse(cli('status', '--json')) as { torrents: { infoHash: string; rendezvous?: boolean }[] }
    await until(
      () => status().torrents.some((x) => x.infoHash === shown.rendezvous && x.rendezvous === true),
      20_000,
      'status --json to show the rendezvous, flagged',
    )
    assert.ok(!cli('status').includes(shown.rendezvous!), 'status lists no rendezvous')
    assert.ok(!output.includes(shown.rendezvous!), "nor does run's own output")
  })
})
