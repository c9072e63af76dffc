/**
 * Can two homes behind the lab's routers open a connection to each other with no help but timing
 * (issue 14, hole punching)? Measures, per NAT kind, TCP simultaneous open and a UDP punch between
 * the two homes' listen ports (each side dials the other's router address from its own listen
 * port, as a coordinator would tell both to at the same moment). Decides which mechanism to build.
 * Root only. Usage: npx tsx bench/net-punch.ts
 */
import { buildLab, labUnavailable, type HomeOptions } from '../electron/core/testing/netlab/lab.js'

const why = labUnavailable()
if (why !== undefined) {
  console.log(`bench:net-punch skipped: ${why}`)
  process.exit(0)
}

const PORT = 51413
// One side of a punch: dials PEER:PORT from local PORT every 200 ms for 10 s; prints the ms it took or "fail".
const side = (proto: 'tcp' | 'udp', peer: string) =>
  proto === 'tcp'
    ? `const net=require('net');const t0=Date.now();const go=()=>{if(Date.now()-t0>10000){console.log('fail');process.exit(0)}const s=net.connect({host:'${peer}',port:${PORT},localPort:${PORT}});s.on('connect',()=>{console.log(Date.now()-t0);s.end();process.exit(0)});s.on('error',()=>setTimeout(go,200));s.setTimeout(500,()=>{s.destroy();setTimeout(go,50)})};go()`
    : `const d=require('dgram').createSocket('udp4');const t0=Date.now();d.bind(${PORT},()=>{const iv=setInterval(()=>{if(Date.now()-t0>10000){console.log('fail');process.exit(0)}d.send('hi',${PORT},'${peer}')},200)});d.once('message',()=>{console.log(Date.now()-t0);setTimeout(()=>process.exit(0),600)})`

const kinds: [string, HomeOptions][] = [
  ['port-preserving masquerade (common home router)', {}],
  ['fully-random masquerade (symmetric)', { symmetric: true }],
]
console.log('| NAT on both homes | TCP simultaneous open (ms, A / B) | UDP punch (ms, A / B) |')
console.log('|---|---|---|')
for (const [name, h] of kinds) {
  const cells: string[] = []
  for (const proto of ['tcp', 'udp'] as const) {
    const lab = buildLab({ homes: { a: h, b: h }, uplink: 2 << 20 })
    try {
      const run = (host: 'hA' | 'hB', peer: string) =>
        new Promise<string>((resolve) => {
          let out = ''
          const p = lab.spawn(host, process.execPath, ['-e', side(proto, peer)])
          p.stdout!.on('data', (d) => (out += d))
          p.once('exit', () => resolve(out.trim()))
        })
      const [a, b] = await Promise.all([run('hA', lab.wan.hB), run('hB', lab.wan.hA)])
      cells.push(`${a} / ${b}`)
    } finally {
      lab.destroy()
    }
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`)
}
