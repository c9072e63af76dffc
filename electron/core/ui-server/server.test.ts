// Browser mode over real sockets: the HTTP server, the WebSocket bridge and the upload endpoint in
// front of a real backend (real profile, real engine on 127.0.0.1), attacked the way a hostile
// page or a careless client would.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WebSocket } from 'ws'
import { startTestApp, type TestApp } from '../testing/app.js'
import { startUiServer, type UiServer } from './server.js'
import { uploadSegments, SHARED_BY_ME } from './upload.js'
import { assertOk } from '../testing/assert-result.js'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function http(
  server: UiServer,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: o.headers,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('timeout', () => req.destroy(new Error('request timed out')))
    req.on('error', reject)
    req.end(o.body)
  })
}

async function setup(
  t: Parameters<typeof startTestApp>[0],
  label: string,
  built = true,
  maxUploadBytes?: number,
): Promise<{ app: TestApp; server: UiServer; dist: string }> {
  const app = await startTestApp(t, label)
  const dist = path.join(app.root, 'dist')
  if (built) {
    await mkdir(path.join(dist, 'assets'), { recursive: true })
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><script src="/assets/app.js"></script>')
    await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(path.join(dist, 'assets', 'app.css'), 'body{}')
  }
  await writeFile(path.join(app.root, 'secret.txt'), 'not for the browser')
  const server = await startUiServer(app.backend, { staticDir: dist, log: () => {}, maxUploadBytes })
  t.after(() => server.close())
  return { app, server, dist }
}

/** Opens a socket; resolves when open, rejects with the HTTP status when the upgrade is refused. */
function connect(
  server: UiServer,
  o: { token?: string; protocol?: string; origin?: string; host?: string } = {},
): Promise<WebSocket> {
  const q = o.token === undefined ? '' : `?token=${encodeURIComponent(o.token)}`
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc${q}`, o.protocol === undefined ? [] : [o.protocol], {
    headers: { ...(o.origin !== undefined && { Origin: o.origin }), ...(o.host !== undefined && { Host: o.host }) },
    handshakeTimeout: 5_000,
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

// Messages are checked field by field below: loosely typed on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = any
function messages(ws: WebSocket): { all: unknown[]; next(match: (m: Msg) => boolean, ms?: number): Promise<Msg> } {
  const all: unknown[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (d) => {
    all.push(JSON.parse(d.toString()))
    for (const w of waiters) w()
  })
  return {
    all,
    next: (match, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = all.find(match)
          if (hit === undefined) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(hit)
        }
        const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), ms)
        waiters.add(check)
        check()
      }),
  }
}

const closed = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)))

describe('ui server: static files', () => {
  it('serves the built renderer with its MIME types and a strict CSP, and nothing outside it', async (t) => {
    const { server } = await setup(t, 'static')
    const index = await http(server, { path: '/' })
    assert.equal(index.status, 200)
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8')
    const csp = String(index.headers['content-security-policy'])
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts')
    assert.match(csp, /frame-ancestors 'none'/)
    assert.ok(!index.body.includes(server.token), 'the index embeds no secret')
    assert.equal(
      (await http(server, { path: '/assets/app.js' })).headers['content-type'],
      'text/javascript; charset=utf-8',
    )
    assert.equal((await http(server, { path: '/assets/app.css' })).headers['content-type'], 'text/css; charset=utf-8')
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const r = await http(server, { path: p })
      assert.equal(r.status, 404, p)
      assert.ok(!r.body.includes('not for the browser'), p)
    }
    assert.equal((await http(server, { path: '/', method: 'POST' })).status, 405)
  })

  it('says how to build the interface when renderer/dist is missing', async (t) => {
    const { server } = await setup(t, 'unbuilt', false)
    const r = await http(server, { path: '/' })
    assert.equal(r.status, 503)
    assert.match(r.body, /npm run build:renderer/)
  })

  it('refuses a Host that is not 127.0.0.1 or localhost (DNS rebinding)', async (t) => {
    const { server } = await setup(t, 'host')
    assert.equal((await http(server, { path: '/', headers: { Host: `evil.example:${server.port}` } })).status, 403)
    assert.equal((await http(server, { path: '/', headers: { Host: `localhost:${server.port}` } })).status, 200)
    await assert.rejects(connect(server, { token: server.token, host: `evil.example:${server.port}` }), /HTTP 403/)
  })
})

describe('ui server: the IPC WebSocket', () => {
  it('refuses a missing or wrong token and a foreign Origin', async (t) => {
    const { server } = await setup(t, 'ws-auth')
    await assert.rejects(connect(server), /HTTP 401/)
    await assert.rejects(
      connect(server, { token: server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A') }),
      /HTTP 401/,
    )
    await assert.rejects(connect(server, { token: server.token, origin: 'http://evil.example' }), /HTTP 403/)
    await assert.rejects(
      connect(server, { token: server.token, origin: `http://127.0.0.1:${server.port + 1}` }),
      /HTTP 403/,
    )
    const ok = await connect(server, { token: server.token, origin: `http://localhost:${server.port}` })
    ok.close()
    const viaProtocol = await connect(server, { protocol: `coterie.${server.token}` })
    assert.equal(
      viaProtocol.protocol,
      `coterie.${server.token}`,
      'the subprotocol carrying the token is accepted and echoed',
    )
    viaProtocol.close()
  })

  it('answers an invoke, pushes events, and answers a malformed request with bad-request', async (t) => {
    const { app, server } = await setup(t, 'ws-rt')
    const ws = await connect(server, { token: server.token })
    const inbox = messages(ws)
    ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'identity.get', request: {} }))
    const id = await inbox.next((m) => m.t === 'result' && m.id === 1)
    assertOk(id.result)
    assert.equal(id.result.value.key, (await app.call('identity.get', {})).key)

    ws.send(JSON.stringify({ t: 'invoke', id: 2, channel: 'identity.setName', request: { name: 'Zed' } }))
    assert.equal((await inbox.next((m) => m.id === 2)).result.value.displayName, 'Zed')
    const event = await inbox.next((m) => m.t === 'event' && m.event === 'profile.changed')
    assert.equal(typeof event.payload.revision, 'number')

    ws.send(JSON.stringify({ t: 'invoke', id: 3, channel: 'friends.add', request: { key: 42 } }))
    const bad = await inbox.next((m) => m.id === 3)
    assert.deepEqual([bad.result.ok, bad.result.error.code], [false, 'bad-request'])
    ws.send(JSON.stringify({ t: 'invoke', id: 4, channel: 'no.such', request: {} }))
    assert.equal((await inbox.next((m) => m.id === 4)).result.error.code, 'unknown-channel')
    ws.send(JSON.stringify({ t: 'nonsense', id: 5 }))
    assert.equal((await inbox.next((m) => m.id === 5)).result.error.code, 'bad-request')
    const done = closed(ws)
    ws.send('not json')
    assert.equal(await done, 1007, 'a frame that is not JSON closes the connection')
  })

  it('closes the connection on a frame over 2 MiB', async (t) => {
    const { server } = await setup(t, 'ws-big')
    const ws = await connect(server, { token: server.token })
    const done = closed(ws)
    ws.send(
      JSON.stringify({ t: 'invoke', id: 1, channel: 'identity.get', request: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
    )
    assert.equal(await done, 1009)
  })
})

describe('ui server: uploads', () => {
  it('streams a dropped file under "Shared by me", never overwrites, and the path shares', async (t) => {
    const { app, server } = await setup(t, 'upload')
    const put = (
      name: string,
      body: string | Buffer,
      headers: Record<string, string> = { Authorization: `Bearer ${server.token}` },
    ) => http(server, { method: 'PUT', path: `/upload?name=${encodeURIComponent(name)}`, headers, body })
    const first = await put('notes.txt', 'hello')
    assert.equal(first.status, 200, first.body)
    const { path: p1 } = JSON.parse(first.body) as { path: string }
    assert.equal(p1, path.join(app.downloads, SHARED_BY_ME, 'notes.txt'))
    assert.equal(await readFile(p1, 'utf8'), 'hello')
    const second = JSON.parse((await put('notes.txt', 'again')).body) as { path: string; renamed: boolean }
    assert.deepEqual(second, { path: path.join(app.downloads, SHARED_BY_ME, 'notes (2).txt'), renamed: true })
    assert.equal(await readFile(p1, 'utf8'), 'hello', 'the first file is untouched')
    const nested = JSON.parse((await put('album/disc 1/one.flac', Buffer.alloc(70_000, 7))).body) as { path: string }
    assert.equal(nested.path, path.join(app.downloads, SHARED_BY_ME, 'album', 'disc 1', 'one.flac'))

    assert.equal((await put('x.txt', 'x', {})).status, 401)
    assert.equal((await put('x.txt', 'x', { Authorization: 'Bearer nope' })).status, 401)
    assert.equal(
      (await put('x.txt', 'x', { Authorization: `Bearer ${server.token}`, Origin: 'http://evil.example' })).status,
      403,
    )
    for (const name of [
      '../escape.txt',
      '/etc/passwd',
      'a/../../b.txt',
      'C:evil.txt',
      'a\\..\\b.txt',
      'nul\0.txt',
      '',
      'a//b',
      './a',
    ]) {
      const r = await put(name, 'x')
      assert.equal(r.status, 400, `refused: ${JSON.stringify(name)} (${r.body})`)
    }
    // The uploaded path is one the backend can share.
    const g = await app.call('groups.create', { name: 'Uploads', members: [] })
    const shared = await app.call('groups.share', { group: g.id, paths: [p1] })
    assert.equal(shared.infoHashes.length, 1)
  })

  it("puts each group's uploads in a folder of its own, so a name in one never renames another's, and says when it renames", async (t) => {
    const { app, server } = await setup(t, 'upload-groups')
    const film = await app.call('groups.create', { name: 'Film club', members: [] })
    const books = await app.call('groups.create', { name: 'Books', members: [] })
    const put = async (group: string, name: string, body: string) => {
      const r = await http(server, {
        method: 'PUT',
        path: `/upload?name=${encodeURIComponent(name)}&group=${encodeURIComponent(group)}`,
        headers: { Authorization: `Bearer ${server.token}` },
        body,
      })
      assert.equal(r.status, 200, r.body)
      return JSON.parse(r.body) as { path: string; renamed: boolean }
    }
    const inFilm = await put(film.id, 'notes.txt', 'film')
    const inBooks = await put(books.id, 'notes.txt', 'books')
    assert.deepEqual(inFilm, { path: path.join(app.downloads, SHARED_BY_ME, 'Film club', 'notes.txt'), renamed: false })
    assert.deepEqual(inBooks, { path: path.join(app.downloads, SHARED_BY_ME, 'Books', 'notes.txt'), renamed: false })
    // Both share as notes.txt, each in its group: the name the members see is the one dropped.
    for (const [group, p] of [
      [film.id, inFilm.path],
      [books.id, inBooks.path],
    ] as const)
      assert.equal((await app.call('groups.share', { group, paths: [p] })).infoHashes.length, 1)
    // The same name again in one group's folder: kept apart as "(2)", and the answer says so.
    const again = await put(film.id, 'notes.txt', 'film, again')
    assert.deepEqual(again, {
      path: path.join(app.downloads, SHARED_BY_ME, 'Film club', 'notes (2).txt'),
      renamed: true,
    })
    assert.equal(await readFile(inFilm.path, 'utf8'), 'film', 'the first file is untouched')
    // A folder dropped twice: its first file asks for a fresh folder, so the second drop is never
    // mixed into the first's ("Photos (2)", said as renamed); its other files follow into it.
    const folder = (fresh: boolean) =>
      http(server, {
        method: 'PUT',
        path: `/upload?name=${encodeURIComponent('Photos/a.jpg')}&group=${film.id}${fresh ? '&fresh=1' : ''}`,
        headers: { Authorization: `Bearer ${server.token}` },
        body: 'a',
      }).then((r) => JSON.parse(r.body) as { path: string; renamed: boolean })
    const filmDir = path.join(app.downloads, SHARED_BY_ME, 'Film club')
    assert.deepEqual(await folder(true), { path: path.join(filmDir, 'Photos', 'a.jpg'), renamed: false })
    assert.deepEqual(await folder(true), { path: path.join(filmDir, 'Photos (2)', 'a.jpg'), renamed: true })
    const unknown = await http(server, {
      method: 'PUT',
      path: `/upload?name=x.txt&group=nope`,
      headers: { Authorization: `Bearer ${server.token}` },
      body: 'x',
    })
    assert.equal(unknown.status, 400, 'a group that does not exist is refused')
  })

  it('caps an upload sent without Content-Length (chunked) as it streams, and one that announces too much at once', async (t) => {
    const cap = 256 * 1024
    const { app, server } = await setup(t, 'upload-cap', true, cap)
    // Chunked: no length announced, so only counting the bytes as they arrive can stop it.
    const chunked = (name: string, chunks: number): Promise<number | 'reset'> =>
      new Promise((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'PUT',
            path: `/upload?name=${encodeURIComponent(name)}`,
            headers: { Authorization: `Bearer ${server.token}`, 'Transfer-Encoding': 'chunked' },
          },
          (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0))),
        )
        req.on('error', () => resolve('reset')) // the server may close the connection as it refuses
        let sent = 0
        const more = () => {
          while (sent < chunks) {
            sent++
            if (!req.write(Buffer.alloc(64 * 1024, 1))) return void req.once('drain', more)
          }
          req.end()
        }
        more()
      })
    assert.equal(await chunked('small.bin', 2), 200, 'under the cap')
    const refused = await chunked('huge.bin', 64) // 4 MiB against a 256 KiB cap
    assert.notEqual(refused, 200)
    const announced = await http(server, {
      method: 'PUT',
      path: `/upload?name=big.bin`,
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Length': String(cap + 1) },
      body: Buffer.alloc(cap + 1),
    }).catch(() => ({ status: 'reset' as const }))
    assert.notEqual(announced.status, 200)
    const kept = await readdir(path.join(app.downloads, SHARED_BY_ME))
    assert.deepEqual(kept, ['small.bin'], 'nothing of a refused upload stays on disk')
  })

  it('knows a traversal from a name', () => {
    assert.deepEqual(uploadSegments('a/b c/d.txt'), ['a', 'b c', 'd.txt'])
    assert.equal(uploadSegments('..'), undefined)
    assert.equal(uploadSegments('a/./b'), undefined)
    // A colon past the first segment: a drive letter, or an NTFS stream of another file (the fuzzer's find).
    assert.equal(uploadSegments('a/C:x'), undefined)
    assert.equal(uploadSegments('b/x:stream'), undefined)
  })
})
