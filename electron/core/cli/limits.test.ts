// `coterie group set-limits` and `group show`: how a limit is typed, what is refused (with a clear
// message, a non-zero exit and the profile unchanged), and what show prints. Real processes on a
// real profile; that a running node follows is tested in service/runtime/group-limits.test.ts.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { formatRate, parseRate } from './rate.js'
import { tempDir } from '../testing/swarm.js'
import { coterie } from '../testing/cli.js'

const dir = tempDir('cli-limits')
after(() => dir.remove())

describe('speed limits as typed', () => {
  it('reads bytes per second, with binary units if given; 0 and none mean no limit', () => {
    const cases: [string, number | null][] = [
      ['262144', 262_144],
      ['256KiB', 262_144],
      ['256 KiB/s', 262_144],
      ['256kib', 262_144],
      ['2MiB', 2 * 1024 ** 2],
      ['1GiB/s', 1024 ** 3],
      ['100B', 100],
      ['100/s', 100],
      [' 7 ', 7],
      ['0', null],
      ['0KiB', null],
      ['none', null],
      ['NONE', null],
    ]
    for (const [text, want] of cases) assert.equal(parseRate(text), want, text)
  })

  it('refuses what it would have to guess at, saying how to write it', () => {
    for (const bad of ['-5', 'abc', '1.5', '10kB', '2M', '', 'KiB', '5 KiB/h', '1e6', '9999999999999999999']) {
      assert.throws(
        () => parseRate(bad),
        (e: Error & { code?: string }) => e.code === 'bad-limit' && e.message.includes('256KiB'),
        bad,
      )
    }
  })

  it('prints what it reads back', () => {
    assert.deepEqual([null, 100, 262_144, 1536, 2 * 1024 ** 2, 3 * 1024 ** 3].map(formatRate), [
      'no limit',
      '100 B/s',
      '256 KiB/s',
      '1.5 KiB/s',
      '2 MiB/s',
      '3 GiB/s',
    ])
    for (const n of [100, 262_144, 2 * 1024 ** 2]) assert.equal(parseRate(formatRate(n).replace(' ', '')), n)
  })
})

describe('coterie group set-limits', () => {
  const profile = join(dir.path, 'owner')

  it("sets, shows and lifts a group's limits; bad values are refused and change nothing", () => {
    assert.equal(coterie(profile, 'group', 'create', 'Club').code, 0)
    const set = coterie(profile, 'group', 'set-limits', 'Club', '--upload', '256KiB', '--download', '1048576')
    assert.equal(set.code, 0, set.stderr)
    assert.equal(set.stdout.trim(), 'Club: upload 256 KiB/s, download 1 MiB/s')

    const refused: [string[], RegExp][] = [
      [['--upload', '-5'], /"-5" is not one/],
      [['--upload', 'lots'], /"lots" is not one/],
      [['--download', '1.5MiB'], /"1.5MiB" is not one/],
      [[], /Give --upload, --download or both/],
    ]
    for (const [args, message] of refused) {
      const r = coterie(profile, 'group', 'set-limits', 'Club', ...args)
      assert.equal(r.code, 1, `set-limits ${args.join(' ')} was refused`)
      assert.match(r.stderr, /^coterie: Speed limits are whole numbers of bytes per second/)
      assert.match(r.stderr, message)
    }
    const unknown = coterie(profile, 'group', 'set-limits', 'Nope', '--upload', '5')
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /No group by that name/)

    const show = coterie(profile, 'group', 'show', 'Club')
    assert.ok(
      show.stdout.split('\n').includes('speed limits: upload 256 KiB/s, download 1 MiB/s'),
      `unchanged by the refusals: ${show.stdout}`,
    )

    const lift = coterie(profile, 'group', 'set-limits', 'Club', '--upload', 'none')
    assert.equal(lift.stdout.trim(), 'Club: upload no limit, download 1 MiB/s', 'only the upload limit was lifted')
    const json = JSON.parse(coterie(profile, 'group', 'show', 'Club', '--json').stdout) as {
      uploadLimit: unknown
      downloadLimit: unknown
    }
    assert.deepEqual([json.uploadLimit, json.downloadLimit], [null, 1_048_576])
  })
})

describe('coterie run --upload-limit / --download-limit', () => {
  it('refuses a cap it would have to guess at, or none, before starting anything', () => {
    const profile = join(dir.path, 'runner')
    for (const [flag, bad, message] of [
      ['--upload-limit', 'lots', /"lots" is not one/],
      ['--download-limit', '-1', /"-1" is not one/],
      ['--upload-limit', '0', /leave the option out for Settings' limit/],
      ['--download-limit', 'none', /leave the option out/],
    ] as const) {
      const r = coterie(profile, 'run', '--port', '0', '--no-dht', '--no-lsd', '--no-tracker', flag, bad)
      assert.equal(r.code, 1, `run ${flag} ${bad} was refused`)
      assert.match(r.stderr, /^coterie: Speed limits are whole numbers/)
      assert.match(r.stderr, message)
      assert.doesNotMatch(r.stdout, /listening on port/)
    }
  })
})
