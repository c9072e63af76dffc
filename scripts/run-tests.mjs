// Runs every *.test.ts under the source folders with Node's own test runner (through tsx, so
// Node 20 runs TypeScript without a build step). Node 20's --test takes no globs, hence this file.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const roots = ['electron', 'shared', 'renderer', 'scripts', 'bench', 'e2e']
const files = []
const walk = (dir) => {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory() && e.name !== 'node_modules') walk(p)
    else if (e.isFile() && e.name.endsWith('.test.ts')) files.push(p)
  }
}
roots.forEach(walk)
const filter = process.argv.slice(2)
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files
if (selected.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected.sort()], {
  stdio: 'inherit',
})
process.exit(r.status ?? 1)
