/**
 * `npm run bench`: measures, prints a table, and writes bench/results/latest.json (git-ignored).
 * Targets are checked here, never in timed unit tests: these machines are noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { benchProtocol } from './protocol.js'
import { installNativePrimitives } from '../electron/core/platform/native-primitives.js'

// Pure-JS curves first (what a renderer or a runtime without native curves gets), then native
// (what the engine installs): both in one run, so the ratio is meaningful on a noisy machine.
const pure = await benchProtocol()
if (!installNativePrimitives()) throw new Error('native curve primitives unavailable')
const native = await benchProtocol()
const results = {
  date: new Date().toISOString(),
  node: process.version,
  ...native,
  pure_js: pure,
  native_speedup_cert_verify: Number((native.cert_verify_per_s / pure.cert_verify_per_s).toFixed(1)),
}
console.table(Object.keys(native).map((metric) => ({
  metric, '@noble/curves': pure[metric as keyof typeof pure], 'node:crypto': native[metric as keyof typeof native],
})))
const dir = new URL('./results/', import.meta.url)
mkdirSync(dir, { recursive: true })
writeFileSync(new URL('latest.json', dir), JSON.stringify(results, null, 2) + '\n')
const target = results.handshake_ms_median < 10
console.log(`handshake median ${results.handshake_ms_median} ms (target < 10 ms): ${target ? 'met' : 'MISSED'}`)
