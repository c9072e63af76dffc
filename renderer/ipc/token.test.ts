import assert from 'node:assert/strict'
import { test } from 'node:test'
import { takeToken } from './token.js'

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde'

function fakes(hash: string) {
  const store = new Map<string, string>()
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  } as Storage
  const replaced: string[] = []
  const hist = { replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url) } as History
  const loc = { hash, pathname: '/', search: '' } as Location
  return { storage, hist, loc, replaced }
}

test('the token moves from the address fragment to sessionStorage, and leaves the address bar', () => {
  const f = fakes(`#token=${TOKEN}`)
  assert.equal(takeToken(f.loc, f.storage, f.hist), TOKEN)
  assert.deepEqual(f.replaced, ['/'])
  // A reload has no fragment any more: the stored token is used.
  assert.equal(takeToken({ ...f.loc, hash: '' }, f.storage, f.hist), TOKEN)
})

test('no token, or a malformed one, is no token (the page says where to find it)', () => {
  const f = fakes('')
  assert.equal(takeToken(f.loc, f.storage, f.hist), null)
  const g = fakes('#token=short')
  assert.equal(takeToken(g.loc, g.storage, g.hist), null)
  const h = fakes('#token=has spaces and <script>')
  assert.equal(takeToken(h.loc, h.storage, h.hist), null)
  assert.deepEqual(h.replaced, [], 'nothing is stripped or stored')
})
