/**
 * The bench peers in the form that ships (issue 16's memory figures): the desktop app runs its
 * main process from one esbuild bundle (scripts/build-electron.mjs), not through tsx, whose
 * compiler and caches cost about 40 MiB of RSS in every process. `BENCH_LOADER=tsx` measures
 * the source form instead (what `coterie run` from a checkout is). The bundles go to
 * out/bench/ (ignored by git) with packages left in node_modules, as the app's are; the engine
 * is a bundle of its own because bench/peer.ts imports it by a path that BENCH_ENGINE can
 * change, and the hashing worker sits beside it, where engine/create.ts looks for it.
 */
import { buildSync } from 'esbuild'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'out', 'bench')

/** tsx (the source) or bundle (what ships); BENCH_ENGINE names a .ts file, so it needs tsx. */
export const LOADER: 'tsx' | 'bundle' =
  process.env.BENCH_LOADER === 'tsx' || (process.env.BENCH_ENGINE ?? '') !== '' ? 'tsx' : 'bundle'

let built: { peer: string; engine: string } | undefined

/** Builds the peer and the engine once per bench process; returns their paths. */
export function bundledPeer(): { peer: string; engine: string } {
  if (built !== undefined) return built
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' } as const
  const peer = join(OUT, 'peer.mjs')
  const engine = join(OUT, 'engine.mjs')
  buildSync({ ...common, entryPoints: [join(ROOT, 'bench', 'peer.ts')], outfile: peer, packages: 'external' })
  buildSync({
    ...common,
    entryPoints: [join(ROOT, 'electron/core/engine/engine.ts')],
    outfile: engine,
    packages: 'external',
  })
  // Self-contained, as the app's (scripts/build-electron.mjs): a worker resolves nothing itself.
  buildSync({
    ...common,
    entryPoints: [join(ROOT, 'electron/core/engine/hash-worker.mjs')],
    outfile: join(OUT, 'hash-worker.mjs'),
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  })
  built = { peer, engine }
  return built
}
