/**
 * The body of the LSD test, run by engine/local-discovery.test.ts inside a fresh network namespace
 * where only loopback exists (multicast routed to it), so nothing it sends can leave the machine.
 * Two engines with no DHT and no peers must find each other through LSD alone and transfer;
 * a sniffer on the LSD group records every datagram. Prints one JSON line; exits non-zero on failure.
 */
import { createSocket } from 'node:dgram'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { Engine, type SwarmMembership } from '../engine/engine.js'
import { issueCertificate } from '../protocol/certificate.js'
import { discoveryTopic } from '../protocol/topic.js'
import { LSD_HOST, LSD_PORT } from '../protocol/lsd.js'
import { DAY, keyPair, seed } from './fixtures.js'
import { randomFile, tempDir, until } from './swarm.js'

const interfaces = Object.keys(networkInterfaces())
if (interfaces.some((i) => i !== 'lo')) {
  process.stdout.write(JSON.stringify({ ok: false, why: `not isolated: interfaces ${interfaces.join(', ')}` }) + '\n')
  process.exit(3)
}

const now = () => Math.floor(Date.now() / 1000)
const swarm = keyPair('lsd swarm')
const member = (who: string): SwarmMembership => {
  const k = keyPair(who)
  return {
    swarm: swarm.publicKey,
    credential: {
      certificate: issueCertificate(swarm, { member: k.publicKey, iat: now() - 60, exp: now() + DAY }),
      secretKey: k.secretKey,
    },
  }
}

const dir = tempDir('lsd')
const datagrams: string[] = []
const sniffer = createSocket({ type: 'udp4', reuseAddr: true })
sniffer.on('message', (m) => datagrams.push(m.toString('latin1')))
await new Promise<void>((r) => sniffer.bind(LSD_PORT, () => r()))
sniffer.addMembership(LSD_HOST)

const a = await Engine.start({ lsd: true })
const b = await Engine.start({ lsd: true })
let result: Record<string, unknown>
try {
  const file = randomFile(join(dir.path, 'a'), 'local.bin', 1024 * 1024)
  // The topic is derived from the infohash, which hashing the file gives: hash once, then serve.
  const probe = await a.seed(file.path, member('lsd A'))
  await a.remove(probe.infoHash)
  const topic = discoveryTopic(seed('lsd group secret'), Buffer.from(probe.infoHash, 'hex'))
  const t = await a.seed(file.path, member('lsd A'), { topic })
  await b.add(t.info, join(dir.path, 'b'), member('lsd B'), { topic })
  await until(() => b.torrentSummary(t.infoHash).progress === 1, 30_000, 'B to find A through LSD alone and finish')
  const topicHex = Buffer.from(topic).toString('hex')
  result = {
    ok: true,
    datagrams: datagrams.length,
    withTopic: datagrams.filter((d) => d.toLowerCase().includes(`infohash: ${topicHex}`)).length,
    withInfoHash: datagrams.filter((d) => d.toLowerCase().includes(t.infoHash)).length,
    sample: datagrams[0],
    peers: b.torrentSummary(t.infoHash).peers.map((p) => p.state),
  }
} catch (e) {
  result = { ok: false, why: String(e), datagrams }
}
await a.close()
await b.close()
sniffer.close()
dir.remove()
process.stdout.write(JSON.stringify(result) + '\n')
process.exit(result.ok === true ? 0 : 1)
