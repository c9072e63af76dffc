// `coterie group remove`: real processes and real profiles. Bad input (an unknown group, an owned
// group without --yes) is refused with a sentence on stderr and exit 1, changing nothing; a member
// leaves at once, the owner deletes with --yes; a running node follows the command at once.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { coterie, ok, runners } from '../testing/cli.js'

const dir = tempDir('cli-remove-group')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})
const state = (profile: string) => readFileSync(join(profile, 'profile.json'))
const groups = (profile: string) =>
  (JSON.parse(ok(profile, 'group', 'list', '--json').join('\n')) as { name: string }[]).map((g) => g.name)
const live = (profile: string) =>
  JSON.parse(ok(profile, 'status', '--json').join('\n')) as { running: boolean; torrents: { infoHash: string }[] }

describe('coterie group remove', () => {
  const owner = join(dir.path, 'owner')
  const member = join(dir.path, 'member')
  const downloads = join(dir.path, 'downloads')
  let infoHash = ''

  it('refuses an unknown group and an owned group without --yes, saying what would be lost, and changes nothing', () => {
    ok(owner, 'group', 'create', 'Books')
    const file = randomFile(join(dir.path, 'files'), 'chapter-1.txt', 20_000)
    infoHash = ok(owner, 'share', file.path, '--group', 'Books').at(-1)!
    const before = state(owner)

    const unknown = coterie(owner, 'group', 'remove', 'Poems')
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr, 'coterie: No group by that name. "Poems"\n')
    assert.equal(unknown.stdout, '')

    const owned = coterie(owner, 'group', 'remove', 'Books')
    assert.equal(owned.code, 1)
    assert.match(
      owned.stderr,
      /^coterie: You own this group: deleting it destroys its key, so no one can renew their membership or get anything new in it, and it cannot be undone\. "Books" was not deleted: add --yes to delete it\.\n$/,
    )
    assert.equal(owned.stdout, '')
    assert.ok(state(owner).equals(before), 'profile.json untouched by both refusals')
    assert.deepEqual(groups(owner), ['Books'])

    const missing = coterie(owner, 'group', 'remove')
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /missing required argument 'group'/)
    assert.ok(state(owner).equals(before))
  })

  it('a member leaves while its node runs: the node drops the group at once and the downloaded file stays', async () => {
    const key = ok(member, 'id')[0]!
    ok(owner, 'friend', 'add', key, '--name', 'Bob')
    ok(owner, 'group', 'add-member', 'Books', 'Bob')
    const invite = join(dir.path, 'books.coterie')
    ok(owner, 'invite', 'Books', 'Bob', '--out', invite)
    ok(member, 'join', invite, '--download-dir', downloads)

    const { proc } = await run(member)
    await until(
      () => live(member).torrents.some((t) => t.infoHash === infoHash),
      20_000,
      'the running node to hold the share',
    )
    // A file in the group's download folder (the node test checks a real download): it must stay.
    // The folder exists once something is written there (nothing is downloaded here: the owner is not running).
    const kept = join(downloads, 'mine.txt')
    mkdirSync(downloads, { recursive: true })
    writeFileSync(kept, 'kept')

    const left = ok(member, 'group', 'remove', 'Books')
    assert.equal(left.length, 1)
    assert.match(left[0]!, /^left Books: your certificate and the group's secret are gone; the files stay in /)
    const now = live(member)
    assert.equal(now.running, true)
    assert.deepEqual(now.torrents, [], 'the running node dropped the share and the rendezvous with the command')
    assert.deepEqual(groups(member), [])
    assert.equal(readFileSync(kept, 'utf8'), 'kept')
    assert.ok(!existsSync(join(member, 'torrents', `${infoHash}.info`)))
    proc.kill('SIGTERM')
  })

  it('the owner deletes with --yes', () => {
    const deleted = ok(owner, 'group', 'remove', 'books', '--yes')
    assert.match(
      deleted[0]!,
      /^deleted Books: no one can renew a membership or share in it again; members keep what they have; the files stay in /,
    )
    assert.deepEqual(groups(owner), [])
    assert.ok(existsSync(join(dir.path, 'files', 'chapter-1.txt')), 'the shared file stays')
  })
})
