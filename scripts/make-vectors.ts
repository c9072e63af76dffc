// Regenerates electron/core/protocol/vectors/protocol-v1.json and feed-v1.json. Run only when the protocol changes on
// purpose (then bump the version or explain why in the commit): the tests compare against these files.
import { writeFileSync } from 'node:fs'
import { buildVectors } from '../electron/core/testing/vectors.js'
import { buildFeedVectors } from '../electron/core/testing/feed-vectors.js'

for (const [file, build] of [
  ['protocol-v1.json', buildVectors],
  ['feed-v1.json', buildFeedVectors],
] as const) {
  const path = new URL(`../electron/core/protocol/vectors/${file}`, import.meta.url)
  writeFileSync(path, JSON.stringify(build(), null, 2) + '\n')
  console.log(`wrote ${path.pathname}`)
}
