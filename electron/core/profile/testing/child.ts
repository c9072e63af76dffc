/**
 * A second process working on a profile, for the crash and concurrency tests. Run with
 * `node --import tsx child.ts <mode> <dir> [...]`. Tests only.
 *
 *   churn <dir> <keys>   after a line on stdin, rewrites large, changing data as fast as it can,
 *                        printing each committed step
 *   increment <dir> <tag> <n>  after a line on stdin, adds n friends and counts them in displayName
 *   hold <dir>           takes the lock, prints "holding", and never lets go
 *   exit <dir>           calls process.exit() while holding the lock
 *   hang <dir>           takes the lock, prints "holding", then blocks its event loop for good (a hung holder)
 *   writes <dir>         one of each kind of write (crash.test.ts kills it at each named point), printing
 *                        each step once it is done: "group" (an update staging an info file), "resume" (a
 *                        resume record), "index" (a group index), "replaced" (an update dropping a torrent)
 */
import { createInterface } from 'node:readline'
import { bytesToHex } from '../../protocol/bytes.js'
import { keyPair } from '../../testing/fixtures.js'
import { layoutOfInfo } from '../../protocol/torrent-info.js'
import { fullBitfield, saveResume } from '../resume.js'
import { ProfileStore } from '../store.js'
import { churnKeysFromText, churnStep } from './churn.js'
import { scenarioGroup, scenarioInfo, SCENARIO_INDEX } from './scenario.js'

const [mode, dir, ...rest] = process.argv.slice(2)
if (dir === undefined) throw new Error('usage: child.ts <mode> <dir> ...')
const store = await ProfileStore.open(dir)

const go = () => {
  process.stdout.write('ready\n')
  return new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()))
}

if (mode === 'churn') {
  const keys = churnKeysFromText(rest[0]!)
  await store.read() // warm up: the first validation of the keys is the slow one
  await go()
  for (;;) {
    const { result } = await store.update((draft, ctx) => churnStep(draft, ctx, keys))
    process.stdout.write(`${result}\n`)
  }
} else if (mode === 'increment') {
  const [tag, count] = rest
  const n = Number(count)
  const keys = Array.from({ length: n }, (_, i) => bytesToHex(keyPair(`increment ${tag} ${i}`).publicKey))
  await go()
  process.stdout.write(`start ${Date.now()}\n`)
  for (let i = 0; i < n; i++) {
    await store.update((draft) => {
      draft.friends.push({ name: `${tag}-${i}`, publicKey: keys[i]!, addedAt: new Date().toISOString() })
      draft.displayName = String(Number(draft.displayName) + 1)
    })
  }
  process.stdout.write(`done ${Date.now()}\n`)
  process.exit(0)
} else if (mode === 'hold') {
  await store.update(async (draft) => {
    draft.displayName = 'written by a holder that never finished'
    process.stdout.write('holding\n')
    await new Promise(() => setInterval(() => {}, 60_000)) // alive until killed
  })
} else if (mode === 'hang') {
  await store.update(() => {
    process.stdout.write('holding\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0))
    return new Promise(() => {})
  })
} else if (mode === 'writes') {
  const group = scenarioGroup()
  const step = (name: string) => process.stdout.write(`${name}\n`)
  let first = ''
  await store.update((draft, ctx) => {
    draft.groups.push(group)
    first = ctx.putTorrentInfo(scenarioInfo(1))
    draft.torrents.push(scenarioTorrent(first, 'first'))
  })
  step('group')
  const layout = layoutOfInfo(scenarioInfo(1))!
  if (!(await saveResume(store.layout, first, '/tmp', layout, fullBitfield(layout.pieces), { flush: false })))
    throw new Error('no resume record written')
  step('resume')
  await store.putGroupIndex(group.swarmPublicKey, SCENARIO_INDEX)
  step('index')
  await store.update((draft, ctx) => {
    draft.torrents = [scenarioTorrent(ctx.putTorrentInfo(scenarioInfo(2)), 'second')]
  })
  step('replaced')
  process.exit(0)
} else if (mode === 'exit') {
  await store.update(() => process.exit(0))
} else {
  throw new Error(`unknown mode ${mode}`)
}

function scenarioTorrent(infoHash: string, name: string) {
  return { infoHash, groupId: 'scenario', name, downloadDir: '/tmp', addedAt: new Date().toISOString(), paused: false }
}
