// The file-name rule (docs/PROTOCOL.md §4.6) against its stored vectors, which a second
// implementation checks itself against: the code rebuilds them byte for byte and gives each the
// verdict it states; and §6.5 of the spec names every code.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { hexToBytes } from '@noble/hashes/utils.js'
import { buildNameVectors, type NameVector } from '../testing/name-vectors.js'
import { checkNameComponent, safeLayoutOfInfo } from './file-names.js'
import { NAME_CODES } from '../../../shared/protocol-codes.js'

const stored = JSON.parse(readFileSync(new URL('./vectors/file-names-v1.json', import.meta.url), 'utf8')) as {
  vectors: NameVector[]
}

describe('torrent file names (PROTOCOL.md §4.6, vectors/file-names-v1.json)', () => {
  it('the stored vectors are what the builder makes (`npm run vectors:names` only for a deliberate change)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(buildNameVectors())), stored.vectors)
  })

  it('each vector gets the verdict it states', () => {
    for (const v of stored.vectors) {
      const r = safeLayoutOfInfo(hexToBytes(v.info))
      assert.equal(r.ok ? 'ok' : r.error.code, v.expect, v.description)
    }
  })

  it('every refusal code has at least one vector, and at least one vector is accepted', () => {
    const seen = new Set(stored.vectors.map((v) => v.expect))
    for (const code of NAME_CODES) assert.ok(seen.has(code), `no vector for ${code}`)
    assert.ok(seen.has('ok'))
  })

  it('an accepted layout names the files as clients write them', () => {
    const ok = stored.vectors.find((v) => v.description.startsWith('a folder with nested'))!
    const r = safeLayoutOfInfo(hexToBytes(ok.info))
    assert.ok(r.ok)
    assert.deepEqual(
      r.value.files.map((f) => f.path.join('/')),
      ['Film club/a/b.txt', 'Film club/.hidden', 'Film club/été.jpg'],
    )
  })

  it('every Windows device name is refused with or without an extension, and look-alikes pass', () => {
    for (const base of ['CON', 'prn', 'Aux', 'NUL', 'CONIN$', 'conout$'])
      for (const n of [base, `${base}.txt`, `${base} .tar.gz`]) assert.equal(code(n), 'reserved', n)
    for (let i = 0; i <= 9; i++) for (const p of ['COM', 'lpt']) assert.equal(code(`${p}${i}.log`), 'reserved')
    for (const n of ['CONSOLE', 'nullable.txt', 'com10', 'lpt', 'auxiliary', 'a.con']) assert.equal(code(n), 'ok', n)
  })
})

const code = (name: string): string => {
  const r = checkNameComponent(name)
  return r.ok ? 'ok' : r.error.code
}

describe('docs/PROTOCOL.md §6.5', () => {
  it('names every file-name code', () => {
    const doc = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8')
    const start = doc.indexOf('### 6.5')
    assert.ok(start >= 0, '§6.5 exists')
    const s65 = doc.slice(start, doc.indexOf('\n## 7.', start))
    for (const c of NAME_CODES) assert.ok(s65.includes(`| \`${c}\` |`), `§6.5 lacks ${c}`)
  })
})
