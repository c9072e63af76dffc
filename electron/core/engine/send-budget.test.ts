/**
 * The send budget on real bittorrent-protocol wires, seeder to leecher, with a valve between them
 * standing for a slow link: while the leecher takes nothing, the seeder reads no more blocks from
 * its file than the budget holds; when the link opens, every block arrives intact; a cancelled or
 * choked request that was waiting is never read. Without the budget the same leecher makes the
 * seeder read every block at once (the control that shows the test can fail).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Wire from 'bittorrent-protocol'
import { Transform, pipeline } from 'streamx'
import { budgetWire, type SendBudget } from './send-budget.js'
import { eventually, onceWithin } from '../testing/wait.js'

const BLOCK = 16 * 1024
const BLOCKS = 64
const BUDGET = 4 * BLOCK
const WAIT_MS = 20_000

interface Link {
  seeder: Wire
  leecher: Wire
  budget: SendBudget | undefined
  /** Blocks the seeder read from its file. */
  reads: () => number
  open: () => void
  file: Uint8Array
  close: () => void
}

/** A seeder wire answering requests from a real file, a leecher wire, and a closed valve between. */
async function link(withBudget: boolean): Promise<Link> {
  const dir = mkdtempSync(join(tmpdir(), 'coterie-budget-'))
  const file = randomBytes(BLOCKS * BLOCK)
  const path = join(dir, 'data.bin')
  writeFileSync(path, file)
  const fd = openSync(path, 'r')
  const seeder = new Wire()
  const leecher = new Wire()
  const budget = withBudget ? budgetWire(seeder, { budget: BUDGET }) : undefined
  let reads = 0
  seeder.on(
    'request',
    (index: number, offset: number, length: number, cb: (e: Error | null, b?: Uint8Array) => void) => {
      reads++
      const buf = Buffer.alloc(length)
      readSync(fd, buf, 0, length, index * BLOCK + offset)
      setImmediate(() => cb(null, buf)) // a store answers asynchronously
    },
  )
  // The valve: holds every chunk (and so, by backpressure, the seeder's stream) until opened.
  let opened = false
  const waiting: (() => void)[] = []
  const valve = new Transform({
    transform(chunk: Uint8Array, cb: (e: Error | null, c?: Uint8Array) => void) {
      if (opened) cb(null, chunk)
      else waiting.push(() => cb(null, chunk))
    },
  })
  pipeline(seeder as never, valve, leecher as never)
  leecher.pipe(seeder)
  const infoHash = 'aa'.repeat(20)
  const unchoked = onceWithin(leecher, 'unchoke', WAIT_MS, 'the leecher unchoked')
  seeder.handshake(infoHash, '01'.repeat(20))
  leecher.handshake(infoHash, '02'.repeat(20))
  seeder.unchoke()
  // The handshake and unchoke pass the valve only once it is open: open it for them, then close it.
  opened = true
  await unchoked
  opened = false
  return {
    seeder,
    leecher,
    budget,
    reads: () => reads,
    open: () => {
      opened = true
      for (const go of waiting.splice(0)) go()
    },
    file,
    close: () => {
      seeder.destroy()
      leecher.destroy()
      closeSync(fd)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function requestAll(l: Link, blocks: number[]): Promise<Uint8Array>[] {
  return blocks.map(
    (i) =>
      new Promise((resolve, reject) =>
        l.leecher.request(i, 0, BLOCK, (err: Error | null, buf?: Uint8Array) => (err ? reject(err) : resolve(buf!))),
      ),
  )
}

/** Lets the seeder settle: reads stop growing for a few event-loop turns. */
async function settle(l: Link): Promise<void> {
  let last = -1
  await eventually(
    () => {
      const same = l.reads() === last
      last = l.reads()
      return same
    },
    WAIT_MS,
    'the seeder to stop reading',
    100,
  )
}

test('a seeder behind a slow link reads no more than its send budget, then sends every block intact', async () => {
  const l = await link(true)
  try {
    const blocks = requestAll(
      l,
      Array.from({ length: BLOCKS }, (_, i) => i),
    )
    await eventually(() => l.reads() > 0, WAIT_MS, 'the first read')
    await settle(l)
    // The budget, plus what the valve's and the wire's stream buffers took before pushing back.
    const bound = BUDGET / BLOCK + 4
    assert.ok(l.reads() <= bound, `read ${l.reads()} blocks behind a closed link (bound ${bound})`)
    assert.ok(l.budget!.queuedBytes <= BUDGET + BLOCK + 64, `queued ${l.budget!.queuedBytes} bytes`)
    assert.ok(l.budget!.waitingRequests >= BLOCKS - bound, 'the rest wait as requests')
    l.open()
    const got = await Promise.all(blocks)
    got.forEach((b, i) => assert.deepEqual(Buffer.from(b), Buffer.from(l.file.subarray(i * BLOCK, (i + 1) * BLOCK))))
    assert.equal(l.reads(), BLOCKS)
    assert.equal(l.budget!.waitingRequests, 0)
  } finally {
    l.close()
  }
})

test('without the budget the same leecher makes the seeder read every block at once (control)', async () => {
  const l = await link(false)
  try {
    const blocks = requestAll(
      l,
      Array.from({ length: BLOCKS }, (_, i) => i),
    )
    await eventually(() => l.reads() === BLOCKS, WAIT_MS, 'every block read behind a closed link')
    l.open()
    await Promise.all(blocks)
  } finally {
    l.close()
  }
})

test('a waiting request that is cancelled, or whose peer is choked, is never read', async () => {
  const l = await link(true)
  try {
    const blocks = requestAll(
      l,
      Array.from({ length: BLOCKS }, (_, i) => i),
    )
    for (const p of blocks) p.catch(() => {})
    await eventually(() => l.reads() > 0, WAIT_MS, 'the first read')
    await settle(l)
    const before = l.reads()
    // The last block's request is still waiting: cancel it.
    const waiting = l.budget!.waitingRequests
    l.leecher.cancel(BLOCKS - 1, 0, BLOCK)
    await eventually(() => l.budget!.waitingRequests === waiting - 1, WAIT_MS, 'the cancel to reach the seeder')
    // Choking drops the rest (without BEP 6 a choke cancels every request): none is read.
    l.seeder.choke()
    l.open()
    await eventually(() => l.budget!.waitingRequests === 0, WAIT_MS, 'the waiting requests to go')
    await settle(l)
    assert.equal(l.reads(), before, 'no block read for a cancelled or choked request')
  } finally {
    l.close()
  }
})
