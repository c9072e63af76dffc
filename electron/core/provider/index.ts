/**
 * The content provider's surface for the CLI (issue 18, docs/PROVIDER.md). The CLI imports it
 * only inside `coterie provider ...` commands, so better-sqlite3's native module and the Argon2
 * hasher load for those and for nothing else.
 */
export { initProvider, openProvider, providerDatabasePath, type Provider } from './provider.js'
export { addAccount, disableAccount, disabledKeys, listAccounts, type AccountView } from './accounts.js'
export { MAX_PASSWORD_BYTES } from './password.js'
export { Issuer } from './issuance.js'
export { serveProvider, type RunningService } from './server.js'
// The subscriber's client lives behind the service's door (the app subscribes too); re-exported for the bench.
export { ProviderClient } from '../service/index.js'
export {
  fillItemInfo,
  publish,
  listItems,
  itemTorrent,
  signedFeed,
  withdraw,
  type Item,
  type SignedFeed,
} from './items.js'
export { REVOCATION_SYNC_MS, syncRevocations } from './revocations.js'
