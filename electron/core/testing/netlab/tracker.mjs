/**
 * The group's tracker on the lab's public host (issue 14): bittorrent-tracker's server, HTTP and
 * WebSocket on one port, as a group owner would run it. Prints "tracker ready" once listening.
 * Plain JS so that it starts without a TypeScript loader inside the namespace.
 * Usage: node tracker.mjs PORT
 */
import { Server } from 'bittorrent-tracker'

const port = Number(process.argv[2] ?? 8000)
const server = new Server({ udp: false, http: true, ws: true, stats: false })
server.on('error', (e) => process.stderr.write(`tracker: ${e.message}\n`))
server.on('warning', (e) => process.stderr.write(`tracker warning: ${e.message}\n`))
server.listen(port, '0.0.0.0', () => process.stdout.write('tracker ready\n'))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
