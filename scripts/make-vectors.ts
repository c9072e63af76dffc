// Regenerates electron/core/protocol/vectors/protocol-v1.json. Run only when the protocol changes on purpose
// (then bump the version or explain why in the commit): the tests compare against this file.
import { writeFileSync } from 'node:fs'
import { buildVectors } from '../electron/core/testing/vectors.js'

const path = new URL('../electron/core/protocol/vectors/protocol-v1.json', import.meta.url)
writeFileSync(path, JSON.stringify(buildVectors(), null, 2) + '\n')
console.log(`wrote ${path.pathname}`)
