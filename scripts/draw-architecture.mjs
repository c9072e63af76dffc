// Draws the layer table of docs/ARCHITECTURE.md from scripts/layers.js, so the document cannot
// drift from the rules the linter applies. `node scripts/draw-architecture.mjs` rewrites the part
// between the layers:begin/end markers; scripts/layers.test.ts fails when it is out of date.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { layers, CORE_ORDER } from './layers.js'

export const DOC = fileURLToPath(new URL('../docs/ARCHITECTURE.md', import.meta.url))
const BEGIN = '<!-- layers:begin (drawn by scripts/draw-architecture.mjs from scripts/layers.js) -->'
const END = '<!-- layers:end -->'

export function drawTable() {
  const code = (s) => '`' + s + '`'
  const rows = layers.map((l) => {
    const may = l.may.length ? l.may.map(code).join(', ') : 'nothing'
    const packages = l.packages.includes('*') ? 'any' : l.packages.length ? l.packages.map(code).join(', ') : 'none'
    return `| ${code(l.name)} | ${code(l.dir)} | ${may} | ${packages} | ${l.node ? 'yes' : 'no'} | ${l.why} |`
  })
  return [
    BEGIN,
    `Order inside \`electron/core\`: ${CORE_ORDER.map(code).join(' → ')}. Each may import the ones before it.`,
    '',
    '| layer | folder | may import (besides itself) | npm packages | Node built-ins | what it is |',
    '|---|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n')
}

export function drawn(doc) {
  const start = doc.indexOf(BEGIN)
  const end = doc.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${DOC} has no ${BEGIN} … ${END} block`)
  return doc.slice(0, start) + drawTable() + doc.slice(end + END.length)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(DOC, drawn(readFileSync(DOC, 'utf8')))
