/**
 * The renderer is served from `app://coterie/` (a privileged standard scheme) rather than file://,
 * so it has a real origin, every response carries the CSP header, and nothing outside
 * renderer/dist can be read. Every request to any other scheme is cancelled: no remote content.
 */
import { net, protocol, session } from 'electron'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { electronPolicy } from '../../shared/csp.js'
import { permissionAllowed, requestAllowed } from './window-policy.js'
export { APP_URL } from './window-policy.js'

export const CSP = electronPolicy()

/** Before 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** After 'ready': serves `rendererDir` under app://coterie/ and refuses every other request. */
export function serveRenderer(rendererDir: string): void {
  const root = path.resolve(rendererDir)
  protocol.handle('app', async (request) => {
    const url = new URL(request.url)
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html'
    const file = path.resolve(root, rel)
    if (url.host !== 'coterie' || rel.includes('\0') || !file.startsWith(root + path.sep))
      return new Response('Not found', { status: 404 })
    const res = await net.fetch(pathToFileURL(file).toString()).catch(() => undefined)
    if (res === undefined || !res.ok) return new Response('Not found', { status: 404 })
    const headers = new Headers(res.headers)
    headers.set('Content-Security-Policy', CSP)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(res.body, { status: 200, headers })
  })
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !requestAllowed(details.url) })
  })
  // Copying a key is the one permission the page needs; no camera, microphone, geolocation,
  // notifications API (main shows notifications).
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionAllowed(permission)),
  )
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission))
}
