/**
 * A content provider's subscribers (docs/PROVIDER.md): a subscription is membership of the
 * provider's group, so the provider hands each subscriber an ordinary invite (PROTOCOL.md §7),
 * sealed to the key the subscriber proved it holds, carrying the certificate just issued for it.
 * Unlike a friend's invite it puts no one on the member list: subscribers are many, come and go
 * through the provider's accounts, and renew over HTTP, not through the group index. The
 * subscriber's side installs each renewed certificate into the group it joined.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { verifyCertificate } from '../../protocol/certificate.js'
import type { KeyPair } from '../../protocol/keys.js'
import { identityKeyPair, type ProfileStore } from '../../profile/index.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { REJECT_REASONS } from '../../../../shared/ui/reason-text.js'
import { findGroup, ownerKeys } from './groups.js'
import { sealInvite } from './invites.js'
import { withRendezvous } from './rendezvous.js'

/**
 * Provider: the invite bytes for a subscriber's member key, carrying `certificate` (issued for that
 * key by the provider's swarm key) and the group's shares as they are now. Reads the profile only.
 */
export async function subscriberInvite(
  store: ProfileStore,
  groupRef: string,
  memberHex: string,
  certificate: Uint8Array,
  peers: readonly string[] = [],
): Promise<Uint8Array> {
  const profile = await store.read()
  const group = findGroup(profile, groupRef)
  const swarm = ownerKeys(group) // refused 'not-owner' for a group shared with us
  const shares = await Promise.all(
    profile.torrents.filter((t) => t.groupId === group.id).map((t) => store.readTorrentInfo(t.infoHash)),
  )
  return sealInvite({ inviter: identityKeyPair(profile.identity), swarm }, profile.displayName, group, {
    to: hexToBytes(memberHex),
    certificate,
    torrents: withRendezvous(group, shares),
    peers,
  })
}

/** Subscriber: the identity key pair a provider's challenge is signed with. */
export async function identityKeys(store: ProfileStore): Promise<KeyPair> {
  return identityKeyPair((await store.read()).identity)
}

/**
 * Subscriber: installs a certificate a provider renewed into the group of its swarm, if it is valid
 * now, names this profile's key and lasts longer than the one held. Returns its expiry (unix s).
 */
export async function installCertificate(
  store: ProfileStore,
  swarmHex: string,
  certificate: Uint8Array,
): Promise<number> {
  const now = Math.floor(Date.now() / 1000)
  const checked = verifyCertificate(certificate, { swarm: hexToBytes(swarmHex), now })
  if (!checked.ok) throw new ServiceError('bad-certificate', REJECT_REASONS[checked.error.code])
  await store.update((draft, ctx) => {
    const g = draft.groups.find((x) => x.swarmPublicKey === swarmHex)
    if (g === undefined) throw new ServiceError('unknown-group', swarmHex.slice(0, 8))
    if (bytesToHex(checked.value.member) !== bytesToHex(identityKeyPair(ctx.identity).publicKey))
      throw new ServiceError('bad-certificate', 'It names another key than this profile’s.')
    const held =
      g.certificate === undefined
        ? undefined
        : verifyCertificate(hexToBytes(g.certificate), { swarm: hexToBytes(swarmHex), now })
    if (held === undefined || !held.ok || held.value.exp < checked.value.exp) g.certificate = bytesToHex(certificate)
  })
  return checked.value.exp
}
