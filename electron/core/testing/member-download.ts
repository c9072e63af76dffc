/**
 * One member downloading one share from its owner, on real profiles and real nodes on 127.0.0.1:
 * the yardstick the hostile-peer tests and `npm run bench:hostile` measure an attack against. The
 * member's node starts with no peer; `fetchShare` connects the two and resolves when the file on
 * disk is the owner's, byte for byte.
 */
import { join } from 'node:path'
import { addFriend } from '../service/operations/friends.js'
import { createGroup } from '../service/operations/groups.js'
import { join as joinInvite, writeInvite } from '../service/operations/invites.js'
import { share } from '../service/operations/share.js'
import { CoterieNode } from '../service/runtime/node.js'
import { fileDone, testProfile, type TestProfile } from './profiles.js'
import { LOOPBACK, randomFile, until } from './swarm.js'

export interface MemberDownload {
  readonly owner: TestProfile
  readonly member: TestProfile
  readonly infoHash: string
  readonly file: { readonly path: string; readonly data: Buffer }
  /** Where the member's copy lands. */
  readonly dest: string
}

/** An owner sharing a `bytes`-long file with a group whose one member has joined (nothing fetched yet). */
export async function memberDownload(temp: (label: string) => string, bytes: number): Promise<MemberDownload> {
  const [owner, member] = await Promise.all([testProfile(temp, 'Owner'), testProfile(temp, 'Member')])
  await addFriend(owner.store, member.key, 'Member')
  await createGroup(owner.store, 'Club', { members: ['Member'] })
  const file = randomFile(temp('src'), 'film.bin', bytes)
  const { infoHash } = await share(owner.store, file.path, 'Club')
  const invite = join(temp('invite'), 'member.coterie')
  await writeInvite(owner.store, 'Club', 'Member', invite)
  await joinInvite(member.store, invite, member.downloads)
  return { owner, member, infoHash, file, dest: join(member.downloads, 'film.bin') }
}

/**
 * The member fetches the share, its node dialing the owner's (or, with `dialedBy`, the owner's
 * dialing the member's); resolves with the milliseconds it took.
 */
export async function fetchShare(
  d: MemberDownload,
  member: CoterieNode,
  owner: CoterieNode,
  ms: number,
  dialedBy: 'member' | 'owner' = 'member',
): Promise<number> {
  const t0 = performance.now()
  if (dialedBy === 'member') member.engine.addPeer(d.infoHash, `${LOOPBACK}:${owner.port}`)
  else owner.engine.addPeer(d.infoHash, `${LOOPBACK}:${member.port}`)
  await until(fileDone(d.dest, d.file.data), ms, 'the member to hold the whole file, byte for byte')
  return performance.now() - t0
}
