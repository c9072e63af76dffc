// The `coterie` CLI contract end to end: real processes, real profiles, real files, peers on
// 127.0.0.1. Each command is a fresh process, as a user or a script runs it.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomFile, tempDir, until } from '../testing/swarm.js'
import { coterie, ok, runners, stop } from '../testing/cli.js'
import { eventually } from '../testing/wait.js'
import { isNodeRunning } from '../service/index.js'

const dir = tempDir('cli')
const { run, killAll } = runners()
after(() => {
  killAll()
  dir.remove()
})

const status = (profile: string) =>
  JSON.parse(ok(profile, 'status', '--json').join('\n')) as {
    running: boolean
    torrents: { infoHash: string; progress: number; state: string; peers: { state: string; reason?: string }[] }[]
  }

interface Member {
  key: string
  name: string
  fingerprint: string
  connected: boolean
  lastSeen: string | null
  has: number
  of: number
  progress: number
}
const show = (profile: string, group: string) =>
  JSON.parse(ok(profile, 'group', 'show', group, '--json').join('\n')) as { members: Member[] }

describe('coterie CLI', () => {
  const owner = join(dir.path, 'owner')
  const member = join(dir.path, 'member')
  const stranger = join(dir.path, 'stranger')
  const files = join(dir.path, 'files')
  const downloads = join(dir.path, 'downloads')

  it('id prints the key text alone on the first line, and the fingerprint after', () => {
    const [key, fp] = ok(owner, 'id')
    assert.match(key!, /^coterie1[02-9ac-hj-np-z]{58}$/)
    assert.match(fp!, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/)
    assert.deepEqual(ok(owner, 'id'), [key, fp], 'the identity is stable')
  })

  it('refuses bad input with a clear message and a non-zero exit, changing nothing', () => {
    const key = ok(member, 'id')[0]!
    const typo = key.slice(0, 20) + (key[20] === 'q' ? 'p' : 'q') + key.slice(21)
    const cases: [string[], RegExp][] = [
      [['friend', 'add', typo, '--name', 'Bob'], /checksum/],
      [['friend', 'add', key.slice(0, 30), '--name', 'Bob'], /too short/],
      [['group', 'create', 'Film club', '--member', 'nobody'], /No friend/],
      [['share', join(files, 'missing.bin'), '--group', 'Film club'], /No such file/],
      [
        ['group', 'create', 'Film club', '--tracker', 'ftp://tracker.example/announce'],
        /udp:\/\/, http\(s\):\/\/ or ws\(s\):\/\//,
      ],
      // A raw ':' in a TURN user breaks the WebRTC library's parsing: refused, saying how to escape it.
      [['group', 'create', 'Film club', '--ice', 'turn:1767225600:alice:pw@turn.example'], /%3A/],
      [['group', 'create', 'Film club', '--ice', 'stuns:stun.example'], /stun:, turn: or turns:/],
      [['run', '--ice', 'stun:[2001:db8::1]:3478'], /IPv6/],
      [['group', 'set-trackers', 'Film club', 'udp://t.example:1'], /No group/],
    ]
    for (const [args, message] of cases) {
      const r = coterie(owner, ...args)
      assert.equal(r.code, 1, args.join(' '))
      assert.match(r.stderr, message)
    }
    assert.deepEqual(JSON.parse(ok(owner, 'friend', 'list', '--json').join('\n')), [])
    assert.deepEqual(JSON.parse(ok(owner, 'group', 'list', '--json').join('\n')), [])
  })

  it('group create --ice and group set-ice keep the owner’s STUN/TURN servers; show masks TURN passwords', () => {
    const p = join(dir.path, 'ice-owner')
    const turn = 'turn:1767225600%3Aalice:s3cr%40t@turn.example:3478?transport=tcp'
    ok(
      p,
      'group',
      'create',
      'Far away',
      '--tracker',
      'wss://t.example/announce',
      '--ice',
      'stun:stun.example',
      '--ice',
      turn,
    )
    const shown = ok(p, 'group', 'show', 'Far away').join('\n')
    assert.match(shown, /trackers: wss:\/\/t\.example\/announce/)
    assert.match(
      shown,
      /ICE servers: stun:stun\.example turn:1767225600%3Aalice:\*\*\*@turn\.example:3478\?transport=tcp/,
    )
    assert.ok(!shown.includes('s3cr'), 'the TURN password is not printed')
    assert.deepEqual(ok(p, 'group', 'set-ice', 'Far away'), ['Far away uses no ICE servers'])
    assert.doesNotMatch(ok(p, 'group', 'show', 'Far away').join('\n'), /ICE servers/)
  })

  it('owner shares a file and a folder, invites a friend; the friend joins and downloads them', async () => {
    const film = randomFile(files, 'film.bin', 2 * 1024 * 1024 + 11)
    const album = [
      randomFile(join(files, 'album'), 'a.flac', 300_000),
      randomFile(join(files, 'album', 'cd2'), 'b.flac', 200_000),
    ]
    ok(owner, 'friend', 'add', ok(member, 'id')[0]!, '--name', 'Bob')
    ok(owner, 'group', 'create', 'Film club', '--member', 'bob')
    const ihFilm = ok(owner, 'share', film.path, '--group', 'Film club').at(-1)!
    const ihAlbum = ok(owner, 'share', join(files, 'album'), '--group', 'Film club').at(-1)!
    assert.match(ihFilm, /^[0-9a-f]{40}$/)
    const invite = join(dir.path, 'bob.coterie')
    ok(owner, 'invite', 'Film club', 'Bob', '--out', invite)

    // Someone else's invite: a stranger cannot open it.
    const r = coterie(stranger, 'join', invite, '--download-dir', downloads)
    assert.equal(r.code, 1)
    assert.match(r.stderr, /made for someone else/)

    const joined = ok(member, 'join', invite, '--download-dir', downloads)
    assert.match(joined[0]!, /Film club/)
    assert.deepEqual(joined.slice(1).sort(), [ihFilm, ihAlbum].sort())

    const ownerNode = await run(owner)
    const memberNode = await run(member, '--peer', `127.0.0.1:${ownerNode.port}`)
    await until(() => status(member).torrents.every((t) => t.progress === 1), 60_000, 'the member to finish')
    assert.ok(readFileSync(join(downloads, 'film.bin')).equals(film.data))
    assert.ok(readFileSync(join(downloads, 'album', 'cd2', 'b.flac')).equals(album[1]!.data))
    const seen = status(owner)
    assert.equal(seen.running, true)
    assert.ok(
      seen.torrents.every((t) => t.peers.some((p) => p.state === 'authorized')),
      'the owner shows the member as authorized',
    )

    // Delivery per member: the owner's node saw Bob announce every piece of both shares.
    const bobKey = ok(member, 'id')[0]!
    const bobIn = (json: { members: Member[] }) => json.members.find((m) => m.key === bobKey)
    await eventually(
      () => bobIn(show(owner, 'Film club'))?.has === 2,
      30_000,
      "the owner's group show to say Bob has both items",
    )
    const live = bobIn(show(owner, 'Film club'))!
    assert.deepEqual([live.connected, live.has, live.of, live.progress], [true, 2, 2, 1])
    assert.equal(live.name, 'Bob')
    assert.match(ok(owner, 'group', 'show', 'Film club').join('\n'), /Bob\s+has all 2 items/)
    const inStatus = (
      JSON.parse(ok(owner, 'status', '--json').join('\n')) as { groups: { name: string; members: Member[] }[] }
    ).groups.find((g) => g.name === 'Film club')!
    const figures = (m: Member | undefined) => m && [m.name, m.fingerprint, m.connected, m.has, m.of, m.progress]
    assert.deepEqual(figures(bobIn(inStatus)), figures(live), 'status --json gives the same figures')
    assert.ok(bobIn(inStatus)!.lastSeen !== null, 'and when he was last seen: now')
    // The member's side: the owner, who seeds both, has all of it.
    const ownerKey = ok(owner, 'id')[0]!
    await eventually(
      () => show(member, 'Film club').members.some((m) => m.key === ownerKey && m.has === 2 && m.connected),
      30_000,
      "the member's group show to say the owner has both items",
    )

    // A command given while `run` is active takes effect in the running node.
    const extra = randomFile(files, 'extra.bin', 100_000)
    const ihExtra = ok(owner, 'share', extra.path, '--group', 'Film club').at(-1)!
    await until(
      () => status(owner).torrents.some((t) => t.infoHash === ihExtra && t.state === 'seeding'),
      15_000,
      'the running node to seed the new share',
    )

    assert.equal(await stop(memberNode.proc), 0, 'SIGTERM is a clean stop')
    assert.equal(await stop(ownerNode.proc), 0)
    assert.equal(status(owner).running, false)
    // No node running: what the owner's node last knew, from the profile's record.
    const kept = bobIn(show(owner, 'Film club'))!
    assert.equal(kept.connected, false)
    assert.ok(kept.lastSeen !== null && Date.parse(kept.lastSeen) <= Date.now(), `last seen ${kept.lastSeen}`)
    assert.ok(kept.has >= 2, `still has what it had: ${kept.has} of ${kept.of}`)
    assert.match(ok(owner, 'group', 'show', 'Film club').join('\n'), /Bob\s+not connected · last seen 20\d\d-/)
  })

  it('export-torrent writes the plain .torrent a leak would give an outsider', () => {
    const ih = status(owner).torrents[0]!.infoHash
    const out = join(dir.path, 'leak.torrent')
    ok(owner, 'export-torrent', ih, '--out', out)
    assert.ok(readFileSync(out).subarray(0, 7).equals(Buffer.from('d4:info')))
    assert.equal(coterie(owner, 'export-torrent', '00'.repeat(20), '--out', out).code, 1)
  })

  it('a restarted run resumes a partial download, keeping what is on disk', async () => {
    const owner2 = join(dir.path, 'owner2'),
      member2 = join(dir.path, 'member2'),
      dl2 = join(dir.path, 'dl2')
    mkdirSync(dl2, { recursive: true })
    const big = randomFile(join(dir.path, 'files2'), 'big.bin', 8 * 1024 * 1024)
    ok(owner2, 'friend', 'add', ok(member2, 'id')[0]!, '--name', 'Carol')
    ok(owner2, 'group', 'create', 'Backups', '--member', 'Carol')
    ok(owner2, 'share', big.path, '--group', 'Backups')
    const invite = join(dir.path, 'carol.coterie')
    ok(owner2, 'invite', 'Backups', 'Carol', '--out', invite)
    ok(member2, 'join', invite, '--download-dir', dl2)
    // ~17 s for the file: a window of about 10 s between 20 and 80 %, wide enough for status
    // calls that each start a CLI process (seconds apiece on a loaded machine).
    const ownerNode = await run(owner2, '--upload-limit', '500000')
    let memberNode = await run(member2, '--peer', `127.0.0.1:${ownerNode.port}`)
    await until(
      () => {
        const p = status(member2).torrents[0]?.progress ?? 0
        return p > 0.2 && p < 0.8
      },
      30_000,
      'a partial download',
    )
    assert.equal(await stop(memberNode.proc), 0)
    await eventually(async () => !(await isNodeRunning(member2)), 10_000, 'the stopped node to free its control socket')
    memberNode = await run(member2, '--peer', `127.0.0.1:${ownerNode.port}`)
    // Right after the restart, what was on disk counts again (verified, not fetched anew).
    await until(
      () => (status(member2).torrents[0]?.progress ?? 0) > 0.2,
      15_000,
      'the restarted node to verify what it had',
    )
    await until(() => status(member2).torrents[0]?.progress === 1, 60_000, 'the download to finish')
    assert.ok(readFileSync(join(dl2, 'big.bin')).equals(big.data))
    await stop(memberNode.proc)
    await stop(ownerNode.proc)
  })

  it('run --ui prints one line with the browser URL and its token, and serves the interface on 127.0.0.1', async () => {
    const profile = join(dir.path, 'ui')
    const node = await run(profile, '--ui')
    const line = node
      .output()
      .split('\n')
      .find((l) => l.startsWith('ui: '))
    const m = /^ui: http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43})$/.exec(line ?? '')
    assert.ok(m, `one ui line: ${node.output()}`)
    const res = await fetch(`http://127.0.0.1:${m[1]}/`)
    assert.ok(
      res.status === 200 || res.status === 503,
      `the interface or the page saying how to build it (${res.status})`,
    )
    assert.ok(res.headers.get('content-security-policy')?.includes("script-src 'self'"))
    assert.equal(await stop(node.proc), 0)
  })
})
