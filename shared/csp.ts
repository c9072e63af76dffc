/**
 * The one Content-Security-Policy of the interface, built here for every door that serves it: the
 * Electron window's app:// scheme (electron/main/protocol.ts), browser mode's HTTP server
 * (electron/core/ui-server/static.ts) and the page's own <meta> copy (renderer/index.html, checked
 * against pagePolicy() by electron/main/csp.test.ts). One builder so a directive added for one door
 * cannot be forgotten at another. The doors differ only where they must: what the page may connect to.
 */

interface Directive {
  readonly text: string
  /** Left out of the page's <meta> copy, which never carried it (see pagePolicy). */
  readonly headerOnly?: boolean
}

const directives = (connectSrc: string): readonly Directive[] => [
  { text: "default-src 'none'" },
  { text: "script-src 'self'" },
  { text: "style-src 'self'" },
  { text: "img-src 'self' data: blob:" },
  { text: "font-src 'self'", headerOnly: true },
  { text: `connect-src ${connectSrc}` },
  { text: "base-uri 'none'" },
  { text: "form-action 'none'" },
  { text: "frame-ancestors 'none'", headerOnly: true },
  { text: "object-src 'none'", headerOnly: true },
]

const join = (list: readonly Directive[]): string => list.map((d) => d.text).join('; ')

/** The Electron window: it talks to the main process over IPC only, so it connects nowhere. */
export const electronPolicy = (): string => join(directives("'none'"))

/** Browser mode: the page talks to its own server, over HTTP and the WebSocket on `port`. */
export const browserPolicy = (port: number): string =>
  join(directives(`'self' ws://127.0.0.1:${port} ws://localhost:${port}`))

/**
 * The <meta> copy in renderer/index.html, which protects the page wherever it is opened from; each
 * door's header applies on top of it (both must allow a load). It leaves out frame-ancestors (a
 * browser ignores it in a <meta>), and object-src and font-src, which fall back to default-src
 * 'none' there (the page uses system fonts and no plugins).
 */
export const pagePolicy = (): string => join(directives("'self'").filter((d) => d.headerOnly !== true))
