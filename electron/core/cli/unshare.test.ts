// `coterie unshare` (issue 17), end to end with real processes: two `coterie run` nodes on real
// profiles and real files on 127.0.0.1. Bad input (an unknown item or group, a member's attempt) is
// refused with a sentence on stderr and exit 1, changing nothing; the owner's unshare stops its own
// seeding at once, and the member's running node, on the next group index alone, stops listing and
// seeding the item while the file it downloaded stays on disk, byte for byte.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { coterie, ok, runners, stop } from '../testing/cli.js'

const dir = tempDir('cli-unshare')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})

interface Status {
  running: boolean
  torrents: { infoHash: string; name: string; state: string; progress: number; rendezvous?: true }[]
}
const status = (profile: string) => JSON.parse(ok(profile, 'status', '--json').join('\n')) as Status
const shares = (profile: string) => status(profile).torrents.filter((t) => t.rendezvous !== true)
const listed = (profile: string) =>
  (
    JSON.parse(ok(profile, 'group', 'show', 'Club', '--json').join('\n')) as {
      torrents: { infoHash: string }[]
    }
  ).torrents.map((t) => t.infoHash)
const state = (profile: string) => readFileSync(join(profile, 'profile.json'))

describe('coterie unshare', () => {
  const owner = join(dir.path, 'owner')
  const member = join(dir.path, 'member')
  const downloads = join(dir.path, 'downloads')
  const files = join(dir.path, 'files')
  const one = randomFile(files, 'one.bin', 300_000)
  const two = randomFile(files, 'two.bin', 200_000)
  let ihOne = ''
  let ihTwo = ''

  it('refuses an unknown item, an unknown group and a member, saying so, and changes nothing', () => {
    ok(owner, 'friend', 'add', ok(member, 'id')[0]!, '--name', 'Bob')
    ok(owner, 'group', 'create', 'Club', '--member', 'Bob')
    ihOne = ok(owner, 'share', one.path, '--group', 'Club').at(-1)!
    ihTwo = ok(owner, 'share', two.path, '--group', 'Club').at(-1)!
    const invite = join(dir.path, 'bob.coterie')
    ok(owner, 'invite', 'Club', 'Bob', '--out', invite)
    ok(member, 'join', invite, '--download-dir', downloads)
    const before = state(owner)

    const unknown = coterie(owner, 'unshare', 'three.bin', '--group', 'Club')
    assert.equal(unknown.code, 1)
    assert.equal(
      unknown.stderr,
      'coterie: The group shares nothing by that name or infohash. "Club" has no "three.bin".\n',
    )
    assert.equal(unknown.stdout, '')
    // An infohash of another torrent, or none at all, is unknown the same way.
    assert.equal(coterie(owner, 'unshare', 'ab'.repeat(20), '--group', 'Club').code, 1)
    const noGroup = coterie(owner, 'unshare', 'one.bin', '--group', 'Poems')
    assert.equal(noGroup.code, 1)
    assert.equal(noGroup.stderr, 'coterie: No group by that name. "Poems"\n')
    assert.match(coterie(owner, 'unshare', 'one.bin').stderr, /required option '--group <group>'/)
    assert.ok(state(owner).equals(before), "the owner's profile.json is untouched by every refusal")

    const memberBefore = state(member)
    const notOwner = coterie(member, 'unshare', ihOne, '--group', 'Club')
    assert.equal(notOwner.code, 1)
    assert.match(
      notOwner.stderr,
      /^coterie: Only the group's owner can do this \(it needs the group's key\)\. "Club" was shared with you/,
    )
    assert.ok(state(member).equals(memberBefore), "the member's profile.json is untouched")
  })

  it("the owner unshares while both nodes run: the member's node stops listing and seeding it by itself; its file stays", async () => {
    const ownerNode = await run(owner)
    const memberNode = await run(member, '--peer', `127.0.0.1:${ownerNode.port}`)
    await until(
      () => shares(member).length === 2 && shares(member).every((t) => t.progress === 1),
      60_000,
      'the member to download both files',
    )
    assert.ok(readFileSync(join(downloads, 'one.bin')).equals(one.data))

    // By name, in another case than shared (names compare as a case-insensitive disk would).
    const said = ok(owner, 'unshare', 'ONE.bin', '--group', 'Club')
    assert.equal(said.length, 1)
    assert.match(
      said[0]!,
      /^removed one\.bin from Club: members' nodes stop listing and seeding it as the new index reaches them; what they downloaded stays theirs, and your files stay in /,
    )
    // The owner's running node followed the command at once.
    assert.deepEqual(
      shares(owner).map((t) => t.infoHash),
      [ihTwo],
      "the owner's node stopped seeding it with the command",
    )
    assert.deepEqual(listed(owner), [ihTwo], "the owner's group lists only the other share")

    // The member was told nothing but the new index.
    await until(
      () => !shares(member).some((t) => t.infoHash === ihOne),
      30_000,
      "the member's node to stop seeding the retracted share",
    )
    await until(() => !listed(member).includes(ihOne), 10_000, "the member's group to stop listing it")
    const left = shares(member)
    assert.deepEqual(
      left.map((t) => [t.infoHash, t.state]),
      [[ihTwo, 'seeding']],
      'the other share carries on',
    )
    assert.ok(readFileSync(join(downloads, 'one.bin')).equals(one.data), "the member's copy stays, byte for byte")
    assert.ok(readFileSync(one.path).equals(one.data), "the owner's file stays")
    assert.ok(
      !(JSON.parse(state(member).toString()) as { torrents: { infoHash: string }[] }).torrents.some(
        (t) => t.infoHash === ihOne,
      ),
      "the member's profile no longer holds it: a restart does not bring it back",
    )
    assert.equal(await stop(memberNode.proc), 0)
    assert.equal(await stop(ownerNode.proc), 0)
  })
})
