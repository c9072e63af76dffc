// The frame bounds of docs/PROTOCOL.md §5.7, as vectors: each bound is accepted exactly and
// refused one byte over, fixed-size messages only at their size, and a prefix of up to 4 GiB is
// judged on its own.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  BLOCK_BYTES,
  MAX_EXTENDED_FRAME,
  MAX_EXTENDED_PAYLOAD_BYTES,
  MAX_PIECE_FRAME,
  MAX_PIECES,
  MESSAGE,
  bitfieldFrame,
  checkFrame,
  checkPrefix,
  maxFrame,
} from './frame-bounds.js'
import { TAG_BYTES } from './transfer.js'

const PIECES = 1000 // a torrent of 1000 pieces: a 126-byte bitfield frame

describe('frame bounds (PROTOCOL.md §5.7)', () => {
  it('derives each bound from the named limits', () => {
    assert.equal(MAX_PIECE_FRAME, 1 + 8 + BLOCK_BYTES + TAG_BYTES)
    assert.equal(MAX_PIECE_FRAME, 16_409)
    assert.equal(MAX_EXTENDED_FRAME, 2 + MAX_EXTENDED_PAYLOAD_BYTES)
    assert.equal(bitfieldFrame(PIECES), 126)
    assert.equal(bitfieldFrame(undefined), 1 + Math.ceil(MAX_PIECES / 8))
    assert.equal(maxFrame(PIECES), MAX_EXTENDED_FRAME)
    assert.equal(maxFrame(undefined), bitfieldFrame(undefined), 'before metadata, the largest possible bitfield')
  })

  it('judges a length prefix alone: up to the largest frame of any kind', () => {
    const vectors: [number, number | undefined, string | undefined][] = [
      [0, PIECES, undefined], // keep-alive
      [MAX_EXTENDED_FRAME, PIECES, undefined],
      [MAX_EXTENDED_FRAME + 1, PIECES, 'frame-too-long'],
      [bitfieldFrame(undefined), undefined, undefined],
      [bitfieldFrame(undefined) + 1, undefined, 'frame-too-long'],
      [0xffff_ffff, PIECES, 'frame-too-long'],
    ]
    for (const [length, pieces, want] of vectors) assert.equal(checkPrefix(length, pieces), want, `prefix ${length}`)
  })

  it('judges a frame by its id: each bound exactly, one byte over refused', () => {
    const vectors: [number, number, string | undefined][] = [
      [MESSAGE.piece, MAX_PIECE_FRAME, undefined],
      [MESSAGE.piece, MAX_PIECE_FRAME + 1, 'frame-too-long'],
      [MESSAGE.piece, 9, undefined], // an empty block: harmless, refused later by the piece's length check
      [MESSAGE.piece, 8, 'wrong-frame-length'],
      [MESSAGE.bitfield, 126, undefined],
      [MESSAGE.bitfield, 127, 'frame-too-long'],
      [MESSAGE.extended, MAX_EXTENDED_FRAME, undefined],
      [MESSAGE.extended, MAX_EXTENDED_FRAME + 1, 'frame-too-long'],
      [MESSAGE.extended, 1, 'wrong-frame-length'],
      [MESSAGE.choke, 1, undefined],
      [MESSAGE.choke, 2, 'wrong-frame-length'],
      [MESSAGE.have, 5, undefined],
      [MESSAGE.have, 4, 'wrong-frame-length'],
      [MESSAGE.have, 9, 'wrong-frame-length'],
      [MESSAGE.request, 13, undefined],
      [MESSAGE.request, 12, 'wrong-frame-length'],
      [MESSAGE.cancel, 13, undefined],
      [MESSAGE.reject, 14, 'wrong-frame-length'],
      [MESSAGE.port, 3, undefined],
      [MESSAGE.haveAll, 1, undefined],
      [MESSAGE.allowedFast, 5, undefined],
      [21, MAX_EXTENDED_FRAME, undefined], // an id we do not use (BEP 52's): bounded like an extended one
      [21, MAX_EXTENDED_FRAME + 1, 'frame-too-long'],
    ]
    for (const [id, length, want] of vectors) assert.equal(checkFrame(length, id, PIECES), want, `id ${id}, ${length}`)
  })
})
