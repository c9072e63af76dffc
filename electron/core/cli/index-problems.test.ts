// A group index a member cannot follow whole, end to end with real processes (issue 15): two
// `coterie run` nodes on real profiles and real files on 127.0.0.1. The owner's profile gets a
// share named with an escape sequence (what a modified client could publish); the member's
// `coterie run` says, escaped, that it did not download it and why, `coterie group show` lists it
// with the reason, and the next share the owner adds reaches the member as usual.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ProfileStore } from '../service/index.js'
import { NAME_REASONS } from '../../../shared/ui/reason-text.js'
import { forgeShare } from '../testing/forged-share.js'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { ok, runners, stop } from '../testing/cli.js'

const dir = tempDir('cli-index-problems')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})

interface Shown {
  indexVersion: number | null
  appliedVersion: number | null
  torrents: { infoHash: string; name: string }[]
  refused: { infoHash: string; name: string; reason: string }[]
}
const show = (profile: string) => JSON.parse(ok(profile, 'group', 'show', 'Club', '--json').join('\n')) as Shown
const done = (path: string, data: Buffer) => () => {
  try {
    return readFileSync(path).equals(data)
  } catch {
    return false
  }
}

describe('coterie run and group show, when an index cannot be followed whole', () => {
  it('the member says which share it left out and why, and follows the next version', async () => {
    const owner = join(dir.path, 'owner')
    const member = join(dir.path, 'member')
    const downloads = join(dir.path, 'downloads')
    const files = join(dir.path, 'files')
    const one = randomFile(files, 'one.bin', 100_000)
    ok(owner, 'friend', 'add', ok(member, 'id')[0]!, '--name', 'Bob')
    ok(owner, 'group', 'create', 'Club', '--member', 'Bob')
    ok(owner, 'share', one.path, '--group', 'Club')
    const invite = join(dir.path, 'bob.coterie')
    ok(owner, 'invite', 'Club', 'Bob', '--out', invite)
    ok(member, 'join', invite, '--download-dir', downloads)
    const ownerNode = await run(owner)
    const memberNode = await run(member, '--peer', `127.0.0.1:${ownerNode.port}`)
    await until(done(join(downloads, 'one.bin'), one.data), 60_000, 'the member to get one.bin')

    // The owner's running node publishes the forged share with a good one (it follows its profile).
    const badName = 'evil\u001b]0;pwned\u0007.bin'
    const store = await ProfileStore.open(owner)
    const bad = await forgeShare(store, 'Club', badName, join(dir.path, 'forged'))
    const two = randomFile(files, 'two.bin', 100_000)
    ok(owner, 'share', two.path, '--group', 'Club')
    await until(done(join(downloads, 'two.bin'), two.data), 60_000, 'the member to get two.bin beside it')
    const escaped = 'evil\\u001b]0;pwned\\u0007.bin'
    await until(
      () => memberNode.output().includes(`not downloaded ${bad} ${escaped}: ${NAME_REASONS.control}`),
      30_000,
      "the member's coterie run to say it left the share out, and why",
    )
    assert.ok(!memberNode.output().includes('\u001b'), 'nothing the owner named reaches the terminal raw')
    const shown = show(member)
    assert.equal(shown.appliedVersion, shown.indexVersion)
    assert.deepEqual(shown.refused, [{ infoHash: bad, name: badName, reason: NAME_REASONS.control }])
    assert.ok(!shown.torrents.some((t) => t.infoHash === bad))
    const text = ok(member, 'group', 'show', 'Club')
    assert.ok(text.includes('not downloaded (1):'))
    assert.ok(text.includes(`  ${bad}  ${escaped}: ${NAME_REASONS.control}`))

    // The next version: followed as usual.
    const three = randomFile(files, 'three.bin', 100_000)
    ok(owner, 'share', three.path, '--group', 'Club')
    await until(done(join(downloads, 'three.bin'), three.data), 60_000, 'the member to get three.bin')
    assert.ok(show(member).appliedVersion! > shown.appliedVersion!)
    assert.equal(await stop(memberNode.proc), 0)
    assert.equal(await stop(ownerNode.proc), 0)
  })
})
