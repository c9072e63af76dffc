/**
 * The subscriber's side of a provider (docs/PROVIDER.md): subscribing (`coterie subscribe`, and
 * "Subscribe to a provider…" in the app) logs in once, proves its identity key, and joins the
 * provider's group with the invite it gets; what it keeps to renew later is a refresh token, never
 * the password. A running node renews each certificate before it expires (`renewDue`, from
 * `coterie run` and the app's backend), so access lasts while the account is active and ends
 * within a day of its being disabled (the token is deleted then, and the key revoked at once).
 *
 * The token lives in the profile folder (`subscriptions/<swarm key>.json`, owner-only), beside the
 * identity secret: whoever can read it can already read the key it is bound to, and it is useless
 * without that key (each renewal is a fresh challenge the key must sign).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { ServiceError } from '../../../../shared/service-errors.js'
import { PROVIDER_REASONS } from '../../../../shared/ui/reason-text.js'
import type { ProfileStore } from '../../profile/index.js'
import { verifyCertificate } from '../../protocol/certificate.js'
import { defaultDownloadDir } from './downloads.js'
import { renewalDue } from './groups.js'
import { join as joinInvite, joinFolder, readInvite } from './invites.js'
import { ProviderClient, type Refusal } from './provider-client.js'
import { PROVIDER_CERTIFICATE_LIFETIME_S } from './provider-lifetimes.js'
import { identityKeys, installCertificate } from './subscription.js'

/** Subscriptions one profile keeps (each a small file read at every renewal check). */
export const MAX_SUBSCRIPTIONS = 64
/** Largest subscription file read. */
const MAX_SUBSCRIPTION_FILE_BYTES = 4096
/** How often a running node looks for certificates due for renewal. */
export const RENEWAL_CHECK_MS = 10 * 60_000

const subscriptionFile = z.strictObject({
  url: z.string().url().max(2048),
  user: z.string().min(1).max(256),
  swarm: z.string().regex(/^[0-9a-f]{64}$/),
  refresh: z.string().regex(/^[0-9a-f]{64}$/),
  since: z.string().max(64),
})
export type StoredSubscription = z.infer<typeof subscriptionFile>

export const subscriptionsDir = (profileDir: string): string => join(profileDir, 'subscriptions')

function save(profileDir: string, s: StoredSubscription): void {
  const dir = subscriptionsDir(profileDir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `${s.swarm}.json`)
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
}

/** The profile's subscriptions; a file that does not read as one is skipped (and named in `problems`). */
export function listSubscriptions(profileDir: string): { subscriptions: StoredSubscription[]; problems: string[] } {
  const dir = subscriptionsDir(profileDir)
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
  } catch {
    return { subscriptions: [], problems: [] }
  }
  const subscriptions: StoredSubscription[] = []
  const problems: string[] = []
  for (const name of names.sort().slice(0, MAX_SUBSCRIPTIONS)) {
    try {
      const text = readFileSync(join(dir, name))
      const parsed =
        text.length > MAX_SUBSCRIPTION_FILE_BYTES ? undefined : subscriptionFile.safeParse(JSON.parse(text.toString()))
      if (parsed?.success === true && `${parsed.data.swarm}.json` === name) subscriptions.push(parsed.data)
      else problems.push(name)
    } catch {
      problems.push(name)
    }
  }
  return { subscriptions, problems }
}

/**
 * A provider's refusal as the service error a person can act on: the cases the app's dialog and the
 * CLI name (a wrong password, a disabled account, too many attempts, no provider there at all) get
 * codes of their own; the rest are `provider-refused` with the provider's sentence.
 */
export function refused(r: Refusal): ServiceError {
  switch (r.code) {
    case 'bad-credentials':
      return new ServiceError('wrong-password')
    case 'account-disabled':
      return new ServiceError('account-disabled')
    case 'rate-limited':
      return new ServiceError(
        'rate-limited',
        r.retryAfterMs === undefined ? undefined : `Try again in ${Math.ceil(r.retryAfterMs / 1000)} s.`,
      )
    case 'unreachable':
      return new ServiceError('provider-unreachable')
    case 'bad-response':
    case 'not-found':
      return new ServiceError('not-a-provider')
    default:
      return new ServiceError('provider-refused', PROVIDER_REASONS[r.code])
  }
}

/** Longest provider address taken (what the subscription file keeps). */
export const MAX_PROVIDER_URL_CHARS = 2048

/** The provider's address as http(s)://…, or refused `bad-provider-url`. */
export function providerUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.href.length > MAX_PROVIDER_URL_CHARS)
    throw new ServiceError('bad-provider-url', `"${text.slice(0, 200)}"`)
  return url.href
}

const holdsValid = (certificate: string | undefined, swarm: string): boolean =>
  certificate !== undefined &&
  verifyCertificate(hexToBytes(certificate), { swarm: hexToBytes(swarm), now: Math.floor(Date.now() / 1000) }).ok

export interface Subscribed {
  readonly provider: string
  /** The group's name and id (its swarm key, hex): a subscription is the provider's group. */
  readonly group: string
  readonly groupId: string
  readonly folder: string
  readonly expiresAt: number
  readonly torrents: readonly string[]
}

/**
 * Subscribes this profile to the provider at `url`: log in, prove the identity key, and join the
 * provider's group with the invite it seals to that key (the ordinary join). The refresh token is
 * kept for renewals; the password is not (it goes to the provider once, and is neither stored nor
 * logged). Refused before logging in when the profile already holds the provider's group
 * (`already-subscribed`); a refusal changes nothing in the profile. The CLI's `subscribe` and the
 * app's `providers.subscribe` both call this.
 */
export async function subscribe(
  store: ProfileStore,
  url: string,
  user: string,
  password: string,
  downloadDir?: string | { base: string },
): Promise<Subscribed> {
  const href = providerUrl(url)
  const client = new ProviderClient(href)
  const info = await client.info()
  if (!info.ok) throw refused(info.error)
  const swarm = info.value.swarmKey
  const held = (await store.read()).groups.find((g) => g.swarmPublicKey === swarm)
  // Held with a certificate valid now: nothing to gain. One that lapsed (a refresh token unused for
  // 90 days) is subscribed again: the login earns a new certificate and token, the join updates it.
  if (held !== undefined && (held.owner || holdsValid(held.certificate, swarm)))
    throw new ServiceError('already-subscribed', `(the group “${held.name}”)`)
  const login = await client.login(user, password)
  if (!login.ok) throw refused(login.error)
  const sub = await client.subscribe(await identityKeys(store), swarm)
  if (!sub.ok) throw refused(sub.error)
  const preview = await readInvite(store, sub.value.invite)
  // The invite must be into the swarm the provider names (the key its feed and certificates come from).
  if (Buffer.from(preview.invite.group.swarm).toString('hex') !== swarm) throw new ServiceError('wrong-provider')
  const to = downloadDir ?? { base: store.current.settings.downloadDir ?? defaultDownloadDir() }
  const folder = await joinFolder(store, swarm, preview.group, to)
  const { group, torrents } = await joinInvite(store, sub.value.invite, folder)
  save(store.dir, { url: href, user, swarm, refresh: sub.value.refresh, since: new Date().toISOString() })
  return {
    provider: info.value.name,
    group: group.name,
    groupId: group.id,
    folder,
    expiresAt: sub.value.expiresAt,
    torrents,
  }
}

export type RenewalOutcome =
  | { readonly swarm: string; readonly renewed: true; readonly expiresAt: number }
  | { readonly swarm: string; readonly renewed: false; readonly why: string }

/**
 * Renews every subscription whose certificate is due: the refresh token and the identity key's
 * answer to a fresh challenge earn a new certificate, installed into the group (the running node
 * reloads on the profile change). A refusal is reported, never thrown: the next check tries again.
 */
export async function renewDue(store: ProfileStore, now = Date.now()): Promise<RenewalOutcome[]> {
  const out: RenewalOutcome[] = []
  const profile = await store.read()
  for (const s of listSubscriptions(store.dir).subscriptions) {
    const g = profile.groups.find((x) => x.swarmPublicKey === s.swarm)
    if (g === undefined) continue // the group was removed: nothing to renew
    // Less than half of a provider certificate's lifetime left (12 of 24 hours): renewed well before it lapses.
    if (!renewalDue(g.certificate, PROVIDER_CERTIFICATE_LIFETIME_S, Math.floor(now / 1000))) continue
    const r = await new ProviderClient(s.url).renew(s.refresh, await identityKeys(store), s.swarm)
    if (!r.ok) {
      out.push({ swarm: s.swarm, renewed: false, why: PROVIDER_REASONS[r.error.code] })
      continue
    }
    try {
      const exp = await installCertificate(store, s.swarm, Buffer.from(r.value, 'hex'))
      out.push({ swarm: s.swarm, renewed: true, expiresAt: exp * 1000 })
    } catch (e) {
      out.push({ swarm: s.swarm, renewed: false, why: e instanceof Error ? e.message : String(e) })
    }
  }
  return out
}

/** Renews due subscriptions now and every RENEWAL_CHECK_MS until stopped (a running node's loop). */
export function startRenewals(store: ProfileStore, report: (o: RenewalOutcome) => void): () => Promise<void> {
  let stopped = false
  let running: Promise<void> = Promise.resolve()
  const check = () => {
    running = running
      .then(() => (stopped ? [] : renewDue(store)))
      .then((outcomes) => outcomes.forEach(report))
      .catch((e: unknown) => report({ swarm: '', renewed: false, why: e instanceof Error ? e.message : String(e) }))
  }
  check()
  const timer = setInterval(check, RENEWAL_CHECK_MS)
  timer.unref()
  // Stopping waits for a renewal under way, so nothing writes to the profile after its owner stopped.
  return () => {
    stopped = true
    clearInterval(timer)
    return running
  }
}
