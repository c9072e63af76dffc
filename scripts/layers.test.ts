// Proves the layering rule (scripts/eslint-layers.js over the allow-lists of scripts/layers.js):
// every edge a layer may not take is reported and every edge it may take is not, the holes the
// old deny-lists had are closed, tests stay inside their layer, eslint.config.js applies the rule,
// and docs/ARCHITECTURE.md shows the rules as they are.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'

interface Layer {
  readonly name: string
  readonly dir: string
  readonly node: boolean
  readonly pure: boolean
  readonly packages: readonly string[]
  readonly may: readonly string[]
}
// The scripts are plain JS without types: load them untyped and state their shape here.
const { layers, CORE_ORDER } = (await import(new URL('./layers.js', import.meta.url).href)) as {
  layers: readonly Layer[]
  CORE_ORDER: readonly string[]
}
const plugin = (await import(new URL('./eslint-layers.js', import.meta.url).href)) as { default: ESLint.Plugin }
const { DOC, drawn } = (await import(new URL('./draw-architecture.mjs', import.meta.url).href)) as {
  DOC: string
  drawn(doc: string): string
}

// The rule alone (no type-aware rules: the files below do not exist, so no tsconfig holds them).
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },
    { plugins: { local: plugin.default }, rules: { 'local/layers': 'error' } },
  ],
})
const reasons = async (file: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath: file })
  const fatal = result!.messages.filter((m) => m.fatal)
  assert.deepEqual(fatal, [], `${file} did not parse`)
  return result!.messages.filter((m) => m.ruleId === 'local/layers').map((m) => m.message)
}
const byName = new Map(layers.map((l) => [l.name, l]))
const layer = (name: string): Layer => byName.get(name) ?? assert.fail(`no layer ${name}`)
/** A file of the layer, one folder deep so relative paths below resolve the same for every layer. */
const fileIn = (l: Layer) => `${l.dir}x.ts`
/** A specifier from `from`'s file to a module of `to`. */
const spec = (from: Layer, to: Layer) =>
  path.posix.relative(path.posix.dirname(fileIn(from)), `${to.dir}y.js`).replace(/^(?!\.)/, './')

describe('layering rule', () => {
  it('states the order inside electron/core once, and every folder of electron/core is a layer', () => {
    const core = 'electron/core'
    const dirs = readdirSync(core).filter((d) => statSync(path.join(core, d)).isDirectory())
    const folders = dirs.flatMap((d) =>
      d === 'service'
        ? [
            'service',
            ...readdirSync(path.join(core, d))
              .filter((s) => statSync(path.join(core, d, s)).isDirectory())
              .map((s) => `service/${s}`),
          ]
        : [d],
    )
    const known = new Set([...CORE_ORDER, 'testing', 'types'])
    assert.deepEqual(
      folders.filter((f) => !known.has(f)),
      [],
      'folders of electron/core that belong to no layer',
    )
    const door = CORE_ORDER.indexOf('service')
    for (const [i, name] of CORE_ORDER.entries()) {
      // Above the service's index, the rest of the core is reached only through it.
      const below = i > door ? CORE_ORDER.slice(door, i) : CORE_ORDER.slice(0, i)
      assert.deepEqual(
        layer(name).may.filter((m) => CORE_ORDER.includes(m)),
        below,
        `${name} may import exactly ${below.join(', ')}`,
      )
    }
  })

  for (const from of layers) {
    it(`${from.name}: imports of layers it may not use are reported, the others are not`, async () => {
      for (const to of layers) {
        const allowed = to === from || from.may.includes(to.name)
        const found = await reasons(fileIn(from), `import '${spec(from, to)}'`)
        if (allowed) assert.deepEqual(found, [], `${from.name} -> ${to.name} should be allowed`)
        else
          assert.match(
            found.join('\n'),
            new RegExp(`${from.name} may not import the ${to.name} layer`),
            `${from.name} -> ${to.name}`,
          )
      }
    })

    it(`${from.name}: its packages and Node built-ins are allowed, others are reported`, async () => {
      for (const p of from.packages) {
        if (p === '*') continue
        assert.deepEqual(await reasons(fileIn(from), `import '${p.replace(/\*$/, 'x')}'`), [], `${from.name} -> ${p}`)
      }
      const stranger = from.packages.includes('*') ? [] : await reasons(fileIn(from), "import 'left-pad'")
      if (!from.packages.includes('*')) assert.equal(stranger.length, 1, `${from.name} -> left-pad`)
      const builtin = await reasons(fileIn(from), "import 'node:fs'\nimport 'events'")
      assert.equal(builtin.length, from.node ? 0 : 2, `${from.name} -> node:fs, events: ${builtin.join(' | ')}`)
    })
  }

  // Each of these linted clean under the old deny-lists (issue 13).
  const holes: [string, string][] = [
    ['electron/core/protocol/x.ts', "import '../service/runtime/node.js'"],
    ['electron/core/protocol/x.ts', "import { WebSocketServer } from 'ws'\nexport { WebSocketServer }"],
    ['electron/core/protocol/x.ts', "import { Worker } from 'worker_threads'\nexport { Worker }"],
    ['electron/core/protocol/x.ts', "import { EventEmitter } from 'events'\nexport { EventEmitter }"],
    ['electron/core/engine/x.ts', "import { AppBackend } from '../service/contract/backend.js'\nexport { AppBackend }"],
    ['electron/core/gate/x.ts', "import { Engine } from '../engine/engine.js'\nexport { Engine }"],
    ['renderer/x.ts', "import WebTorrent from 'webtorrent'\nexport { WebTorrent }"],
    ['renderer/screens/x.tsx', "import { z } from 'zod'\nexport { z }"],
    ['shared/x.ts', "import WebTorrent from 'webtorrent'\nexport { WebTorrent }"],
    ['electron/core/cli/x.ts', "import { Handshake } from '../protocol/handshake.js'\nexport { Handshake }"],
    ['electron/core/cli/x.ts', "import { ProfileStore } from '../profile/store.js'\nexport { ProfileStore }"],
    ['electron/core/cli/x.ts', "import { Node } from '../service/runtime/node.js'\nexport { Node }"],
    ['electron/core/ui-server/x.ts', "import { Dispatch } from '../service/contract/dispatch.js'\nexport { Dispatch }"],
    [
      'electron/main/x.ts',
      "import { MAX_INVITE_BYTES } from '../core/protocol/constants.js'\nexport { MAX_INVITE_BYTES }",
    ],
    ['electron/core/engine/x.ts', "import '../../../scripts/layers.js'"],
    ['electron/core/x.ts', 'export const x = 1'],
  ]
  for (const [file, code] of holes) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file}`, async () => {
      assert.equal((await reasons(file, code)).length, 1)
    })
  }

  it('a pure layer may not load a module it names at run time', async () => {
    const found = await reasons(
      'electron/core/protocol/x.ts',
      'const m = "node:fs"\nexport const load = () => import(m)',
    )
    assert.match(found.join(), /pure/)
    assert.deepEqual(
      await reasons('electron/core/engine/x.ts', 'const m = "node:fs"\nexport const load = () => import(m)'),
      [],
    )
  })

  it('re-exports and literal import() are checked like imports', async () => {
    assert.equal((await reasons('electron/core/protocol/x.ts', "export * from '../engine/engine.js'")).length, 1)
    assert.equal((await reasons('electron/core/protocol/x.ts', "export { x } from 'webtorrent'")).length, 1)
    assert.equal(
      (await reasons('electron/core/gate/x.ts', "export const e = () => import('../engine/engine.js')")).length,
      1,
    )
  })

  it('a test may import testing/, its own layer and what its layer may, and nothing above it', async () => {
    const ok =
      "import '../testing/swarm.js'\nimport './canonical.js'\nimport '../../../shared/result.js'\nimport fs from 'node:fs'\nimport wt from 'webtorrent'\nexport { fs, wt }"
    assert.deepEqual(await reasons('electron/core/protocol/x.test.ts', ok), [])
    assert.equal((await reasons('electron/core/protocol/x.test.ts', "import '../engine/engine.js'")).length, 1)
    assert.equal((await reasons('electron/core/engine/x.test.ts', "import '../service/runtime/node.js'")).length, 1)
    assert.equal((await reasons('renderer/lib/x.test.ts', "import '../../electron/core/engine/engine.js'")).length, 1)
    // A layer's own testing/ folder holds its test helpers: they are tests too.
    assert.deepEqual(
      await reasons(
        'electron/core/profile/testing/x.ts',
        "import fs from 'node:fs'\nimport '../../testing/fixtures.js'\nexport { fs }",
      ),
      [],
    )
  })

  it('eslint.config.js applies the rule to every layered file', async () => {
    const real = new ESLint({ cwd: process.cwd() })
    for (const l of layers) {
      const file = readdirSync(l.dir, { recursive: true, encoding: 'utf8' }).find(
        (f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'),
      )
      if (!file) continue
      const config = (await real.calculateConfigForFile(path.join(l.dir, file))) as { rules: Record<string, unknown> }
      assert.deepEqual(config.rules['local/layers'], [2], `${l.dir}${file}`)
    }
  })

  it('docs/ARCHITECTURE.md shows the rules as they are (node scripts/draw-architecture.mjs redraws it)', () => {
    const doc = readFileSync(DOC, 'utf8')
    assert.equal(doc, drawn(doc))
  })
})
