// shared/invite-link.ts: the invite text form (docs/PROTOCOL.md §7.2) against Node's own base64url, and what a paste may hold.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  INVITE_LINK_PREFIX,
  inviteLink,
  MAX_INVITE_LINK_BYTES,
  MAX_INVITE_TEXT_CHARS,
  mentionsInviteLink,
  readInviteText,
} from '../../../shared/invite-link.js'
import { assertErr, assertOk } from '../testing/assert-result.js'

describe('invite links', () => {
  it('encode as base64url without padding, and read back, at every length mod 3 and across chunks', () => {
    for (const n of [1, 2, 3, 4, 5, 0x3000 - 1, 0x3000, 0x3000 + 1, 100_003]) {
      const bytes = new Uint8Array(randomBytes(n))
      const link = inviteLink(bytes)!
      assert.equal(link, INVITE_LINK_PREFIX + Buffer.from(bytes).toString('base64url'))
      const back = readInviteText(link)
      assertOk(back)
      assert.deepEqual(back.value, bytes)
    }
  })

  it('are found in a chat message, in any case, with padding or quotes around them', () => {
    const bytes = new Uint8Array(randomBytes(50))
    const b64 = Buffer.from(bytes).toString('base64url')
    for (const text of [
      `Here is your invite:\n  COTERIE://INVITE/${b64}  \nsee you`,
      `<coterie://invite/${b64}==>`,
      `"coterie://invite/${b64}"`,
    ]) {
      assert.ok(mentionsInviteLink(text))
      const r = readInviteText(text)
      assertOk(r)
      assert.deepEqual(r.value, bytes)
    }
  })

  it('no link is not-an-invite; a cut or mangled one is damaged; too much text is oversize', () => {
    assertErr(readInviteText('hello'), 'not-an-invite')
    assertErr(readInviteText('coterie://open?path=/x.coterie'), 'not-an-invite')
    assertErr(readInviteText('coterie://invite/'), 'damaged')
    assertErr(readInviteText('coterie://invite/AAAAA'), 'damaged') // 5 characters: no byte count gives that
    assertErr(readInviteText('coterie://invite/AB+C'), 'damaged') // base64, not base64url
    assertErr(readInviteText('coterie://invite/AB%43'), 'damaged')
    assertErr(readInviteText('x'.repeat(MAX_INVITE_TEXT_CHARS + 1)), 'oversize')
  })

  it('a link holds at most MAX_INVITE_LINK_BYTES, and the largest fits the text bound', () => {
    assert.equal(inviteLink(new Uint8Array(MAX_INVITE_LINK_BYTES + 1)), undefined)
    const largest = inviteLink(new Uint8Array(MAX_INVITE_LINK_BYTES))!
    assert.ok(largest.length <= MAX_INVITE_TEXT_CHARS)
    assertOk(readInviteText(largest))
  })
})
