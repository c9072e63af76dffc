// The provider feed (PROTOCOL.md §16): the stored vectors are rebuilt byte for byte and give their
// verdicts; a feed reads back to what was written; a feed altered anywhere after signing is refused.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { hexToBytes } from '@noble/hashes/utils.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { buildFeedVectors, vectorFeed } from '../testing/feed-vectors.js'
import { keyPair } from '../testing/fixtures.js'
import { FEED_CODES } from '../../../shared/protocol-codes.js'
import { bytesToHex, utf8 } from './bytes.js'
import { signingInput } from './signing.js'
import { ROLE } from './constants.js'
import { MAX_FEED_BYTES, readFeed, renderFeed, signFeed, verifyFeed } from './feed.js'
import { assertErr, assertOk } from '../testing/assert-result.js'

const stored = JSON.parse(readFileSync(new URL('./vectors/feed-v1.json', import.meta.url), 'utf8'))
const h = hexToBytes

describe('feed vectors (electron/core/protocol/vectors/feed-v1.json)', () => {
  it('are exactly what the code produces (run `npm run vectors` only for a deliberate change)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(buildFeedVectors())), stored)
  })

  it('the feed verifies, and its signature is plain Ed25519 over bencode(["coterie", 1, "feed", bytes])', () => {
    const bytes = utf8(stored.feed)
    const r = verifyFeed(bytes, h(stored.signature), h(stored.swarmKey))
    assertOk(r)
    assert.equal(r.value.items.length, 2)
    assert.equal(r.value.title, 'Films & <Friends>')
    // An independent check with noble alone: the signing input is the documented list.
    const input = signingInput(ROLE.feed, bytes)
    const head = utf8(`l7:coteriei1e4:feed${bytes.length}:`)
    assert.deepEqual(input.subarray(0, head.length), head)
    assert.ok(ed25519.verify(h(stored.signature), input, h(stored.swarmKey)))
  })

  it('each negative vector gets its code, and every code has a vector', () => {
    const seen = new Set<string>()
    for (const v of stored.negative) {
      const r = verifyFeed(utf8(v.feed), h(v.signature), h(stored.swarmKey))
      assertErr(r)
      assert.equal(r.error.code, v.expect, v.name)
      seen.add(v.expect)
    }
    const o = stored.oversize
    const r = verifyFeed(new Uint8Array(o.length).fill(parseInt(o.fill, 16)), h(o.signature), h(stored.swarmKey))
    assertErr(r)
    assert.equal(r.error.code, o.expect)
    seen.add(o.expect)
    assert.deepEqual([...seen].sort(), [...FEED_CODES].sort())
  })
})

describe('feeds', () => {
  const provider = keyPair('feed test provider')
  const swarm = bytesToHex(provider.publicKey)

  it('read back to exactly what was rendered, escapes and all', () => {
    const f = vectorFeed(swarm, 5)
    const r = readFeed(renderFeed(f))
    assertOk(r)
    assert.deepEqual(r.value, f)
  })

  it('a feed with no items is a feed', () => {
    const f = { ...vectorFeed(swarm), items: [] }
    const bytes = renderFeed(f)
    const r = verifyFeed(bytes, signFeed(provider.secretKey, bytes), provider.publicKey)
    assertOk(r)
    assert.deepEqual(r.value, f)
  })

  it('flipping any one byte of a signed feed is refused', () => {
    const bytes = renderFeed(vectorFeed(swarm, 1))
    const sig = signFeed(provider.secretKey, bytes)
    for (let i = 0; i < bytes.length; i++) {
      const t = bytes.slice()
      t[i]! ^= 0x20
      const r = verifyFeed(t, sig, provider.publicKey)
      assertErr(r)
      assert.equal(r.error.code, 'bad-signature', `byte ${i}`)
    }
  })

  it('text that is not the one written form is malformed, even signed', () => {
    const text = new TextDecoder().decode(renderFeed(vectorFeed(swarm, 1)))
    for (const variant of [
      text.replace('&amp;', '&'),
      text.replace('&amp;', '&#38;'),
      text.replace('<coterie:size>1000000', '<coterie:size>01000000'),
      text.replace('</rss>\n', '</rss>'),
      text.replace('<item>', '<item >'),
      text + '<!-- more -->',
      text.replace(/GMT/, '+0000'),
    ]) {
      assert.notEqual(variant, text)
      const bytes = utf8(variant)
      const r = verifyFeed(bytes, signFeed(provider.secretKey, bytes), provider.publicKey)
      assertErr(r)
      assert.equal(r.error.code, 'malformed', variant.slice(0, 60))
    }
    const r = readFeed(new Uint8Array([0xff, 0xfe]))
    assertErr(r)
    assert.equal(r.error.code, 'malformed')
  })

  it('renderFeed refuses what it cannot write, before writing anything', () => {
    assert.throws(() => renderFeed({ ...vectorFeed(swarm), title: 'a\nb' }), RangeError)
    assert.throws(() => renderFeed({ ...vectorFeed(swarm), title: 'x'.repeat(257) }), RangeError)
    assert.throws(() => renderFeed({ ...vectorFeed(swarm), swarm: 'zz' }), RangeError)
    assert.ok(MAX_FEED_BYTES > renderFeed(vectorFeed(swarm, 256)).length, 'the largest feed fits its bound')
  })
})
