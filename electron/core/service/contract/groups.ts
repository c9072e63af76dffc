/**
 * groups.*: create, members (and whether each is connected now), this machine's speed limits for
 * a group, auto-join and fetching by hand what it left, sharing files into a group we own and
 * taking one out again, leaving or deleting a group.
 */
import { addMember, createGroup, findGroup, removeMember, setAutoJoin } from '../operations/groups.js'
import { setGroupLimits } from '../operations/limits.js'
import { removeGroup } from '../operations/remove-group.js'
import { basename } from 'node:path'
import { share } from '../operations/share.js'
import { unshare } from '../operations/unshare.js'
import { PROGRESS_INTERVAL_MS } from './events.js'
import { parseKeyText } from '../../protocol/keys.js'
import { bytesToHex } from '../../protocol/bytes.js'
import { ServiceError } from '../../../../shared/service-errors.js'
import { KEY_TEXT_REASONS } from '../../../../shared/ui/reason-text.js'
import type { AppContext, Handlers } from './context.js'
import { groupView } from './views.js'

type Channels =
  | 'groups.list'
  | 'groups.create'
  | 'groups.addMember'
  | 'groups.removeMember'
  | 'groups.setLimits'
  | 'groups.setAutoJoin'
  | 'groups.download'
  | 'groups.share'
  | 'groups.remove'
  | 'groups.unshare'

/** Friends are named by key over IPC: a key text, checked here so a typo says so. */
export function friendRef(key: string): string {
  const parsed = parseKeyText('identity', key)
  if (!parsed.ok) throw new ServiceError('bad-key', KEY_TEXT_REASONS[parsed.error.code])
  return bytesToHex(parsed.value)
}

export function groupHandlers(ctx: AppContext): Pick<Handlers, Channels> {
  const { store } = ctx
  const view = (id: string) => {
    const p = store.current
    return groupView(p, findGroup(p, id), ctx.live)
  }
  return {
    'groups.list': async () => {
      const p = store.current
      return p.groups.map((g) => groupView(p, g, ctx.live))
    },
    'groups.create': async ({ name, members, public: announcePublic }) => {
      const g = await createGroup(store, name, {
        members: members.map(friendRef),
        announcePublic: announcePublic === true,
      })
      await ctx.changed()
      return view(g.id)
    },
    'groups.addMember': async ({ group, friend }) => {
      await addMember(store, group, friendRef(friend))
      await ctx.changed()
      return view(group)
    },
    'groups.removeMember': async ({ group, friend }) => {
      await removeMember(store, group, friendRef(friend))
      await ctx.changed()
      return view(group)
    },
    'groups.setLimits': async ({ group, uploadLimit, downloadLimit }) => {
      await setGroupLimits(store, group, { upload: uploadLimit, download: downloadLimit })
      await ctx.changed()
      return view(group)
    },
    // The window asked "are you sure" before sending it: an owned group is deleted here.
    'groups.remove': async ({ group }) => {
      await removeGroup(store, group, { deleteOwned: true })
      await ctx.changed()
      return {}
    },
    // The window asked "are you sure" before sending it (members keep what they downloaded).
    'groups.unshare': async ({ group, infoHash }) => {
      await unshare(store, infoHash, group)
      await ctx.changed()
      return view(group)
    },
    'groups.setAutoJoin': async ({ group, on }) => {
      await setAutoJoin(store, group, on)
      // On again: what the index listed meanwhile comes too, as if it had been on all along.
      if (on) await ctx.node.joinShares(group)
      else await ctx.changed()
      return view(group)
    },
    'groups.download': async ({ group, infoHash }) => {
      await ctx.node.joinShares(group, infoHash)
      return view(group)
    },
    'groups.share': async ({ group, paths }) => {
      // One after the other: hashing is disk-bound, and two at once would only thrash the disk.
      const infoHashes: string[] = []
      for (const path of paths) {
        const name = basename(path)
        let last = 0
        const progress = (hashed: number, total: number) => {
          const now = Date.now()
          if (now - last < PROGRESS_INTERVAL_MS && hashed < total) return
          last = now
          ctx.emit('share.progress', { group, name, hashed, total })
        }
        infoHashes.push((await share(store, path, group, progress)).infoHash)
        await ctx.changed() // the first file seeds while the next is hashed
      }
      return { infoHashes }
    },
  }
}
