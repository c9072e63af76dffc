// Per-group speed limits through the profile, with real nodes and real files on 127.0.0.1: a
// limit stored before the owner's node starts holds that group's torrent to it from the first
// byte (another group's is not held), and lifting it the way `coterie group set-limits` does
// while `run` is active (the profile changes, the control socket says reload) lets it speed up.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { callControl } from './control.js'
import { ProfileStore } from '../../profile/index.js'
import { addFriend } from '../operations/friends.js'
import { createGroup } from '../operations/groups.js'
import { setGroupLimits } from '../operations/limits.js'
import { share } from '../operations/share.js'
import { join as joinInvite, writeInvite } from '../operations/invites.js'
import type { Engine } from '../../engine/engine.js'
import { LOOPBACK, randomFile, sleep, tempDirs, until } from '../../testing/swarm.js'
import { nodeStarter, testProfile } from '../../testing/profiles.js'

const KiB = 1024
const MiB = 1024 * KiB
const LIMIT = 256 * KiB
/** Not a wait: a measurement starts past the first burst, which a rate limit lets through at once. */
const FIRST_BURST_MS = 500
const { temp, cleanup } = tempDirs()
const { start, stopAll } = nodeStarter()
after(async () => {
  await stopAll()
  cleanup()
})

const profile = (name: string) => testProfile(temp, name)
const kib = (n: number) => `${Math.round(n / KiB)} KiB/s`

async function rateOver(engine: Engine, infoHash: string, ms: number): Promise<number> {
  const d0 = engine.torrentSummary(infoHash).downloaded
  const t0 = performance.now()
  await sleep(ms)
  return ((engine.torrentSummary(infoHash).downloaded - d0) * 1000) / (performance.now() - t0)
}

describe('per-group speed limits on a running node', () => {
  it('a stored limit holds its group from the start, not the other group; lifting it over the control socket speeds it up', async (t) => {
    const [owner, member] = await Promise.all([profile('Owner'), profile('Member')])
    await addFriend(owner.store, member.key, 'Member')
    const src = temp('src')
    const files = { A: randomFile(src, 'a.bin', 8 * MiB), B: randomFile(src, 'b.bin', 8 * MiB) }
    const infoHash: Record<string, string> = {}
    for (const g of ['A', 'B'] as const) {
      await createGroup(owner.store, g, { members: ['Member'] })
      infoHash[g] = (await share(owner.store, files[g].path, g)).infoHash
      const inv = join(temp(`inv-${g}`), `${g}.coterie`)
      await writeInvite(owner.store, g, 'Member', inv)
      await joinInvite(member.store, inv, member.downloads)
    }
    assert.deepEqual(await setGroupLimits(owner.store, 'A', { upload: LIMIT }), { upload: LIMIT, download: null })

    const ownerNode = await start(owner.store)
    const swarmA = hexToBytes(owner.store.current.groups.find((g) => g.name === 'A')!.swarmPublicKey)
    assert.deepEqual(
      ownerNode.engine.groupLimits(swarmA),
      { upload: LIMIT, download: undefined },
      "the profile's limit is in the engine at start",
    )
    const startB = performance.now()
    const memberNode = await start(member.store, [`${LOOPBACK}:${ownerNode.port}`])
    const m = memberNode.engine
    await until(() => m.has(infoHash.B!) && m.torrentSummary(infoHash.B!).progress === 1, 60_000, 'B to complete')
    const rateB = (files.B.data.length * 1000) / (performance.now() - startB)
    await until(
      () => m.has(infoHash.A!) && m.torrentSummary(infoHash.A!).downloaded > 0,
      20_000,
      'the first blocks of A',
    )

    await sleep(FIRST_BURST_MS)
    const limited = await rateOver(m, infoHash.A!, 3_000)
    assert.ok(limited < 2 * LIMIT, `A came at ${kib(limited)} with a ${kib(LIMIT)} limit`)
    assert.ok(limited > LIMIT / 4, `A still moves under its limit (${kib(limited)})`)
    assert.ok(rateB > 4 * limited, `B is not held to A's limit: B ${kib(rateB)}, A ${kib(limited)}`)

    // What `coterie group set-limits A --upload none` does while `run` is active.
    await setGroupLimits(owner.store, 'A', { upload: null })
    const answer = await callControl(owner.store.dir, 'reload')
    assert.equal(answer?.ok, true, JSON.stringify(answer))
    assert.deepEqual(ownerNode.engine.groupLimits(swarmA), { upload: undefined, download: undefined })
    const d0 = m.torrentSummary(infoHash.A!).downloaded
    const t0 = performance.now()
    await until(() => m.torrentSummary(infoHash.A!).progress === 1, 60_000, 'A to complete once its limit is lifted')
    const lifted = ((files.A.data.length - d0) * 1000) / (performance.now() - t0)
    t.diagnostic(`limit ${kib(LIMIT)}: A ${kib(limited)}, B ${kib(rateB)}, A lifted ${kib(lifted)}`)
    assert.ok(lifted > 4 * limited, `without the limit A sped up: ${kib(lifted)} after ${kib(limited)}`)
  })

  it('refuses a limit that is not a positive whole number of bytes per second, and changes nothing', async () => {
    const { store } = await profile('Refuser')
    await createGroup(store, 'Club')
    await setGroupLimits(store, 'Club', { download: 1000 })
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      await assert.rejects(
        setGroupLimits(store, 'Club', { upload: 5, download: bad }),
        (e: Error & { code?: string }) => e.code === 'bad-limit' && /download limit/.test(e.message),
      )
    }
    const g = (await store.read()).groups[0]!
    assert.deepEqual([g.uploadLimit, g.downloadLimit], [undefined, 1000], 'nothing changed')
    await assert.rejects(
      setGroupLimits(store, 'Nope', { upload: 5 }),
      (e: Error & { code?: string }) => e.code === 'unknown-group',
    )
  })

  it('a profile whose limit was hand-edited into nonsense is refused, saying where', async () => {
    const { store } = await profile('Hand-edited')
    await createGroup(store, 'Club')
    await setGroupLimits(store, 'Club', { upload: 1000 })
    const file = join(store.dir, 'profile.json')
    const text = readFileSync(file, 'utf8')
    assert.match(text, /"uploadLimit": 1000/)
    writeFileSync(file, text.replace(/"uploadLimit": 1000/, '"uploadLimit": -1'))
    await assert.rejects(ProfileStore.open(store.dir), (e: Error) => /groups\[0\]\.uploadLimit/.test(e.message))
  })
})
