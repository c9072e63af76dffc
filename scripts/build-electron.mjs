// Bundles the desktop app's main process and preload (esbuild):
//   electron/main/index.ts    -> out/electron/main.mjs   (ESM; packages stay in node_modules)
//   electron/preload/index.ts -> out/electron/preload.cjs (one CommonJS file: a sandboxed preload
//                                can require only 'electron' and a few built-ins, nothing else)
//   electron/core/engine/hash-worker.mjs -> out/electron/hash-worker.mjs (self-contained)
// and copies the icon the window and the tray use. package.json's "main" points at main.mjs.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const OUT = join(ROOT, 'out', 'electron')

export async function buildElectron({ quiet = false } = {}) {
  const started = Date.now()
  mkdirSync(OUT, { recursive: true })
  await build({
    entryPoints: [join(ROOT, 'electron', 'main', 'index.ts')],
    outfile: join(OUT, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22', // Electron 45's Node
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  await build({
    entryPoints: [join(ROOT, 'electron', 'preload', 'index.ts')],
    outfile: join(OUT, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    minify: true, // it carries the contract's schemas (zod): loaded in every window, keep it small
    logLevel: 'warning',
  })
  // The hashing worker runs from outside the asar archive (electron-builder asarUnpack), so it
  // carries create-torrent with it instead of resolving node_modules inside the archive.
  await build({
    entryPoints: [join(ROOT, 'electron', 'core', 'engine', 'hash-worker.mjs')],
    outfile: join(OUT, 'hash-worker.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  })
  copyFileSync(join(ROOT, 'build', 'icon.png'), join(OUT, 'icon.png'))
  if (!quiet) console.log(`electron main and preload built in ${Date.now() - started} ms -> ${OUT}`)
  return OUT
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildElectron()
