// The packaging configuration, checked where `npm run dist` cannot run (no Electron binary):
// electron-builder's own schema accepts it; it declares what the app relies on (targets, the
// invite file association, the coterie: scheme, the built files); and its afterPack hook really
// flips the fuses, on a file laid out like an Electron binary's fuse wire.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain CommonJS config, checked field by field below
const config = require(path.join(ROOT, 'build', 'electron-builder.config.cjs')) as any
const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string
  scripts: Record<string, string>
}

describe('packaging: electron-builder config', () => {
  it("passes electron-builder's own schema", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, log: unknown): Promise<void>
    }
    await validateConfiguration(config, { isEnabled: false, add() {} })
  })

  it('declares the app, its targets, the invite file type and the coterie: scheme', () => {
    assert.equal(config.productName, 'Coterie')
    assert.match(config.appId, /^[a-z]+(\.[a-z]+)+$/)
    assert.deepEqual(config.linux.target, ['AppImage', 'deb'])
    assert.deepEqual(config.mac.target, ['dmg'])
    assert.deepEqual(config.win.target, ['nsis'])
    assert.deepEqual(
      config.fileAssociations.map((f: { ext: string }) => f.ext),
      ['coterie'],
    )
    assert.deepEqual(
      config.protocols.flatMap((p: { schemes: string[] }) => p.schemes),
      ['coterie'],
    )
    assert.ok(
      config.linux.mimeTypes.includes('x-scheme-handler/coterie'),
      'Linux learns the scheme from the .desktop file',
    )
    assert.equal(config.asar, true)
  })

  it('packs the built main, preload and renderer, and package.json points at the main', () => {
    const patterns: string[] = config.files
    for (const needed of ['out/electron/**', 'renderer/dist/**', 'package.json'])
      assert.ok(patterns.includes(needed), needed)
    assert.equal(pkg.main, 'out/electron/main.mjs')
    assert.ok(pkg.main.startsWith('out/electron/'))
    assert.match(
      pkg.scripts.dist!,
      /build:renderer.*build:electron.*electron-builder --config build\/electron-builder\.config\.cjs/,
    )
  })

  it('unpacks the hashing worker, bundled so it needs nothing from inside the archive', async () => {
    assert.deepEqual(config.asarUnpack, ['out/electron/hash-worker.mjs'])
    const { buildElectron } = (await import(new URL('./build-electron.mjs', import.meta.url).href)) as {
      buildElectron(o: { quiet: boolean }): Promise<string>
    }
    const code = await readFile(path.join(await buildElectron({ quiet: true }), 'hash-worker.mjs'), 'utf8')
    const imports = [...code.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!)
    assert.ok(imports.length > 0)
    for (const i of imports)
      assert.ok(
        i.startsWith('node:') ||
          [
            'fs',
            'path',
            'stream',
            'events',
            'os',
            'util',
            'buffer',
            'crypto',
            'url',
            'module',
            'worker_threads',
          ].includes(i),
        `imports ${i}`,
      )
  })

  it('uses build/icon.png, a 512x512 PNG', async () => {
    const png = await readFile(path.join(ROOT, 'build', 'icon.png'))
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG')
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [512, 512])
  })

  it('flips the fuses after packing: no run-as-node, no NODE_OPTIONS, no inspect (except a test build), asar only', async (t) => {
    const hookPath = path.join(ROOT, config.afterPack)
    const hook = require(hookPath) as ((ctx: unknown) => Promise<void>) & {
      fusesFor(env: NodeJS.ProcessEnv): Record<string, boolean>
    }
    assert.equal(typeof hook, 'function')
    assert.equal(hook.fusesFor({}).EnableNodeCliInspectArguments, false)
    assert.equal(hook.fusesFor({ COTERIE_TEST_BUILD: '1' }).EnableNodeCliInspectArguments, true)

    // A file with an Electron-style fuse wire: sentinel, version 1, 8 fuses, all enabled as shipped.
    const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants.js') as {
      SENTINEL: string
      FuseState: Record<string, number>
    }
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as {
      getCurrentFuseWire(p: string): Promise<Record<string, number>>
      FuseV1Options: Record<string, number>
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'coterie-fuses-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const wire = Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.alloc(8, FuseState.ENABLE!)])
    await writeFile(path.join(dir, 'coterie'), Buffer.concat([randomBytes(4096), wire, randomBytes(4096)]))
    await hook({
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'Coterie' }, executableName: 'coterie' },
    })
    const fuses = await getCurrentFuseWire(path.join(dir, 'coterie'))
    const state = (name: string) => fuses[FuseV1Options[name]!]
    assert.equal(state('RunAsNode'), FuseState.DISABLE)
    assert.equal(state('EnableNodeOptionsEnvironmentVariable'), FuseState.DISABLE)
    assert.equal(state('EnableNodeCliInspectArguments'), FuseState.DISABLE)
    assert.equal(state('OnlyLoadAppFromAsar'), FuseState.ENABLE)
    assert.equal(state('GrantFileProtocolExtraPrivileges'), FuseState.DISABLE)
  })
})
