// Each door serves the one policy from shared/csp.ts: the Electron window's and browser mode's
// headers differ only in what the page may connect to, and renderer/index.html carries the page copy.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { browserPolicy, electronPolicy, pagePolicy } from '../../../shared/csp.js'
import { securityHeaders } from './static.js'

const parse = (policy: string): Map<string, string> =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name = '', ...values] = d.split(/\s+/)
        return [name, values.join(' ')]
      }),
  )

const without = (policy: Map<string, string>, ...names: string[]): Map<string, string> =>
  new Map([...policy].filter(([name]) => !names.includes(name)))

describe('content security policy: one builder, every door', () => {
  it("browser mode serves the shared builder's policy for its port", () => {
    assert.equal(securityHeaders(4242)['Content-Security-Policy'], browserPolicy(4242))
    assert.equal(parse(browserPolicy(4242)).get('connect-src'), "'self' ws://127.0.0.1:4242 ws://localhost:4242")
  })

  it('the Electron window and browser mode differ only in connect-src, and Electron connects nowhere', () => {
    const electron = parse(electronPolicy())
    assert.equal(electron.get('connect-src'), "'none'")
    assert.deepEqual(without(electron, 'connect-src'), without(parse(browserPolicy(1)), 'connect-src'))
    for (const [name, value] of [
      ['default-src', "'none'"],
      ['script-src', "'self'"],
      ['frame-ancestors', "'none'"],
      ['object-src', "'none'"],
    ]) {
      assert.equal(electron.get(name ?? ''), value, name)
    }
  })

  it('renderer/index.html carries the page copy, a subset of the headers with the same values', async () => {
    const html = await readFile(new URL('../../../renderer/index.html', import.meta.url), 'utf8')
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)
    assert.ok(meta, 'index.html has a CSP <meta>')
    assert.equal(meta[1], pagePolicy())
    const header = parse(browserPolicy(1))
    for (const [name, value] of without(parse(pagePolicy()), 'connect-src')) assert.equal(header.get(name), value, name)
  })
})
