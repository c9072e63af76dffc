// Bundles the renderer: renderer/main.tsx -> renderer/dist/{index.html, app.js, app.css}.
// One classic (IIFE) script rather than a module: Electron loads the page from file://, where
// module scripts meet CORS rules. No code splitting, no eval, nothing fetched at run time.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer')
const out = join(root, 'dist')
const dev = process.argv.includes('--dev')

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const started = Date.now()
await build({
  entryPoints: { app: join(root, 'main.tsx') },
  outdir: out,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? 'inline' : 'linked',
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  legalComments: 'linked',
  logLevel: 'warning',
})
copyFileSync(join(root, 'index.html'), join(out, 'index.html'))
console.log(`renderer built in ${Date.now() - started} ms -> ${out}`)
