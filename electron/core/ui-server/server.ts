/**
 * Browser mode: the renderer served to a browser on this machine, bridged to the same backend as
 * the desktop app. HTTP for the static files and the upload endpoint, a WebSocket at /ipc for the
 * IPC contract. Loopback only; Host, Origin and token checks in guard.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { uploadFolderName, type AppBackend, type Logger } from '../service/index.js'
import { bearer, hostAllowed, newToken, originAllowed, PROTOCOL_PREFIX, socketToken, tokenMatches } from './guard.js'
import { bridgeSocket, MAX_FRAME_BYTES } from './socket.js'
import { securityHeaders, serveStatic } from './static.js'
import { receiveUpload, uploadRoot } from './upload.js'

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../renderer/dist/', import.meta.url))
export const LOOPBACK = '127.0.0.1'

export interface UiServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number | undefined
  readonly token?: string
  readonly staticDir?: string
  readonly log?: Logger
  /** Largest upload (upload.ts MAX_UPLOAD_BYTES by default; tests lower it). */
  readonly maxUploadBytes?: number | undefined
}

export interface UiServer {
  readonly port: number
  readonly token: string
  /** What to open: the token rides in the fragment, which browsers never send to a server. */
  readonly url: string
  close(): Promise<void>
}

export async function startUiServer(backend: AppBackend, o: UiServerOptions = {}): Promise<UiServer> {
  const token = o.token ?? newToken()
  const staticDir = o.staticDir ?? DEFAULT_STATIC_DIR
  const log: Logger = o.log ?? ((m, d) => console.error(`coterie: ${m}`, d ?? ''))
  let port = 0
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // A client that sent its token as a subprotocol gets it echoed, as the WebSocket handshake requires.
    handleProtocols: (offered) => [...offered].find((p) => p.startsWith(PROTOCOL_PREFIX)) ?? false,
  })

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res
      .writeHead(status, {
        ...securityHeaders(port),
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      })
      .end(JSON.stringify(body))
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse): void => {
    if (!hostAllowed(req, port))
      return json(res, 403, { error: 'This server answers only to 127.0.0.1 and localhost.' })
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`)
    if (url.pathname === '/upload') {
      if (req.method !== 'PUT') return json(res, 405, { error: 'PUT only' })
      if (!originAllowed(req, port)) return json(res, 403, { error: 'Foreign origin' })
      if (!tokenMatches(bearer(req), token)) return json(res, 401, { error: 'Missing or wrong token' })
      const name = url.searchParams.get('name')
      if (name === null) return json(res, 400, { error: 'Missing ?name=' })
      // A folder per group (issue 17): a file shared in one group never renames another group's.
      const groupId = url.searchParams.get('group')
      const groups = backend.store.current.groups
      const group = groupId === null ? undefined : groups.find((g) => g.id === groupId)
      if (groupId !== null && group === undefined) return json(res, 400, { error: 'No such group.' })
      const root = uploadRoot(backend.downloadDir(), group && uploadFolderName(group, groups))
      receiveUpload(req, name, root, o.maxUploadBytes, url.searchParams.get('fresh') === '1').then(
        (r) =>
          r.ok ? json(res, 200, { path: r.path, renamed: r.renamed }) : json(res, r.status, { error: r.message }),
        (e: unknown) => {
          log('ui: upload failed', e)
          json(res, 500, { error: 'The upload failed.' })
        },
      )
      return
    }
    serveStatic(staticDir, req, res, port).catch((e: unknown) => {
      log('ui: static file failed', e)
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 0 // uploads of large files take as long as they take; headers must not

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`)
    if (url.pathname !== '/ipc') return refuse(404, 'Not Found')
    if (!hostAllowed(req, port) || !originAllowed(req, port)) return refuse(403, 'Forbidden')
    if (!tokenMatches(socketToken(req, url), token)) return refuse(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => bridgeSocket(ws, backend, log))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, LOOPBACK, () => resolve())
  })
  const address = server.address()
  port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/#token=${token}`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
