/**
 * Builds electron/core/protocol/vectors/file-names-v1.json: info dictionaries (raw bencode, hex)
 * and the verdict docs/PROTOCOL.md §4.6 gives each, so a second implementation can check that it
 * refuses exactly the names the reference refuses, with the same code. Each case states its
 * expected verdict from the rule, not from running the code; the test checks the code agrees.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { utf8 } from '../protocol/bytes.js'
import { encode, type Bencodable } from '../protocol/canonical.js'
import { INFO_SWARM_KEY } from '../protocol/constants.js'
import type { NameErrorCode } from '../../../shared/protocol-codes.js'
import { keyPair, seed } from './fixtures.js'

export interface NameVector {
  readonly description: string
  readonly info: string
  /** "ok", or the code §4.6 gives. */
  readonly expect: 'ok' | NameErrorCode
}

const swarm = keyPair('swarm').publicKey
const pieces = seed('name vector pieces').subarray(0, 20)

type Part = string | Uint8Array
const bytes = (p: Part): Uint8Array => (typeof p === 'string' ? utf8(p) : p)

const single = (name: Part, extra: Record<string, Bencodable> = {}): Uint8Array =>
  encode({ length: 1024, name: bytes(name), 'piece length': 16384, pieces, [INFO_SWARM_KEY]: swarm, ...extra })

const multi = (name: Part, paths: readonly (readonly Part[])[], extra: Record<string, Bencodable> = {}): Uint8Array =>
  encode({
    files: paths.map((p) => ({ length: 512, path: p.map(bytes) })),
    name: bytes(name),
    'piece length': 16384,
    pieces,
    [INFO_SWARM_KEY]: swarm,
    ...extra,
  })

export function buildNameVectors(): NameVector[] {
  const v = (description: string, info: Uint8Array, expect: NameVector['expect']): NameVector => ({
    description,
    info: bytesToHex(info),
    expect,
  })
  return [
    v('a plain single file', single('holiday.mkv'), 'ok'),
    v(
      'a folder with nested files, dotfiles and non-ASCII names',
      multi('Film club', [['a', 'b.txt'], ['.hidden'], ['été.jpg']]),
      'ok',
    ),
    v('identity.json is an ordinary name (the folder rule keeps it out of the profile)', single('identity.json'), 'ok'),
    v('no name', encode({ length: 1, 'piece length': 16384, pieces, [INFO_SWARM_KEY]: swarm }), 'malformed'),
    v('a name that is not valid UTF-8', single(new Uint8Array([0x66, 0xff, 0x66])), 'not-utf8'),
    v('an empty name', single(''), 'empty'),
    v('an empty path component', multi('dir', [['a', '', 'b']]), 'empty'),
    v('an empty path list', multi('dir', [[]]), 'empty'),
    v('a name of ..', single('..'), 'dot'),
    v('a path component of ..', multi('dir', [['..', '..', 'etc', 'passwd']]), 'dot'),
    v('a path component of .', multi('dir', [['.', 'a']]), 'dot'),
    v('an absolute path as a name', single('/etc/passwd'), 'separator'),
    v('a backslash path as a component', multi('dir', [['..\\..\\x']]), 'separator'),
    v('a Windows drive path as a name', single('C:\\Windows'), 'separator'),
    v('a newline in a name', single('a\nb'), 'control'),
    v('an escape sequence in a path component', multi('dir', [['\u001b]0;pwned\u0007']]), 'control'),
    v('a C1 control in a name', single('a\u0085b'), 'control'),
    v('a right-to-left override in a name', single('photo\u202egpj.exe'), 'bidi'),
    v('a bidirectional isolate in a path component', multi('dir', [['a\u2066b']]), 'bidi'),
    v('a colon (an NTFS alternate stream)', single('a.txt:stream'), 'forbidden-character'),
    v('a question mark in a path component', multi('dir', [['why?']]), 'forbidden-character'),
    v('a trailing dot', single('notes.'), 'trailing-dot-or-space'),
    v('a trailing space in a path component', multi('dir', [['notes ']]), 'trailing-dot-or-space'),
    v('CON as a name', single('CON'), 'reserved'),
    v('nul with an extension', single('nul.txt'), 'reserved'),
    v('COM1 as a path component, any case', multi('dir', [['cOm1.log']]), 'reserved'),
    v('LPT with a superscript digit', single('LPT\u00b9'), 'reserved'),
    v('a 256-byte name', single('x'.repeat(256)), 'too-long'),
    v('a 255-byte name', single('x'.repeat(255)), 'ok'),
    v('a path 64 components deep (name included)', multi('dir', [Array.from({ length: 63 }, () => 'd')]), 'ok'),
    v('a path 65 components deep (name included)', multi('dir', [Array.from({ length: 64 }, () => 'd')]), 'too-deep'),
    v('two files with one path', multi('dir', [['a'], ['a']]), 'duplicate'),
    v('two files whose paths differ only in case', multi('dir', [['Readme.txt'], ['README.TXT']]), 'duplicate'),
    v(
      'two files whose paths differ only in Unicode normalization',
      multi('dir', [['caf\u00e9'], ['cafe\u0301']]),
      'duplicate',
    ),
    v('a file that is also another file\u2019s folder', multi('dir', [['a'], ['a', 'b']]), 'duplicate'),
    v('an unsafe name.utf-8 beside a safe name', single('ok.txt', { 'name.utf-8': utf8('..') }), 'dot'),
    v(
      'an unsafe path beside a safe path.utf-8',
      encode({
        files: [{ length: 1, path: [utf8('..')], 'path.utf-8': [utf8('ok')] }],
        name: utf8('dir'),
        'piece length': 16384,
        pieces,
        [INFO_SWARM_KEY]: swarm,
      }),
      'dot',
    ),
  ]
}
