// Regenerates electron/core/protocol/vectors/file-names-v1.json (docs/PROTOCOL.md §4.6). Run only when
// the file-name rule changes on purpose: the tests compare against this file.
import { writeFileSync } from 'node:fs'
import { buildNameVectors } from '../electron/core/testing/name-vectors.js'

const path = new URL('../electron/core/protocol/vectors/file-names-v1.json', import.meta.url)
writeFileSync(path, JSON.stringify({ section: 'docs/PROTOCOL.md §4.6', vectors: buildNameVectors() }, null, 2) + '\n')
console.log(`wrote ${path.pathname}`)
