// Proves the layering rules of scripts/layers.js fire through the real eslint.config.js: for every
// layer, every forbidden pattern is reported with its message, and ordinary imports are not.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ESLint, type Linter } from 'eslint'

interface Layer {
  readonly name: string
  readonly files: readonly string[]
  readonly forbid: readonly { readonly group: readonly string[]; readonly message: string }[]
}
// layers.js is plain JS without types: load it untyped and state its shape here.
const { layers } = (await import(new URL('./layers.js', import.meta.url).href)) as { layers: readonly Layer[] }

const eslint = new ESLint({ cwd: process.cwd() })
const lint = async (filePath: string, code: string): Promise<Linter.LintMessage[]> => {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages
}
const restricted = (ms: Linter.LintMessage[]) =>
  ms.filter((m) => (m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax') && m.severity === 2)

// A specifier a pattern matches: '**/wire/**' -> '../../wire/y.js', 'node:*' -> 'node:fs'.
const sample = (pattern: string): string =>
  pattern.replace(/^\*\*\//, '../../').replace(/\/\*\*$/, '/y.js').replace(/\*/, pattern.startsWith('node:') ? 'fs' : 'x')
// A file a glob matches: 'renderer/**/*.tsx' -> 'renderer/x.tsx'.
const fileFor = (glob: string): string => glob.replace('**/*', 'x')

describe('layering lint rule', () => {
  it('knows the six layers', () => {
    assert.deepEqual(layers.map((l) => l.name), ['shared', 'renderer', 'core', 'main', 'preload', 'protocol'])
  })

  for (const layer of layers) {
    for (const glob of layer.files) {
      it(`${layer.name}: every forbidden pattern fires in ${fileFor(glob)}, with its message`, async () => {
        const lines = layer.forbid.flatMap((r) => r.group.map((p) => ({ spec: sample(p), message: r.message })))
        const ms = restricted(await lint(fileFor(glob), lines.map((l) => `import '${l.spec}'`).join('\n')))
        lines.forEach(({ spec, message }, i) => {
          // A specifier may match several rules (e.g. 'electron/*' also matches '../../electron/y.js').
          const hits = ms.filter((m) => m.line === i + 1)
          assert.ok(hits.length > 0, `${spec} is not reported in ${fileFor(glob)}`)
          assert.ok(hits.some((m) => m.message.includes(message)), `${spec}: ${JSON.stringify(hits.map((m) => m.message))}`)
        })
      })
    }
  }

  const forbidden: [string, string][] = [
    ['shared/x.ts', "import { app } from 'electron'\nexport { app }"],
    ['shared/x.ts', "import { readFileSync } from 'fs'\nexport { readFileSync }"],
    ['shared/x.ts', "import { api } from '../electron/preload/api.js'\nexport { api }"],
    ['electron/core/protocol/x.ts', "import fs from 'node:fs'\nexport { fs }"],
    ['electron/core/protocol/x.ts', "import wt from 'webtorrent'\nexport { wt }"],
    ['electron/core/protocol/x.ts', "import '../wire/coterie-extension.js'"],
    ['electron/core/wire/x.ts', "import x from '../../renderer/y.js'\nexport { x }"],
    ['electron/core/wire/x.ts', "import { app } from 'electron'\nexport { app }"],
    ['electron/core/x.ts', "export { y } from '../main/y.js'"],
    ['renderer/x.ts', "import { ipcRenderer } from 'electron'\nexport { ipcRenderer }"],
    ['renderer/components/x.tsx', "export * from 'node:path'"],
    ['electron/preload/x.ts', "import { readFileSync } from 'node:fs'\nexport { readFileSync }"],
    ['electron/preload/x.ts', "import { AppBackend } from '../core/app/backend.js'\nexport { AppBackend }"],
    ['electron/main/x.ts', "import { App } from '../../renderer/App.js'\nexport { App }"],
  ]
  for (const [file, code] of forbidden) {
    it(`reports ${JSON.stringify(code.split('\n')[0])} in ${file}`, async () => {
      const ms = await lint(file, code)
      assert.ok(restricted(ms).length > 0, JSON.stringify(ms))
    })
  }

  const allowed: [string, string][] = [
    ['electron/core/protocol/x.ts', "import { ok } from '../../../shared/result.js'\nimport { ed25519 } from '@noble/curves/ed25519.js'\nexport { ok, ed25519 }"],
    ['electron/core/protocol/x.ts', "import { encode } from './canonical.js'\nexport { encode }"],
    ['shared/x.ts', "import { z } from 'zod'\nexport { z }"],
    ['electron/core/wire/x.ts', "import fs from 'node:fs'\nimport { encode } from '../protocol/canonical.js'\nexport { fs, encode }"],
    ['renderer/x.ts', "import { ok } from '../shared/result.js'\nexport { ok }"],
    ['electron/main/x.ts', "import { app } from 'electron'\nimport { AppBackend } from '../core/app/backend.js'\nimport path from 'node:path'\nexport { app, AppBackend, path }"],
    ['electron/preload/x.ts', "import { contextBridge } from 'electron'\nimport { ok } from '../../shared/result.js'\nexport { contextBridge, ok }"],
    // Tests wire layers together on purpose, so they are exempt.
    ['electron/core/protocol/x.test.ts', "import fs from 'node:fs'\nexport { fs }"],
  ]
  for (const [file, code] of allowed) {
    it(`allows ${JSON.stringify(code.split('\n')[0])} in ${file}`, async () => {
      assert.deepEqual(await lint(file, code), [])
    })
  }
})

describe('layering rule edge cases', () => {
  it('catches a dynamic import too', async () => {
    assert.equal(restricted(await lint('renderer/x.ts', "export const m = await import('node:path')")).length, 1)
  })

  it('a file in several layers obeys all of them', async () => {
    const core = layers.find((l) => l.name === 'core')!
    for (const p of core.forbid.flatMap((r) => r.group)) {
      assert.equal(restricted(await lint('electron/core/protocol/x.ts', `import '${sample(p)}'`)).length, 1, p)
    }
  })

  it('the protocol imports no other part of electron/core', async () => {
    for (const spec of ['../platform/native-primitives.js', '../testing/fixtures.js']) {
      assert.equal(restricted(await lint('electron/core/protocol/x.ts', `import '${spec}'`)).length, 1, spec)
    }
  })
})
