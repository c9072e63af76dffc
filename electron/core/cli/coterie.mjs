#!/usr/bin/env node
// The `coterie` command (package.json "bin"). The CLI is TypeScript run through tsx, which the
// project's install provides; a packaged build ships compiled JavaScript instead.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv)
