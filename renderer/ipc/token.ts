/**
 * Browser mode's access token: `coterie run --ui` prints `http://127.0.0.1:PORT/#token=TOKEN`.
 * The fragment never reaches the server's logs or the Referer header; we move it to
 * sessionStorage (per tab, gone when the tab closes) and strip it from the address bar, so a
 * screenshot or a copied URL does not carry it.
 */
const KEY = 'coterie.token'
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/

export function takeToken(
  loc: Location = location,
  storage: Storage = sessionStorage,
  hist: History = history,
): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token')
  if (fromHash !== null && TOKEN.test(fromHash)) {
    storage.setItem(KEY, fromHash)
    hist.replaceState(null, '', loc.pathname + loc.search)
    return fromHash
  }
  const stored = storage.getItem(KEY)
  return stored !== null && TOKEN.test(stored) ? stored : null
}
