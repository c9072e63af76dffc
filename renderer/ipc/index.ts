/**
 * Chooses the transport once, at start: Electron's preload when present, otherwise browser mode
 * (the token from the address the `coterie run --ui` command printed).
 */
import type { CoterieApi } from '../../shared/ipc/contract.js'
import { BrowserClient, type ConnectionState } from './browser.js'
import { electronApi } from './electron.js'
import { takeToken } from './token.js'

export type { ConnectionState } from './browser.js'
export { BrowserClient } from './browser.js'

export type Transport =
  { kind: 'electron'; api: CoterieApi } | { kind: 'browser'; api: BrowserClient } | { kind: 'no-token' }

export function chooseTransport(onState: (s: ConnectionState) => void): Transport {
  const electron = electronApi()
  if (electron) return { kind: 'electron', api: electron }
  const token = takeToken()
  if (token === null) return { kind: 'no-token' }
  return { kind: 'browser', api: new BrowserClient({ origin: location.origin, token, onState }) }
}
