/**
 * The built renderer (renderer/dist), served as files with their MIME type and a strict
 * Content-Security-Policy: scripts, styles and connections only from this server; no framing,
 * no plugins. A path outside the folder is refused. Without a build, one page says how to make it.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { browserPolicy } from '../../../shared/csp.js'

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': browserPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Coterie</title></head>
<body><h1>Coterie is running, but its interface is not built</h1>
<p>Run <code>npm run build:renderer</code> in the Coterie folder, then reload this page.</p></body></html>
`

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
): Promise<void> {
  const headers = securityHeaders(port)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end()
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    res.writeHead(400, headers).end()
    return
  }
  const base = path.resolve(root)
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1)
  const file = path.resolve(base, rel)
  if (pathname.includes('\0') || (file !== base && !file.startsWith(base + path.sep))) {
    res.writeHead(404, headers).end()
    return
  }
  const info = await stat(file).catch(() => undefined)
  if (info === undefined || !info.isFile()) {
    const built = await stat(path.join(base, 'index.html')).then(
      (s) => s.isFile(),
      () => false,
    )
    if (!built && rel === 'index.html') {
      res.writeHead(503, { ...headers, 'Content-Type': MIME['.html']!, 'Cache-Control': 'no-store' }).end(NOT_BUILT)
    } else {
      res.writeHead(404, { ...headers, 'Content-Type': MIME['.txt']! }).end('Not found\n')
    }
    return
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    // The index names the current bundle; it must never be a stale copy.
    'Cache-Control': rel === 'index.html' ? 'no-store' : 'no-cache',
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
}
