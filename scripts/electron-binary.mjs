// Where the Electron binary is, without the electron package's own lookup, which starts a
// download when it is missing (impossible here: ELECTRON_SKIP_BINARY_DOWNLOAD). null when absent.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')

export function electronBinary(env = process.env) {
  const pkg = join(ROOT, 'node_modules', 'electron')
  const pathTxt = join(pkg, 'path.txt')
  if (!existsSync(pathTxt)) return null
  const name = readFileSync(pathTxt, 'utf8').trim()
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist')
  const bin = join(dist, name)
  return existsSync(bin) ? bin : null
}
