/**
 * A second process working on a profile, for the crash and concurrency tests. Run with
 * `node --import tsx child.ts <mode> <dir> [...]`. Tests only.
 *
 *   churn <dir> <keys>   after a line on stdin, rewrites large, changing data as fast as it can,
 *                        printing each committed step
 *   increment <dir> <tag> <n>  after a line on stdin, adds n friends and counts them in displayName
 *   hold <dir>           takes the lock, prints "holding", and never lets go
 *   exit <dir>           calls process.exit() while holding the lock
 */
import { createInterface } from 'node:readline'
import { bytesToHex } from '../../protocol/bytes.js'
import { keyPair } from '../../testing/fixtures.js'
import { ProfileStore } from '../store.js'
import { churnKeysFromText, churnStep } from './churn.js'

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
} else if (mode === 'exit') {
  await store.update(() => process.exit(0))
} else {
  throw new Error(`unknown mode ${mode}`)
}
