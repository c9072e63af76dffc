// `npm start`: builds the interface and the desktop app, then launches Electron. Where the
// Electron binary is absent (it cannot be downloaded on these machines), says so in one line and
// starts browser mode instead: `coterie run --ui`, whose printed URL opens the same interface.
// Arguments after `npm start --` go to the app (e.g. --profile DIR, --peer host:port).
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './electron-binary.mjs'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const args = process.argv.slice(2)

const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-renderer.mjs')], { stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)

const binary = electronBinary()
let child
if (binary !== null) {
  const { buildElectron } = await import('./build-electron.mjs')
  await buildElectron()
  child = spawn(binary, [ROOT, ...args], { stdio: 'inherit' })
} else {
  console.log(
    'Electron binary not found (node_modules/electron has none; ELECTRON_SKIP_BINARY_DOWNLOAD?): starting browser mode, open the ui: URL below',
  )
  // --profile is the CLI's global option: it goes before the command.
  const at = args.indexOf('--profile')
  const profile = at >= 0 ? args.splice(at, 2) : []
  child = spawn(
    process.execPath,
    [join(ROOT, 'electron', 'core', 'cli', 'coterie.mjs'), ...profile, 'run', '--ui', ...args],
    { stdio: 'inherit' },
  )
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
