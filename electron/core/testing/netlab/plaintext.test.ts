// The capture search of the NAT lab's relay case (plaintext.ts) finds a file's bytes wherever they
// sit, and finds nothing in bytes that hold none of them: otherwise "the relay saw no plaintext"
// would prove nothing.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { fileBytesIn, WINDOW } from './plaintext.js'

describe('fileBytesIn', () => {
  const file = randomBytes(256 * 1024)

  it('finds a run of 2 × WINDOW of the file’s bytes at any offset of the file and of the capture', () => {
    for (const [from, at] of [
      [0, 0],
      [1, 7],
      [12_345, 99_999],
      [file.length - 2 * WINDOW, 3],
    ] as const) {
      const capture = randomBytes(200_000)
      file.copy(capture, at, from, from + 2 * WINDOW)
      const found = fileBytesIn(capture, file)
      assert.ok(found.length >= 1 && found.length <= 2, `a slice from ${from} placed at ${at}: ${found.length}`)
      assert.ok(found[0]! >= at && found[0]! < at + WINDOW + 1, `found at ${found[0]}, placed at ${at}`)
    }
  })

  it('finds nothing in random bytes, nor in the file sealed (any cipher output)', () => {
    assert.deepEqual(fileBytesIn(randomBytes(1_000_000), file), [])
    const flipped = Buffer.from(file.map((b) => b ^ 0x5a))
    assert.deepEqual(fileBytesIn(flipped, file), [])
  })
})
