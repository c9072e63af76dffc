// The CLI against input from outside and a reader that goes away: names others chose reach the
// terminal escaped, `join` reads no more than an invite's maximum whatever path it is given, and a
// closed stdout (`coterie id | head -1`) is no error. Real processes on real profiles.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../testing/swarm.js'
import { coterie, ok } from '../testing/cli.js'
import { json, line, shown } from './terminal.js'

const BIN = new URL('./coterie.mjs', import.meta.url).pathname
const dir = tempDir('cli-outside')
after(() => dir.remove())

const ESC_TITLE = '\u001b]0;pwned\u0007' // sets the terminal's title (OSC 0)
const CSI_C1 = '\u009b2J' // clears the screen where 8-bit controls are taken
const RLO = '\u202e' // right-to-left override: "photo\u202egpj.exe" reads as "photoexe.jpg"

describe('cli: terminal escaping', () => {
  it('escapes every control and bidi character of a name, and keeps the layout of a line', () => {
    assert.equal(shown(`a${ESC_TITLE}b`), 'a\\u001b]0;pwned\\u0007b')
    assert.equal(shown(`x${CSI_C1}`), 'x\\u009b2J')
    assert.equal(shown(`photo${RLO}gpj.exe`), 'photo\\u202egpj.exe')
    assert.equal(shown('tab\there\nline\u2028'), 'tab\\u0009here\\u000aline\\u2028')
    assert.equal(shown('Film club — été'), 'Film club — été', 'ordinary text is untouched')
    assert.equal(line('a\tb\nc\u001b[31m'), 'a\tb\nc\\u001b[31m')
    const value = { name: `${ESC_TITLE}${CSI_C1}${RLO}\u007f` }
    const text = json(value)
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/u.test(text), text)
    assert.deepEqual(JSON.parse(text), value, 'the JSON still parses to the very same value')
  })

  it('friend list, group list, group show and status show bidi names escaped', () => {
    const alice = join(dir.path, 'alice')
    const bob = join(dir.path, 'bob')
    const bobKey = ok(bob, 'id')[0]!
    const friendName = `Bob${RLO}gpj.exe`
    const groupName = `Club${RLO}`
    ok(alice, 'friend', 'add', bobKey, '--name', friendName)
    ok(alice, 'group', 'create', groupName, '--member', friendName)
    const outputs = [
      ok(alice, 'friend', 'list'),
      ok(alice, 'group', 'list'),
      ok(alice, 'group', 'show', groupName),
      ok(alice, 'group', 'list', '--json'),
    ].map((l) => l.join('\n'))
    for (const o of outputs) assert.ok(!o.includes(RLO), o)
    assert.match(outputs[0]!, /Bob\\u202egpj\.exe/)
    assert.match(outputs[1]!, /Club\\u202e/)
    assert.match(outputs[2]!, /Club\\u202e/)
    assert.equal((JSON.parse(outputs[3]!) as { name: string }[])[0]!.name, groupName)
  })
})

describe('cli: join reads at most an invite', () => {
  it('refuses /dev/zero and a FIFO at once with a clear error', (t) => {
    if (!existsSync('/dev/zero')) return t.skip('no /dev/zero on this system')
    const profile = join(dir.path, 'joiner')
    const zero = coterie(profile, 'join', '/dev/zero')
    // Before the bound, this read until memory ran out (5.4 GB): spawnSync's minute ends it with code -1.
    assert.equal(zero.code, 1, zero.stderr)
    assert.match(zero.stderr, /invite could not be opened.*not a file/)
    const fifo = join(dir.path, 'pipe.coterie')
    spawnSync('mkfifo', [fifo])
    const piped = coterie(profile, 'join', fifo)
    assert.equal(piped.code, 1, piped.stderr)
    assert.match(piped.stderr, /not a file/)
  })
})

describe('cli: a closed stdout', () => {
  it('every command that prints exits quietly with status 0 when its reader has gone', (t) => {
    if (process.platform === 'win32') return t.skip('uses a POSIX shell pipeline')
    const profile = join(dir.path, 'piped')
    ok(profile, 'group', 'create', 'Piped')
    const commands = [
      ['id'],
      ['friend', 'list', '--json'],
      ['group', 'list'],
      ['group', 'show', 'Piped'],
      ['status'],
      ['--help'],
    ]
    for (const args of commands) {
      // `true` exits at once, long before the CLI has loaded: its first write meets a closed pipe.
      const quoted = [process.execPath, BIN, '--profile', profile, ...args].map((a) => `'${a}'`).join(' ')
      const r = spawnSync('bash', ['-c', `${quoted} | true; exit "\${PIPESTATUS[0]}"`], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      assert.equal(r.stderr, '', `coterie ${args.join(' ')} wrote to stderr`)
      assert.equal(r.status, 0, `coterie ${args.join(' ')} exit status`)
    }
  })
})
