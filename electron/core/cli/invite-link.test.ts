// Invites as text, end to end with real processes: the owner prints a link (`invite --link`), the
// friend pipes it into `join -` and gets the file from the owner's real node; a link cut short on
// the way, or a truncated file on stdin, is called damaged; stdin is read to a bound.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { coterie, ok, runners, stop, type CliResult } from '../testing/cli.js'
import { INVITE_LINK_PREFIX, readInviteText } from '../../../shared/invite-link.js'
import { INVITE_REASONS } from '../../../shared/ui/reason-text.js'

const BIN = new URL('./coterie.mjs', import.meta.url).pathname
const dir = tempDir('cli-invite-link')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})

/** One `coterie` process with `input` on its stdin. */
function withStdin(input: string | Uint8Array, profile: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, '--profile', profile, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const status = (profile: string) =>
  JSON.parse(ok(profile, 'status', '--json').join('\n')) as { torrents: { progress: number }[] }

describe('coterie invite --link and join -', () => {
  const owner = join(dir.path, 'owner')
  const member = join(dir.path, 'member')
  const stranger = join(dir.path, 'stranger')
  const downloads = join(dir.path, 'downloads')

  it('the link is the file, as text; the friend joins from stdin and gets the file from a real node', async () => {
    mkdirSync(downloads, { recursive: true })
    const film = randomFile(join(dir.path, 'files'), 'film.bin', 300_000)
    ok(owner, 'friend', 'add', ok(member, 'id')[0]!, '--name', 'Bob')
    ok(owner, 'group', 'create', 'Film club', '--member', 'Bob')
    ok(owner, 'share', film.path, '--group', 'Film club')
    const file = join(dir.path, 'bob.coterie')
    const both = coterie(owner, 'invite', 'Film club', 'Bob', '--out', file, '--link')
    assert.equal(both.code, 0, both.stderr)
    const lines = both.stdout.trim().split('\n')
    assert.equal(lines.length, 1, 'the link alone on stdout (the "wrote" line goes to stderr)')
    assert.ok(lines[0]!.startsWith(INVITE_LINK_PREFIX))
    assert.match(both.stderr, /wrote .*bob\.coterie/)
    const read = readInviteText(lines[0]!)
    assert.ok(read.ok && Buffer.from(read.value).equals(readFileSync(file)), 'the link carries the file’s bytes')

    const [link] = ok(owner, 'invite', 'Film club', 'Bob', '--link')
    // As private as the file: sealed to Bob, so a stranger who gets the link cannot open it.
    const refused = withStdin(`${link}\n`, stranger, 'join', '-', '--download-dir', downloads)
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /made for someone else/)

    // Pasted from a chat message into stdin, words around it.
    const joined = withStdin(
      `Hi Bob, here is the invite:\n${link}\nsee you\n`,
      member,
      'join',
      '-',
      '--download-dir',
      downloads,
    )
    assert.equal(joined.code, 0, joined.stderr)
    assert.match(joined.stdout, /group "Film club"/)
    const ownerNode = await run(owner)
    const memberNode = await run(member, '--peer', `127.0.0.1:${ownerNode.port}`)
    await until(() => status(member).torrents[0]?.progress === 1, 60_000, 'the member to have the file')
    const got = readFileSync(join(downloads, 'film.bin'))
    assert.ok(got.equals(film.data), 'byte-identical')
    await stop(memberNode.proc)
    await stop(ownerNode.proc)
  })

  it('join - takes an invite file’s bytes, and join takes a link as its argument', () => {
    const member2 = join(dir.path, 'member2')
    ok(owner, 'friend', 'add', ok(member2, 'id')[0]!, '--name', 'Carol')
    const file = join(dir.path, 'carol.coterie')
    ok(owner, 'invite', 'Film club', 'Carol', '--out', file)
    const fromBytes = withStdin(readFileSync(file), member2, 'join', '-', '--download-dir', join(dir.path, 'dl2'))
    assert.equal(fromBytes.code, 0, fromBytes.stderr)
    const [link] = ok(owner, 'invite', 'Film club', 'Carol', '--link')
    ok(member2, 'join', link!, '--download-dir', join(dir.path, 'dl2')) // joining again renews
  })

  it('a cut-short link or file is damaged, not "not an invite"; other text is not an invite', () => {
    const [link] = ok(owner, 'invite', 'Film club', 'Bob', '--link')
    const file = join(dir.path, 'again.coterie')
    ok(owner, 'invite', 'Film club', 'Bob', '--out', file)
    const bytes = readFileSync(file)
    for (const input of [link!.slice(0, Math.floor(link!.length / 2)), bytes.subarray(0, bytes.length - 10)]) {
      const r = withStdin(input, member, 'join', '-')
      assert.equal(r.code, 1)
      assert.ok(r.stderr.includes(INVITE_REASONS.damaged), r.stderr)
    }
    writeFileSync(join(dir.path, 'cut.coterie'), bytes.subarray(0, 100))
    assert.ok(coterie(member, 'join', join(dir.path, 'cut.coterie')).stderr.includes(INVITE_REASONS.damaged))
    const plain = withStdin('just some words\n', member, 'join', '-')
    assert.equal(plain.code, 1)
    assert.ok(plain.stderr.includes(INVITE_REASONS['not-an-invite']), plain.stderr)
  })

  it('stdin is read to a bound: more than any invite is refused as oversize, without reading it all', () => {
    // 17 MiB of zeros (MAX_INVITE_BYTES is 16 MiB), as `coterie join - < /dev/zero` would give.
    const r = withStdin(new Uint8Array(17 * 1024 * 1024), member, 'join', '-')
    assert.equal(r.code, 1)
    assert.ok(r.stderr.includes(INVITE_REASONS.oversize), r.stderr)
  })

  it('invite says where it goes: neither --out nor --link is refused', () => {
    const r = coterie(owner, 'invite', 'Film club', 'Bob')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /--out FILE, --link/)
  })
})
