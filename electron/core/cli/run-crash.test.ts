// `coterie run` killed -9 again and again in the middle of a download (issue 15, "bad days"): real
// processes on real profiles, the owner seeding at a throttled rate from its own `coterie run`, the
// member's node started and killed with SIGKILL KILLS times at moments drawn from a seeded PRNG,
// from its first milliseconds (profile load, lock, tidy) to well into the transfer. After each kill
// the next start must take the profile over without `coterie unlock`; at the end one clean run
// finishes the file byte for byte, every piece fetched before a kill that reached the disk counts,
// and the profile holds only its own files (no temporary copies, no lock left over).
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { coterie, ok, runners, stop } from '../testing/cli.js'

const BIN = new URL('./coterie.mjs', import.meta.url).pathname
/** How many times the member's node is killed: the issue asks for 50. */
const KILLS = 50
const FILE_BYTES = 24 * 1024 * 1024
/** The owner's upload rate: the file takes ~48 s, so most kills land mid-transfer. */
const UPLOAD_LIMIT = 512 * 1024
/** One kill in EARLY_SHARE lands in a node's start, within EARLY_MS of its spawn; the others mid-run. */
const EARLY_SHARE = 0.3
const EARLY_MS = 1_500
/** A mid-run kill lands within this long of the node listening (a loaded machine takes seconds to connect). */
const RUNNING_MS = 6_000
/** A start that takes longer than this to listen or die (a loaded machine starts one in ~3 s). */
const START_MS = 60_000

const dir = tempDir('run-crash')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})

/** mulberry32: the kill moments are the same on every run, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * Starts `coterie run` for `profile` and kills it -9: `ms` after it started when `early` (profile
 * load, lock, tidy, engine start), else `ms` after it said it was listening (mid-transfer).
 */
function runAndKill(
  profile: string,
  peer: string,
  early: boolean,
  ms: number,
): Promise<{ output: string; signal: string | null; listened: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [BIN, '--profile', profile, 'run', '--no-dht', '--no-lsd', '--no-tracker', '--no-port-mapping', '--peer', peer],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    let listened = false
    let kill: ReturnType<typeof setTimeout> | undefined
    const arm = () => (kill = setTimeout(() => proc.kill('SIGKILL'), ms))
    if (early) arm()
    proc.stdout.on('data', (d) => {
      output += d
      if (!listened && /listening on port/.test(output)) {
        listened = true
        if (!early) arm()
      }
    })
    proc.stderr.on('data', (d) => (output += d))
    const stuck = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`coterie run neither listened nor died within ${START_MS} ms: ${output}`))
    }, START_MS)
    proc.once('exit', (_code, signal) => {
      clearTimeout(kill)
      clearTimeout(stuck)
      resolve({ output, signal, listened })
    })
  })
}

const progressOf = (profile: string): number => {
  const s = JSON.parse(ok(profile, 'status', '--json').join('\n')) as { torrents: { progress: number }[] }
  return s.torrents[0]?.progress ?? 0
}

const filesBelow = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)))

describe('coterie run, killed -9 fifty times mid-download', () => {
  it('every restart takes the profile over, and a last clean run finishes the file byte for byte', async () => {
    const owner = join(dir.path, 'owner')
    const member = join(dir.path, 'member')
    const downloads = join(dir.path, 'downloads')
    mkdirSync(downloads, { recursive: true })
    const film = randomFile(join(dir.path, 'files'), 'film.bin', FILE_BYTES)
    ok(owner, 'friend', 'add', ok(member, 'id')[0]!, '--name', 'Bob')
    ok(owner, 'group', 'create', 'Club', '--member', 'Bob')
    ok(owner, 'share', film.path, '--group', 'Club')
    const invite = join(dir.path, 'bob.coterie')
    ok(owner, 'invite', 'Club', 'Bob', '--out', invite)
    ok(member, 'join', invite, '--download-dir', downloads)
    const ownerNode = await run(owner, '--upload-limit', String(UPLOAD_LIMIT))
    const peer = `127.0.0.1:${ownerNode.port}`

    const random = prng(15)
    const outcomes = { beforeListening: 0, whileRunning: 0 }
    for (let i = 0; i < KILLS; i++) {
      const early = random() < EARLY_SHARE
      const ms = Math.floor(random() * (early ? EARLY_MS : RUNNING_MS))
      const { output, signal, listened } = await runAndKill(member, peer, early, ms)
      const what = `kill ${i + 1} (${early ? `${ms} ms after spawn` : `${ms} ms after listening`})`
      // A start that found the profile held by the node killed before it would exit by itself with
      // `locked` (the bug this test is for): every one must have been killed, running.
      assert.equal(signal, 'SIGKILL', `${what}: it exited by itself: ${output}`)
      assert.doesNotMatch(output, /locked|unlock|Error|corrupt|damaged/i, `${what}: ${output}`)
      if (listened) outcomes.whileRunning++
      else outcomes.beforeListening++
    }
    console.log(
      `# ${KILLS} kills: ${outcomes.beforeListening} in a node's start, ${outcomes.whileRunning} while it ran`,
    )
    assert.ok(outcomes.beforeListening >= 5 && outcomes.whileRunning >= 20, JSON.stringify(outcomes))

    // What the killed nodes wrote counts: with the owner gone, the member's node finds (by
    // verifying, as no clean stop recorded it) the pieces it fetched before the kills.
    const port = ownerNode.port
    await stop(ownerNode.proc)
    let memberNode = await run(member, '--peer', peer)
    await until(() => progressOf(member) > 0.05, 60_000, 'the pieces fetched before the kills to count again')
    const kept = progressOf(member)
    assert.equal(await stop(memberNode.proc), 0)
    console.log(`# after ${KILLS} kills the member held ${(kept * 100).toFixed(1)} % of the file`)

    // A last clean run, the owner back on her port, finishes the file byte for byte.
    const ownerAgain = await run(owner, '--port', String(port))
    memberNode = await run(member, '--peer', peer)
    await until(() => progressOf(member) === 1, 180_000, 'the last clean run to finish the download')
    assert.ok(readFileSync(join(downloads, 'film.bin')).equals(film.data), 'the file, byte for byte')
    assert.equal(await stop(memberNode.proc), 0)
    await stop(ownerAgain.proc)

    // What the kills left, the starts cleared: no temporary copy and no lock in the profile.
    const left = filesBelow(member).filter((f) => /\.tmp$|\.\d+$|lock/.test(f))
    assert.deepEqual(left, [], `debris left in the profile: ${left.join(', ')}`)
    assert.equal(coterie(member, 'status').code, 0, 'the profile opens without coterie unlock')
  })
})
