/**
 * The NAT lab's figures (issue 14): each case of the table run for real in network
 * namespaces (electron/core/testing/netlab/), printed as a table. Root only.
 * Usage: npm run bench:net [-- case ...]   (cases: the keys of CASES in scenario.ts)
 */
import { labUnavailable } from '../electron/core/testing/netlab/lab.js'
import { CASES, runCase, webrtcUnavailable, type CaseSpec } from '../electron/core/testing/netlab/scenario.js'

const why = labUnavailable()
if (why !== undefined) {
  console.log(`bench:net skipped: ${why}`)
  process.exit(0)
}
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(CASES)
console.log(
  '| case | first byte (s) | done (s) | throughput / uplink | resumed after restart (s) | target (first byte, throughput) | how Bob reached Alice | reachability |',
)
console.log('|---|---|---|---|---|---|---|---|')
for (const name of names) {
  const spec: CaseSpec | undefined = CASES[name as keyof typeof CASES]
  if (spec === undefined) throw new Error(`no case ${name}; cases: ${Object.keys(CASES).join(' ')}`)
  const noRtc = spec.ice === true ? webrtcUnavailable() : undefined
  if (noRtc !== undefined) {
    console.log(`| ${spec.name} | skipped: ${noRtc} |||||||`)
    continue
  }
  const r = await runCase(spec)
  const cell = (v: number | undefined) => (v === undefined ? '—' : String(v))
  const done = r.done
    ? `${cell(r.doneS)}${r.identical ? '' : ' (DIFFERENT BYTES)'}`
    : `not done: ${r.bytes} B after ${spec.timeoutMs / 1000} s`
  const t = spec.target
  const target =
    t === undefined
      ? '—'
      : `< ${t.firstByteS} s ${r.firstByteS !== undefined && r.firstByteS < t.firstByteS ? 'met' : 'MISSED'}, >= ${t.ratio}x ${r.throughputRatio !== undefined && r.throughputRatio >= t.ratio ? 'met' : 'MISSED'}`
  const capture =
    r.captured === undefined
      ? ''
      : `; capture on the public host: ${r.captured} B, the file's bytes found ${r.plaintextAt!.length} times`
  console.log(
    `| ${r.name} | ${cell(r.firstByteS)} | ${done} | ${cell(r.throughputRatio)} | ${cell(r.resumeS)} | ${target} | ${(r.reached ?? []).join(', ') || '—'}${capture} | ${r.reachability.join('; ')} |`,
  )
}
