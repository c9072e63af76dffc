#!/usr/bin/env node
// Model-checks the handshake (docs/model/handshake.pml), the group index, renewal and revocation
// (docs/model/group-index.pml) and the TLS switch's channel binding (docs/model/tls-switch.pml)
// with SPIN: `npm run verify`.
//
// For every attacker configuration of the handshake (OUTSIDER, FORMER, INSIDER), and for the
// index model (INDEX: a revoked member owns the network), it runs
//   - the model of the real protocol, which must give 0 errors: P1-P3 and key secrecy as
//     assertions plus claim p4, then claim p5 under weak fairness, then the MIXED_HELLOS variant
//     (index: I2-I6 as assertions plus claim i1);
//   - each deliberately broken variant, which must give at least 1 error (one exception, listed
//     below with its reason), and for each the shortest counterexample found, replayed with spin -t;
//   - witnesses: reachability checks that must give an error, so that the properties above are not
//     true merely because nothing happens (an honest session completes, an expiry drop happens...).
// Each run: spin -a, gcc, ./pan in its own temp dir, every step killed after STEP_TIMEOUT_MS.
// Exits 1 if spin or gcc is missing, a step times out or fails, or any expectation is not met.
//
// Options: --jobs N (parallel runs, default: min(4, cores)), --only TEXT (runs whose name has
// TEXT), --keep (keep the temp dirs), --json FILE (write the results), --quiet (no trails).
// Environment: SPIN, CC (tools), VERIFY_STEP_TIMEOUT_S (default 120), VERIFY_MODEL_DIR.
// docs/MODEL.md explains the model, the properties and how to read a counterexample.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const MODEL_DIR = process.env.VERIFY_MODEL_DIR ?? join(ROOT, 'docs', 'model')
const HANDSHAKE = 'handshake.pml'
const INDEX = 'group-index.pml'
const TLS = 'tls-switch.pml'
/** The property each claim checks, as docs/MODEL.md names it. */
const CLAIMS = { p4: 'P4', p5: 'P5', i1: 'I1' }
const SPIN = process.env.SPIN ?? 'spin'
const CC = process.env.CC ?? 'gcc'
const STEP_TIMEOUT_MS = 1000 * Number(process.env.VERIFY_STEP_TIMEOUT_S ?? 120)
const MAX_DEPTH = 10_000 // pan -m; the deepest run reaches about 450
const MEMLIM_MB = 2048

// ---------------------------------------------------------------- options
const args = process.argv.slice(2)
const opt = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const jobs = Math.max(1, Number(opt('--jobs') ?? Math.min(4, availableParallelism())))
const only = opt('--only')
const keep = args.includes('--keep')
const quiet = args.includes('--quiet')
const jsonOut = opt('--json')

// ---------------------------------------------------------------- the run matrix
const CONFIGS = ['OUTSIDER', 'FORMER', 'INSIDER']

/** Broken variants: what changes in the honest parties, and where SPIN must refute it. */
const BROKEN = [
  { flag: 'NO_NONCE_BINDING', why: 'signature does not cover th: a proof replays into another session' },
  { flag: 'NO_ROLE_LABEL', why: "no role label: the initiator's own proof is reflected back as the responder's" },
  { flag: 'RESPONDER_FIRST', why: 'responder proves before verifying: its certificate goes to anyone' },
  { flag: 'NO_KEY_BINDING', why: 'keys computable from the transcript alone: a relay learns them' },
  {
    flag: 'UNSIGNED_EXPIRY',
    why: 'expiry outside the swarm signature: a lapsed member extends its certificate',
    // An outsider's certificate is from another swarm: extending it changes nothing.
    safeIn: { OUTSIDER: 'needs a certificate of THIS swarm to extend; an outsider has none' },
  },
  { flag: 'NO_RECHECK', liveness: true, why: 'expiry checked only in the handshake (as in Closed Swarms)' },
]

const WITNESSES = [
  { flag: 'WITNESS_MUTUAL', why: 'an honest-honest session through the attacker completes' },
  { flag: 'WITNESS_DROP', why: 'an authorization is dropped by the expiry re-check' },
  { flag: 'WITNESS_SELF', why: 'a member authorizes itself across two of its own connections' },
  { flag: 'WITNESS_INSIDER', why: 'the insider is authorized under its own key', configs: ['INSIDER'] },
  {
    flag: 'WITNESS_INITIATOR_CERT',
    why: 'an outsider reads the certificate of an initiator that connects to it (by design)',
    configs: ['OUTSIDER'],
  },
]

/*
 * The index model (group-index.pml) has one configuration: the attacker is a member the owner
 * removes (M), and owns the network. Its broken variants and witnesses, as above.
 */
const INDEX_BROKEN = [
  { flag: 'NO_VERSION_CHECK', why: 'an older signed index replaces a newer one: the held version goes back' },
  {
    flag: 'NO_VERSION_CHECK',
    noClaim: true,
    why: 'an older signed index replaces the one revoking M: M is authorized and downloads again',
  },
  { flag: 'UNSIGNED_INDEX', why: "the owner's signature is not checked: a forged index is held" },
  { flag: 'RENEW_ANY', why: 'the renewal path serves any key that proved itself: the revoked M gets v3' },
  { flag: 'NO_LIVE_CUT', why: "a newer index revoking M does not cut M's live connections" },
  { flag: 'EXPIRED_DATA', why: 'the renewal connection of an expired peer is also authorized for data' },
  { flag: 'INDEX_IN_CLEAR', why: 'indexes pass between members unsealed: the network reads the rotated secret' },
]

const INDEX_WITNESSES = [
  { flag: 'WITNESS_RELAYED', why: 'a member gets v3 (the revocation) from another member' },
  { flag: 'WITNESS_RENEWAL', why: 'a member whose certificate expired gets its renewal over the renewal path' },
  { flag: 'WITNESS_M_RENEWAL', why: 'M, still a member, gets its renewal over the renewal path' },
  { flag: 'WITNESS_CUT', why: "M's live connection, on its renewed certificate, is cut when v3 arrives" },
  { flag: 'WITNESS_WINDOW', why: 'after v3 is published, M still downloads from a member v3 has not reached' },
]

/*
 * The TLS switch model (tls-switch.pml): its channel binding against an attacker that forwards or
 * terminates TLS toward each side. Assertions only (T1, T2); no claim.
 */
const TLS_BROKEN = [
  { flag: 'NO_BINDING', why: 'the binding MAC is not checked: a relay that terminates TLS reads the blocks' },
  { flag: 'NO_ROLE', why: "the MAC has no role: a relay terminating TLS toward one side reflects that side's MAC" },
  { flag: 'SEND_EARLY', why: "BitTorrent bytes go into TLS before the peer's MAC is checked" },
]
const TLS_WITNESSES = [{ flag: 'WITNESS_BOUND', why: 'both sides bind through a forwarding attacker and send data' }]

function matrix() {
  const runs = []
  for (const config of CONFIGS) {
    const base = { config, model: HANDSHAKE, expectError: false }
    runs.push({ ...base, kind: 'correct', variant: 'correct', claim: 'p4', defines: [config] })
    runs.push({ ...base, kind: 'correct', variant: 'correct', claim: 'p5', defines: [config, 'LIVENESS'] })
    runs.push({
      ...base,
      kind: 'correct',
      variant: 'correct MIXED_HELLOS NI=3',
      claim: 'p4',
      defines: [config, 'MIXED_HELLOS', 'NI=3'],
    })
    for (const b of BROKEN) {
      const safe = b.safeIn?.[config]
      runs.push({
        config,
        model: HANDSHAKE,
        kind: 'broken',
        variant: b.flag,
        why: safe ?? b.why,
        expectError: safe === undefined,
        claim: b.liveness ? 'p5' : 'p4',
        defines: [config, b.flag, ...(b.liveness ? ['LIVENESS'] : [])],
      })
    }
    for (const w of WITNESSES) {
      if (w.configs && !w.configs.includes(config)) continue
      runs.push({
        config,
        model: HANDSHAKE,
        kind: 'witness',
        variant: w.flag,
        why: w.why,
        expectError: true,
        claim: 'p4',
        defines: [config, w.flag],
      })
    }
  }
  const index = { config: 'INDEX', model: INDEX }
  runs.push({ ...index, kind: 'correct', variant: 'correct', expectError: false, claim: 'i1', defines: [] })
  for (const b of INDEX_BROKEN) {
    const claim = b.noClaim ? 'none' : 'i1'
    runs.push({
      ...index,
      kind: 'broken',
      variant: b.flag,
      why: b.why,
      expectError: true,
      claim,
      defines: [b.flag, ...(b.noClaim ? ['NO_LTL'] : [])],
    })
  }
  for (const w of INDEX_WITNESSES) {
    runs.push({
      ...index,
      kind: 'witness',
      variant: w.flag,
      why: w.why,
      expectError: true,
      claim: 'i1',
      defines: [w.flag],
    })
  }
  const tls = { config: 'TLS', model: TLS, claim: 'none' }
  runs.push({ ...tls, kind: 'correct', variant: 'correct', expectError: false, defines: [] })
  for (const b of TLS_BROKEN)
    runs.push({ ...tls, kind: 'broken', variant: b.flag, why: b.why, expectError: true, defines: [b.flag] })
  for (const w of TLS_WITNESSES)
    runs.push({ ...tls, kind: 'witness', variant: w.flag, why: w.why, expectError: true, defines: [w.flag] })
  return runs.map((r) => ({ ...r, name: `${r.config}/${r.variant}/${r.claim}` }))
}

// ---------------------------------------------------------------- process helpers
function run(cmd, argv, cwd, timeoutMs = STEP_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const started = Date.now()
    let out = ''
    let timedOut = false
    let child
    try {
      child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (e) {
      resolve({ code: -1, out: String(e), timedOut, seconds: 0 })
      return
    }
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('error', (e) => {
      out += String(e)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, out, timedOut, seconds: (Date.now() - started) / 1000 })
    })
  })
}

function requireTool(cmd, versionArgs, hint) {
  const r = spawnSync(cmd, versionArgs, { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    console.error(`verify: '${cmd}' is not usable (${r.error?.code ?? `exit ${r.status}`}). ${hint}`)
    process.exit(1)
  }
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim()) ?? cmd
}

// ---------------------------------------------------------------- one run
const modelLines = new Map(
  [HANDSHAKE, INDEX, TLS].map((f) => [f, readFileSync(join(MODEL_DIR, f), 'utf8').split('\n')]),
)

/** The property an assertion at `line` of `model` checks: its trailing comment. */
function propertyAt(model, line) {
  const m = /\/\*\s*(.*?)\s*\*\//.exec(modelLines.get(model)[line - 1] ?? '')
  return m ? m[1] : `assertion at ${model}:${line}`
}

async function verifyOne(r, workRoot) {
  const dir = join(workRoot, r.name.replace(/[^A-Za-z0-9_=-]+/g, '_'))
  mkdirSync(dir, { recursive: true })
  for (const f of readdirSync(MODEL_DIR)) if (f.endsWith('.pml')) cpSync(join(MODEL_DIR, f), join(dir, f))
  const D = r.defines.map((d) => `-D${d}`)
  const MODEL = r.model
  const res = {
    ...r,
    errors: undefined,
    states: undefined,
    depth: undefined,
    panSeconds: undefined,
    seconds: 0,
    ok: false,
    problem: undefined,
    finding: undefined,
    trail: [],
  }
  const t0 = Date.now()
  const fail = (problem, out = '') => {
    res.problem = problem
    res.detail = out.split('\n').slice(-15).join('\n')
    res.seconds = (Date.now() - t0) / 1000
    return res
  }

  const a = await run(SPIN, ['-a', ...D, MODEL], dir)
  if (a.timedOut) return fail('spin -a timed out', a.out)
  if (a.code !== 0) return fail(`spin -a failed (exit ${a.code})`, a.out)

  // -O1: compiling pan.c is most of a run's time, and -O2 doubles it for no faster search here.
  // -w: the generated pan.c draws spurious -Wstringop-overflow warnings from gcc 12+.
  // -DNFAIR=3: room for weak fairness over this many processes; -DREACH: needed by pan -i.
  const ccFlags = [
    '-O1',
    '-w',
    `-DMEMLIM=${MEMLIM_MB}`,
    '-DNFAIR=3',
    ...(r.expectError ? ['-DREACH'] : []),
    '-o',
    'pan',
    'pan.c',
  ]
  const c = await run(CC, ccFlags, dir)
  if (c.timedOut) return fail('gcc timed out', c.out)
  if (c.code !== 0) return fail(`gcc failed (exit ${c.code})`, c.out)

  // -a: acceptance cycles of the claim; -f: weak fairness (p5 needs the re-check to run).
  // -i: iterative search for a shorter counterexample, in runs that must fail. pan documents -i
  // for safety only, so p4 and i1 runs that must fail leave out -a (both are safety formulas: pan
  // reports them as an assertion of the claim, with or without -a); for p5 the trail is just
  // shorter. A run with no claim checks the assertions alone.
  const panArgs = [
    ...(r.claim === 'p5' ? ['-a', '-f'] : r.expectError || r.claim === 'none' ? [] : ['-a']),
    ...(r.expectError ? ['-i'] : []),
    `-m${MAX_DEPTH}`,
    '-n',
  ]
  const p = await run('./pan', panArgs, dir)
  if (p.timedOut) return fail(`pan timed out after ${STEP_TIMEOUT_MS / 1000} s`, p.out)
  const num = (re) => {
    const m = re.exec(p.out)
    return m ? Number(m[1]) : undefined
  }
  res.errors = num(/errors: (\d+)/)
  res.states = num(/(\d+) states, stored/)
  res.depth = num(/depth reached (\d+)/)
  res.panSeconds = num(/elapsed time ([\d.e+-]+) seconds/)
  res.panCommand = `spin -a ${D.join(' ')} ${MODEL} && ${CC} ${ccFlags.join(' ')} && ./pan ${panArgs.join(' ')}`
  if (res.errors === undefined || res.states === undefined) return fail('could not parse pan output', p.out)
  if (/max search depth too small/.test(p.out) && !r.expectError)
    return fail(`search truncated: raise -m${MAX_DEPTH}`, p.out)
  if (/MEMLIM|out of memory/i.test(p.out) && !/errors: [1-9]/.test(p.out)) return fail('pan ran out of memory', p.out)
  const first = /pan:1: (.*?) \(at depth \d+\)/.exec(p.out)

  if (res.errors > 0) {
    // Replay the (shortest found) trail: the MSG lines are the messages, in order.
    const t = await run(SPIN, ['-T', '-t', ...D, MODEL], dir)
    if (t.timedOut) return fail('spin -t timed out', t.out)
    const lines = t.out.split('\n')
    // spin -t stops at the step that failed; text after "spin:" on a line is its own report.
    res.trail = lines
      .filter((l) => l.startsWith('MSG ') || l.includes('START OF CYCLE'))
      .map((l) =>
        l
          .replace(/^MSG /, '')
          .replace(/\s*spin: .*$/, '')
          .replace(/<<<<<START OF CYCLE>>>>>/, '... then forever (cycle):'),
      )
      .filter((l) => l.trim() !== '')
    // The replay goes on to the end of the failing atomic step, so it reports every assertion
    // that fails at that point (e.g. both P1 and P2 for a replayed proof).
    const at = new RegExp(`spin: ${MODEL.replace('.', '\\.')}:(\\d+), Error: assertion violated`)
    const bad = [...new Set(lines.map((l) => at.exec(l)?.[1]).filter(Boolean))]
    if (first && /acceptance cycle/.test(first[1]))
      res.finding = `${CLAIMS[r.claim]} (ltl ${r.claim}): acceptance cycle`
    else if (bad.length > 0 && r.kind === 'witness') res.finding = `reachable: ${r.why}`
    else if (bad.length > 0) res.finding = bad.map((l) => propertyAt(MODEL, Number(l))).join('; ')
    else if (first && /assertion violated/.test(first[1]) && !first[1].includes(MODEL))
      res.finding = `${CLAIMS[r.claim]} (ltl ${r.claim}) violated`
    else res.finding = first ? first[1] : 'error'
  }
  res.ok = r.expectError ? res.errors >= 1 : res.errors === 0
  if (!res.ok) res.problem = r.expectError ? 'expected an error, SPIN found none' : `expected 0 errors: ${res.finding}`
  res.seconds = (Date.now() - t0) / 1000
  return res
}

// ---------------------------------------------------------------- main
const t0 = Date.now()
const spinVersion = requireTool(
  SPIN,
  ['-V'],
  'Install SPIN 6.5 or later (Debian/Ubuntu: apt-get install spin), or set SPIN=/path/to/spin.',
)
const ccVersion = requireTool(CC, ['--version'], 'Install a C compiler (apt-get install gcc), or set CC.')
let runs = matrix()
if (only) runs = runs.filter((r) => r.name.includes(only))
if (runs.length === 0) {
  console.error(`verify: no run matches --only ${only}`)
  process.exit(1)
}
console.log(`${spinVersion.trim()}; ${ccVersion.trim()}`)
console.log(
  `${runs.length} runs of docs/model/{${HANDSHAKE},${INDEX},${TLS}}, ${jobs} at a time, each step limited to ${STEP_TIMEOUT_MS / 1000} s\n`,
)

const workRoot = mkdtempSync(join(tmpdir(), 'coterie-verify-'))
const results = new Array(runs.length)
let next = 0
async function worker() {
  while (next < runs.length) {
    const i = next++
    const r = await verifyOne(runs[i], workRoot)
    results[i] = r
    const mark = r.ok ? 'ok  ' : 'FAIL'
    console.log(
      `${mark} ${r.name.padEnd(52)} errors ${String(r.errors ?? '-').padStart(3)}  ${r.seconds.toFixed(1)} s${r.problem ? `  -- ${r.problem}` : ''}`,
    )
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, worker))

// ---------------------------------------------------------------- report
const fmt = (n) => (n === undefined ? '-' : n.toLocaleString('en-US'))
const rows = results.map((r) => [
  r.config,
  r.variant,
  r.claim,
  r.expectError ? '>= 1' : '0',
  fmt(r.errors),
  fmt(r.states),
  fmt(r.depth),
  r.panSeconds === undefined ? '-' : r.panSeconds.toFixed(2),
  r.seconds.toFixed(1),
  r.ok ? 'ok' : 'FAIL',
])
const head = [
  'config',
  'variant',
  'claim',
  'expected',
  'errors',
  'states stored',
  'depth',
  'pan s',
  'total s',
  'result',
]
const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
const line = (cells) =>
  `| ${cells.map((c, i) => (i >= 4 && i <= 8 ? c.padStart(width[i]) : c.padEnd(width[i]))).join(' | ')} |`
console.log(
  `\n${line(head)}\n|${width.map((w, i) => (i >= 4 && i <= 8 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
)
for (const row of rows) console.log(line(row))

if (!quiet) {
  console.log('\nCounterexamples (pan -i, replayed with spin -T -t; the MSG lines of the trail):')
  for (const r of results) {
    if (!(r.errors > 0)) continue
    if (r.kind === 'witness') {
      console.log(`\n  ${r.name}: ${r.finding} (${r.trail.length} steps)`)
      continue
    }
    const label = r.kind === 'correct' ? 'UNEXPECTED: the model of the real protocol fails' : r.why
    console.log(`\n  ${r.name}: ${label}\n    violates: ${r.finding}`)
    const limit = r.kind === 'correct' ? 60 : 12
    for (const l of r.trail.slice(0, limit)) console.log(`      ${l}`)
    if (r.trail.length > limit) console.log(`      ... (${r.trail.length - limit} more)`)
  }
  const safe = results.filter((r) => r.kind === 'broken' && !r.expectError)
  for (const r of safe) console.log(`\n  ${r.name}: no error expected (${r.why})`)
}

const failed = results.filter((r) => !r.ok)
const total = (Date.now() - t0) / 1000
if (jsonOut)
  writeFileSync(jsonOut, `${JSON.stringify({ spin: spinVersion.trim(), seconds: total, results }, null, 2)}\n`)
if (keep) console.log(`\nwork dirs kept in ${workRoot}`)
else rmSync(workRoot, { recursive: true, force: true })

console.log(`\n${results.length - failed.length}/${results.length} runs as expected, ${total.toFixed(1)} s in total`)
// The plain summary line CI reads: a run "passes" when SPIN gave the expected verdict.
console.log(`verify: ${results.length - failed.length} passed, ${failed.length} failed`)
if (failed.length > 0) {
  console.log('\nFAILED:')
  for (const r of failed) {
    console.log(`  ${r.name}: ${r.problem}`)
    if (r.panCommand) console.log(`    reproduce in a copy of docs/model: ${r.panCommand}`)
    if (r.detail) console.log(r.detail.replace(/^/gm, '    '))
  }
  process.exit(1)
}
