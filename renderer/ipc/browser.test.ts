// The browser-mode client against a real WebSocket server (the `ws` package, as the server side
// is): results, events, timeouts, the bound on waiting requests, and reconnection.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { BrowserClient, type ConnectionState, type SocketLike } from './browser.js'

let http: Server
let wss: WebSocketServer
let origin: string
/** What the fake server does with each invoke: answer, stay silent, or drop the connection. */
let behave: (frame: { id: number; channel: string; request: unknown }, ws: ServerSocket) => void
const sockets = new Set<ServerSocket>()

before(async () => {
  http = createServer()
  wss = new WebSocketServer({ server: http, path: '/ipc' })
  wss.on('connection', (ws, req) => {
    assert.match(req.url ?? '', /token=tok_0123456789abcdef/)
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('message', (m) => behave(JSON.parse(String(m)), ws))
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
})
after(async () => {
  for (const s of sockets) s.terminate()
  wss.close()
  await new Promise((r) => http.close(r))
})

const client = (o: Partial<ConstructorParameters<typeof BrowserClient>[0]> = {}) =>
  new BrowserClient({
    origin,
    token: 'tok_0123456789abcdef',
    socket: (url) => new WebSocket(url) as unknown as SocketLike,
    backoffMs: 10,
    maxBackoffMs: 40,
    ...o,
  })
const answer = (value: unknown) => (f: { id: number }, ws: ServerSocket) =>
  ws.send(JSON.stringify({ t: 'result', id: f.id, result: { ok: true, value } }))
const until = async (cond: () => boolean, what: string, ms = 5_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

test('a request gets its result; events reach listeners until they unsubscribe', async () => {
  behave = answer([])
  const c = client()
  try {
    assert.deepEqual(await c.invoke('friends.list', {}), { ok: true, value: [] })
    const seen: number[] = []
    const off = c.on('profile.changed', (p) => seen.push(p.revision))
    for (const s of sockets) s.send(JSON.stringify({ t: 'event', event: 'profile.changed', payload: { revision: 7 } }))
    await until(() => seen.length === 1, 'the pushed event')
    off()
    for (const s of sockets) {
      s.send('not json')
      s.send(JSON.stringify({ t: 'result', id: 'x' }))
      s.send(JSON.stringify({ t: 'event', event: 'profile.changed', payload: { revision: 8 } }))
    }
    assert.deepEqual(
      await c.invoke('friends.list', {}),
      { ok: true, value: [] },
      'malformed frames are dropped, the socket lives on',
    )
    assert.deepEqual(seen, [7])
  } finally {
    c.close()
  }
})

test('a request the server never answers fails after its timeout, as a value', async () => {
  behave = () => {}
  const c = client({ timeoutMs: 80 })
  try {
    const started = Date.now()
    const r = await c.invoke('friends.list', {})
    assert.equal(r.ok, false)
    assert.equal(!r.ok && r.error.code, 'unavailable')
    assert.ok(Date.now() - started < 1000)
  } finally {
    c.close()
  }
})

test('at most maxPending requests wait; the next is refused at once', async () => {
  behave = () => {}
  const c = client({ timeoutMs: 300, maxPending: 2 })
  try {
    const waiting = [c.invoke('friends.list', {}), c.invoke('groups.list', {})]
    const r = await c.invoke('torrents.list', {})
    assert.equal(!r.ok && r.error.message, 'Too many requests are waiting for Coterie; try again in a moment.')
    await Promise.all(waiting)
  } finally {
    c.close()
  }
})

test('a lost connection fails what was sent, reconnects with backoff, and sends what was queued', async () => {
  const states: ConnectionState[] = []
  behave = (_f, ws) => ws.terminate()
  const c = client({ onState: (s) => states.push(s) })
  try {
    const r = await c.invoke('friends.list', {})
    assert.equal(!r.ok && r.error.code, 'unavailable', 'sent, then the socket died: not replayed')
    behave = answer(['back'])
    await until(() => states.at(-1) === 'open' && states.includes('reconnecting'), 'the client to reconnect')
    assert.deepEqual(await c.invoke('friends.list', {}), { ok: true, value: ['back'] })
  } finally {
    c.close()
  }
  assert.equal(states.at(-1), 'closed')
})

test('a request made while disconnected waits for the connection, within its timeout', async () => {
  behave = answer('late but fine')
  for (const s of sockets) s.terminate()
  let open = false
  const c = client({ onState: (s) => (open = s === 'open') })
  try {
    assert.equal(open, false)
    const r = await c.invoke('identity.get', {})
    assert.deepEqual(r, { ok: true, value: 'late but fine' })
  } finally {
    c.close()
  }
})
