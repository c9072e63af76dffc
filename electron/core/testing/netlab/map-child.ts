/**
 * Runs inside a lab home (issue 14): listens on a TCP port, maps it with the engine's PortMapper
 * (one method, from argv), prints the mapping as one JSON line, and on "stop" on stdin deletes it
 * and prints "stopped". Lets the lab test check from the public host that the mapping really
 * forwards, and that stop really removes it.
 * Usage: node --import tsx map-child.ts PORT nat-pmp|upnp
 */
import { createServer } from 'node:net'
import { PortMapper, type MappingMethod } from '../../engine/port-mapping.js'

const port = Number(process.argv[2])
const method = process.argv[3] as MappingMethod
const server = createServer((s) => s.end('coterie\n'))
server.listen(port, '0.0.0.0', () => {
  const mapper = new PortMapper(port, {
    methods: [method],
    udp: true,
    onWarning: (e) => process.stderr.write(`warning: ${e.message}\n`),
  })
  void mapper.mapped.then((m) => process.stdout.write(`${JSON.stringify(m ?? null)}\n`))
  process.stdin.on('data', (d) => {
    if (!d.toString().includes('stop')) return
    void mapper.stop().then(() => {
      process.stdout.write('stopped\n')
      server.close()
      process.exit(0)
    })
  })
})
