// The provider's systemd unit (build/provider/coterie-provider.service, docs/PROVIDER.md): systemd's
// own checker reads it without a complaint (a misspelt or misvalued directive is only a warning to
// systemd, which would then run the service without that protection), and its hardening rates
// better than EXPOSURE_THRESHOLD in `systemd-analyze security`. No systemd needs to run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const UNIT = fileURLToPath(new URL('../build/provider/coterie-provider.service', import.meta.url))
/** systemd-analyze's exposure scale in tenths (0-100): 20 is "2.0", the top of its "OK" band. */
const EXPOSURE_THRESHOLD = 20

const analyze = (...args: string[]) => spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 })

test('the provider unit passes systemd-analyze verify and rates OK in security', (t) => {
  const version = analyze('--version')
  if (version.error !== undefined) return t.skip('systemd-analyze is not installed (Debian: systemd)')
  const verify = analyze('verify', UNIT)
  assert.equal(verify.status, 0, verify.stderr)
  assert.equal(`${verify.stdout}${verify.stderr}`.trim(), '', 'no warnings')
  const security = analyze('security', '--offline=true', `--threshold=${EXPOSURE_THRESHOLD}`, UNIT)
  assert.equal(security.status, 0, security.stdout.split('\n').slice(-3).join('\n'))
})
