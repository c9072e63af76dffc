// docs/PROTOCOL.md is normative: this keeps its constants table and its reason-code tables in
// step with the code, so the document a second implementation reads cannot silently drift.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as constants from './constants.js'
import * as frames from './frame-bounds.js'
import {
  FRAME_CODES,
  TLS_CODES,
  ICE_URL_CODES,
  INDEX_CODES,
  INVITE_CODES,
  KEY_TEXT_CODES,
  REJECT_CODES,
} from '../../../shared/protocol-codes.js'

const doc = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8')
const section = (n: number): string => {
  const start = doc.indexOf(`\n## ${n}.`)
  const end = doc.indexOf(`\n## ${n + 1}.`)
  assert.ok(start >= 0, `§${n} exists`)
  return doc.slice(start, end < 0 ? undefined : end)
}

/** Every scalar constant, flattened: ROLE.swarm, HRP.identity, MAX_MESSAGE_BYTES... */
function flatten(): Map<string, string | number> {
  const out = new Map<string, string | number>()
  for (const [name, value] of Object.entries(constants)) {
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) out.set(`${name}.${k}`, v as string | number)
    } else if (typeof value === 'string' || typeof value === 'number') out.set(name, value)
  }
  return out
}

describe('docs/PROTOCOL.md agrees with the code', () => {
  it('§2 lists every constant with its value, and nothing else', () => {
    const rows = new Map<string, string>()
    for (const m of section(2).matchAll(/^\| `([A-Z_][A-Za-z_.]*)` \| ([^|]+) \|/gm)) rows.set(m[1]!, m[2]!.trim())
    const code = flatten()
    assert.deepEqual([...rows.keys()].sort(), [...code.keys()].sort())
    for (const [name, value] of code) {
      assert.equal(rows.get(name), typeof value === 'string' ? `"${value}"` : String(value), name)
    }
  })

  it('§6 names every reason code the code can produce', () => {
    const s6 = section(6)
    for (const code of [
      ...REJECT_CODES,
      ...INVITE_CODES,
      ...KEY_TEXT_CODES,
      ...INDEX_CODES,
      ...ICE_URL_CODES,
      ...FRAME_CODES,
      ...TLS_CODES,
    ]) {
      assert.ok(s6.includes(`| \`${code}\` |`), `§6 lacks ${code}`)
    }
  })

  it('§5.7 gives every framing bound with its value', () => {
    const s5 = section(5)
    const rows = new Map<string, string>()
    for (const m of s5.matchAll(/^\| `([A-Z_]+)` \| ([0-9]+) \|/gm)) rows.set(m[1]!, m[2]!)
    const names = [
      'BLOCK_BYTES',
      'MAX_PIECE_FRAME',
      'MAX_EXTENDED_PAYLOAD_BYTES',
      'MAX_EXTENDED_FRAME',
      'MAX_PIECES',
    ] as const
    assert.deepEqual([...rows.keys()].sort(), [...names].sort())
    for (const name of names) assert.equal(rows.get(name), String(frames[name]), name)
  })
})
