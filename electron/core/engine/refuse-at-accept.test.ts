// Turning refused addresses away at accept, on a real TCP server and real connections from other
// loopback addresses: a refused connection never becomes a socket of the server's, the first few of
// an address are held open until its cool-down ends and the rest closed at once, within a bound per
// address and in all; an address not refused is accepted as before.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { CoolDown } from './connection-budget.js'
import { refuseAtAccept } from './refuse-at-accept.js'
import { eventually, onceWithin } from '../testing/wait.js'

const WAIT_MS = 30_000
const servers: Server[] = []
const sockets: Socket[] = []
after(() => {
  sockets.forEach((s) => s.destroy())
  servers.forEach((s) => s.close())
})

async function listening(): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = []
  const server = createServer((s) => {
    accepted.push(s)
    sockets.push(s)
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await onceWithin(server, 'listening', WAIT_MS, 'the server to listen')
  return { server, port: (server.address() as { port: number }).port, accepted }
}

/** A connection from `from`, open; `closed()` resolves when the server has ended it. */
async function dial(port: number, from: string): Promise<{ closed(): Promise<void>; isClosed(): boolean }> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from })
  sockets.push(socket)
  socket.on('error', () => {}) // a reset is one of the ways to be turned away
  socket.resume() // read, so the server's close is seen
  let done = false
  socket.once('close', () => (done = true))
  await onceWithin(socket, 'connect', WAIT_MS, `a connection from ${from}`)
  return {
    closed: async () => {
      if (!done) await onceWithin(socket, 'close', WAIT_MS, `the connection from ${from} to close`)
    },
    isClosed: () => done,
  }
}
describe('refusing at accept', () => {
  it("holds a refused address's first connections open, closes the rest at once, and builds no socket for any", async () => {
    const { server, port, accepted } = await listening()
    const cooling = new CoolDown()
    cooling.add('127.0.0.2', 60_000)
    const refused: boolean[] = []
    const guard = refuseAtAccept(server, cooling, { perAddress: 2, onRefused: (held) => refused.push(held) })

    const first = [await dial(port, '127.0.0.2'), await dial(port, '127.0.0.2')]
    const third = await dial(port, '127.0.0.2')
    await third.closed()
    assert.deepEqual(refused, [true, true, false])
    assert.ok(
      first.every((c) => !c.isClosed()),
      'the first two are still held open',
    )
    assert.equal(guard.held, 2)

    const member = await dial(port, '127.0.0.1')
    await eventually(() => accepted.length > 0, WAIT_MS, "the other address's connection")
    assert.equal(accepted.length, 1, 'only the address not refused reached the server')
    assert.ok(!member.isClosed())

    guard.close()
    await Promise.all(first.map((c) => c.closed()))
    assert.equal(guard.held, 0)
  })

  it('closes a held connection when its cool-down ends, not before', async () => {
    const { server, port, accepted } = await listening()
    const cooling = new CoolDown()
    const COOL_MS = 1_000
    cooling.add('127.0.0.2', COOL_MS)
    const t0 = Date.now()
    const guard = refuseAtAccept(server, cooling)
    const c = await dial(port, '127.0.0.2')
    assert.equal(guard.held, 1)
    await c.closed()
    assert.ok(Date.now() - t0 >= COOL_MS - 50, `held ${Date.now() - t0} ms, until the cool-down ended`)
    assert.equal(guard.held, 0)
    // Its cool-down over, the address is accepted again.
    await dial(port, '127.0.0.2')
    await eventually(() => accepted.length > 0, WAIT_MS, 'the connection after the cool-down')
  })

  it('holds at most `max` connections in all, whatever the addresses', async () => {
    const { server, port } = await listening()
    const cooling = new CoolDown()
    cooling.add('127.0.0.2', 60_000)
    cooling.add('127.0.0.3', 60_000)
    const guard = refuseAtAccept(server, cooling, { perAddress: 4, max: 1 })
    const held = await dial(port, '127.0.0.2')
    const other = await dial(port, '127.0.0.3')
    await other.closed()
    assert.ok(!held.isClosed())
    assert.equal(guard.held, 1)
    guard.close()
    await held.closed()
  })

  it('refuses to install on a server that is not listening', () => {
    assert.throws(() => refuseAtAccept(createServer(), new CoolDown()), /not listening/)
  })
})
