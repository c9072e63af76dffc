// Destroyed means destroyed (issue 20), with real `coterie` processes on a real profile: after
// `coterie group remove D --yes`, and after that command is killed at each named point of its
// writes (profile/crash-points.ts) and the next command started, no file anywhere in the profile
// folder holds D's swarm secret key or group secret, in any encoding the profile uses; the other
// group, its share and their files are all still there.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { randomFile, tempDir } from '../testing/swarm.js'
import { CRASH_ENV, ok } from '../testing/cli.js'

const BIN = new URL('./coterie.mjs', import.meta.url).pathname
const dir = tempDir('cli-crash')
after(() => dir.remove())

function coterieWith(env: Record<string, string>, profile: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  })
  return { code: r.status, signal: r.signal, stderr: r.stderr }
}

const filesBelow = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))

/** Where the profile still holds `secret` (32 bytes): raw, as hex (either case), as base64 or base64url. */
function holders(root: string, secret: Buffer): string[] {
  const needles = [
    secret,
    Buffer.from(secret.toString('hex')),
    Buffer.from(secret.toString('hex').toUpperCase()),
    Buffer.from(secret.toString('base64').replace(/=+$/, '')),
    Buffer.from(secret.toString('base64url')),
  ]
  return filesBelow(root)
    .filter((f) => {
      const bytes = readFileSync(f)
      return needles.some((n) => bytes.includes(n))
    })
    .map((f) => relative(root, f))
}

interface GroupInfo {
  name: string
  swarmSecretKey?: string
  groupSecret: string
}
const groupsOf = (profile: string): GroupInfo[] =>
  (JSON.parse(readFileSync(join(profile, 'profile.json'), 'utf8')) as { groups: GroupInfo[] }).groups

describe('destroyed means destroyed', () => {
  const template = join(dir.path, 'template')
  let secrets: Buffer[] = []
  let kept = ''

  it('sets up a profile with a group to delete and a group to keep, each with a share', () => {
    ok(template, 'group', 'create', 'D')
    ok(template, 'group', 'create', 'Keep')
    ok(template, 'share', randomFile(join(dir.path, 'files'), 'd.bin', 40_000).path, '--group', 'D')
    kept = ok(template, 'share', randomFile(join(dir.path, 'files'), 'keep.bin', 40_000).path, '--group', 'Keep').at(
      -1,
    )!
    const d = groupsOf(template).find((g) => g.name === 'D')!
    secrets = [Buffer.from(d.swarmSecretKey!, 'hex'), Buffer.from(d.groupSecret, 'hex')]
    assert.deepEqual(holders(template, secrets[0]!), ['profile.json'], 'the key is found where it is (the grep works)')
  })

  it('leaves none of the deleted group’s key bytes after `group remove D --yes`, nor after a crash at any point of it', (t) => {
    let kills = 0
    for (let n = 1; ; n++) {
      const profile = join(dir.path, `run-${n}`)
      cpSync(template, profile, { recursive: true })
      // Killed at the n-th named point the command reaches, whichever it is; it finishes once n passes them all.
      const first = coterieWith({ [CRASH_ENV]: `any#${n}` }, profile, 'group', 'remove', 'D', '--yes')
      const context = `killed at named point #${n}`
      if (first.code === 0) {
        assert.ok(n > 1, 'the command reached no named point')
        assert.deepEqual(holders(profile, secrets[0]!), [], 'after the command: the swarm key')
        assert.deepEqual(holders(profile, secrets[1]!), [], 'after the command: the group secret')
        break
      }
      assert.equal(first.signal, 'SIGKILL', `${context}: ${first.stderr}`)
      kills++
      // The next start: the same command again (the person retries). It tidies first; if the
      // group went with the killed one, it says there is no such group, and has still tidied.
      const again = coterieWith({}, profile, 'group', 'remove', 'D', '--yes')
      assert.ok(again.code === 0 || /No group by that name/.test(again.stderr), `${context}, then: ${again.stderr}`)
      assert.deepEqual(holders(profile, secrets[0]!), [], `${context}: the swarm key`)
      assert.deepEqual(holders(profile, secrets[1]!), [], `${context}: the group secret`)
      // Nothing else lost: the other group, its share, its info and resume files.
      assert.deepEqual(
        groupsOf(profile).map((g) => g.name),
        ['Keep'],
        context,
      )
      const torrents = readdirSync(join(profile, 'torrents')).sort()
      assert.deepEqual(torrents, [`${kept}.info`, `${kept}.resume`], `${context}: torrents/`)
      assert.ok(
        !readdirSync(profile).some((f) => f.startsWith('coterie.lock') || f.endsWith('.tmp')),
        `${context}: ${readdirSync(profile).join(' ')}`,
      )
    }
    assert.ok(kills >= 8, `the command was killed at ${kills} points`)
    t.diagnostic(`killed at ${kills} named points`)
  })

  it('a lock left on another machine: commands say whose it is at once; `coterie unlock` asks, then clears it', () => {
    const profile = join(dir.path, 'unlock')
    ok(profile, 'group', 'create', 'G')
    assert.deepEqual(ok(profile, 'unlock'), [`the profile ${profile} is not locked`])
    const lock = join(profile, 'coterie.lock')
    mkdirSync(lock)
    const since = '2026-11-30T08:00:00.000Z'
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: 4242, host: 'nas.example', token: 'x', since }))
    const then = new Date(Date.now() - 3_600_000)
    utimesSync(lock, then, then)

    const blocked = coterieWith({}, profile, 'group', 'create', 'H')
    assert.equal(blocked.code, 1)
    assert.match(blocked.stderr, /pid 4242, on nas\.example\) has held the lock .* since 2026-11-30T08:00:00\.000Z\./)
    assert.match(blocked.stderr, /coterie unlock/)
    assert.doesNotMatch(blocked.stderr, /ENOTEMPTY|EEXIST/)

    const unconfirmed = coterieWith({}, profile, 'unlock') // not a terminal: no one to ask
    assert.equal(unconfirmed.code, 1)
    assert.match(unconfirmed.stderr, /not removed: confirm with --yes/)
    assert.ok(existsSync(lock))

    assert.match(ok(profile, 'unlock', '--yes')[0]!, /^removed the lock of Coterie pid 4242 on nas\.example/)
    ok(profile, 'group', 'create', 'H')
    assert.deepEqual(
      groupsOf(profile).map((g) => g.name),
      ['G', 'H'],
    )
  })
})
