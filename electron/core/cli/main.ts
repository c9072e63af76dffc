/**
 * `coterie`: the headless node and its commands, on the same engine and profile as the desktop
 * app. A command changes the profile under its lock, then tells a running node (if any) to
 * reload; errors go to stderr with a clear sentence and a non-zero exit.
 */
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { resolve } from 'node:path'
import { Argument, Command, CommanderError, Option } from 'commander'
import {
  addFriend,
  addMember,
  callControl,
  checkIce,
  createGroup,
  DEFAULT_DHT_BOOTSTRAP,
  defaultDownloadDir,
  defaultProfileDir,
  displayIceUrl,
  exportTorrent,
  findGroup,
  fingerprintOf,
  groupDetailsOf,
  groupsDelivery,
  groupKeyText,
  identityView,
  isNodeRunning,
  isPeerAddress,
  isProfileError,
  joinHeldShares,
  joinInvite,
  inviteFor,
  MAX_INVITE_BYTES,
  readStreamBounded,
  openProfile,
  joinFolder,
  refusedNames,
  keyText,
  ProfileStore,
  readInvite,
  removeFriend,
  removeGroup,
  removeMember,
  setAutoJoin,
  setFriendAddresses,
  setGroupLimits,
  setIce,
  setTrackers,
  share,
  startBackend,
  startNode,
  unshare,
  writeInvite,
  type CoterieNode,
  type NodeOptions,
  type TorrentStatus,
} from '../service/index.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { ServiceError } from '../../../shared/service-errors.js'
import {
  inviteLink,
  MAX_INVITE_LINK_BYTES,
  mentionsInviteLink,
  readInviteInput,
  readInviteText,
} from '../../../shared/invite-link.js'
import { INVITE_REASONS } from '../../../shared/ui/reason-text.js'
import { formatRate, parseRate } from './rate.js'
import { bytes, indexProblemLines, isShare, memberState, peerLines, torrentLine } from './format.js'
import { line, shown } from './terminal.js'
import { describeReachability, type Reachability, type RenewalOutcome } from '../service/index.js'
import { addProviderCommands, withdrawFromFeed } from './provider.js'

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** Once stdout is gone (`coterie id | head -1`), the rest of the output is dropped: the command still finishes. */
let stdoutClosed = false
/** Every line is escaped for the terminal (terminal.ts): names in it come from others. */
const out = (text = ''): void => {
  if (!stdoutClosed) process.stdout.write(line(text) + '\n')
}
const collect = (value: string, previous: string[] = []) => [...previous, value]
const peerOption = (value: string, previous: string[] = []) => {
  if (!isPeerAddress(value)) throw new ServiceError('bad-peer', `"${value}"`)
  return [...previous, value]
}

/** 0 is no limit. */
const rateOption = (value: string): number => parseRate(value) ?? 0
/** A cap for one run: a rate, never "none" (leaving the option out already means Settings' limit). */
const runRateOption = (value: string): number => {
  const n = parseRate(value)
  if (n === null)
    throw new ServiceError(
      'bad-limit',
      `"${value}": give the cap, e.g. 262144, 256KiB or 2MiB; leave the option out for Settings' limit.`,
    )
  return n
}

const program = new Command('coterie')
  .description('Share files only with a closed group of friends, over BitTorrent closed swarms.')
  .option('--profile <dir>', "profile directory (default: the desktop app's; or $COTERIE_PROFILE)")
  .showHelpAfterError()

const profileDir = (): string => resolve(program.opts<{ profile?: string }>().profile ?? defaultProfileDir())
/**
 * A command that changes the profile starts by tidying it (what a crash left: issue 20), under the
 * lock, before anything else; one that only reads does not wait for the lock.
 */
const openStore = () => openProfile(profileDir(), { create: true })
const readStore = () => ProfileStore.open(profileDir(), { create: true })
/** After a change, a running node picks it up now instead of at its next poll. */
const poke = () => callControl(profileDir(), 'reload').catch(() => undefined)

program
  .command('id')
  .description('your identity key (first line) and its fingerprint')
  .action(async () => {
    const me = identityView((await readStore()).current)
    out(me.key)
    out(me.fingerprint)
  })

const friend = program.command('friend').description('people you share with, by their key')
friend
  .command('add <key>')
  .requiredOption('--name <name>', 'what to call them')
  .action(async (key: string, o: { name: string }) => {
    const f = await addFriend(await openStore(), key, o.name)
    out(`added ${shown(f.name)}  ${fingerprintOf(f.publicKey)}`)
    await poke()
  })
friend
  .command('list')
  .option('--json')
  .action(async (o: { json?: boolean }) => {
    const { friends } = (await readStore()).current
    if (o.json)
      return out(
        JSON.stringify(
          friends.map((f) => ({ ...f, key: keyText(f.publicKey), fingerprint: fingerprintOf(f.publicKey) })),
          null,
          2,
        ),
      )
    for (const f of friends) out(`${shown(f.name)}\t${fingerprintOf(f.publicKey)}\t${keyText(f.publicKey)}`)
  })
friend
  .command('set-address <friend> [addresses...]')
  .description(
    "where the friend's node can be reached (host:port, repeatable; none clears), tried for every group they are in",
  )
  .action(async (ref: string, addresses: string[]) => {
    const f = await setFriendAddresses(await openStore(), ref, addresses)
    const list = f.addresses ?? []
    out(list.length === 0 ? `${shown(f.name)} has no static address` : `${shown(f.name)} is tried at ${list.join(' ')}`)
    await poke()
  })
friend.command('remove <friend>').action(async (ref: string) => {
  const f = await removeFriend(await openStore(), ref)
  out(`removed ${shown(f.name)}`)
  await poke()
})

const group = program.command('group').description('closed groups and their members')
group
  .command('create <name>')
  .option('--member <friend>', 'a friend to add (repeatable)', collect, [])
  .option('--public', 'also announce the plain infohash, so non-enforcing clients can help seed')
  .option(
    '--tracker <url>',
    'a tracker for the group (repeatable; private groups announce only their private topics)',
    collect,
    [],
  )
  .option(
    '--ice <url>',
    'a STUN or TURN server for members behind NATs (repeatable; stun:HOST[:PORT], turn:USER:PASS@HOST[:PORT])',
    collect,
    [],
  )
  .action(async (name: string, o: { member: string[]; public?: boolean; tracker: string[]; ice: string[] }) => {
    const g = await createGroup(await openStore(), name, {
      members: o.member,
      announcePublic: o.public === true,
      trackers: o.tracker,
      ice: o.ice,
    })
    out(`created ${shown(g.name)} (${g.id})  group key ${groupKeyText(g.swarmPublicKey)}`)
    await poke()
  })
group.command('add-member <group> <friend>').action(async (g: string, f: string) => {
  await addMember(await openStore(), g, f)
  out(`added ${shown(f)} to ${shown(g)}`)
  await poke()
})
group
  .command('set-trackers <group> [urls...]')
  .description("replace the group's trackers (none: stop using trackers); members follow through the group index")
  .action(async (g: string, urls: string[]) => {
    const trackers = await setTrackers(await openStore(), g, urls)
    out(trackers.length === 0 ? `${shown(g)} uses no trackers` : `${shown(g)} uses ${trackers.join(' ')}`)
    await poke()
  })
group
  .command('set-ice <group> [urls...]')
  .description("replace the group's STUN/TURN servers (none: no ICE servers); members follow through the group index")
  .action(async (g: string, urls: string[]) => {
    const ice = await setIce(await openStore(), g, urls)
    out(ice.length === 0 ? `${g} uses no ICE servers` : `${g} uses ${ice.map(displayIceUrl).join(' ')}`)
    await poke()
  })
group
  .command('remove-member <group> <friend>')
  .description('revoke a member: refused from now on, gets nothing new (keeps what it has)')
  .action(async (g: string, f: string) => {
    await removeMember(await openStore(), g, f)
    out(
      `removed ${shown(f)} from ${shown(g)}: up-to-date peers refuse them from now on; what they already downloaded stays theirs`,
    )
    await poke()
  })
// One command for both sides, named like `friend remove`: a member leaves, the owner deletes.
group
  .command('remove <group>')
  .description('leave a group (a member) or delete it (the owner, with --yes); your files stay on disk')
  .option('--yes', 'delete a group you own: its key is destroyed, so members can no longer renew or get anything new')
  .action(async (ref: string, o: { yes?: boolean }) => {
    const store = await openStore()
    const removed = await removeGroup(store, ref, { deleteOwned: o.yes === true }).catch((e: unknown) => {
      if (e instanceof ServiceError && e.code === 'owned-group')
        throw new ServiceError(
          'owned-group',
          `"${findGroup(store.current, ref).name}" was not deleted: add --yes to delete it.`,
        )
      throw e
    })
    const kept = removed.downloadDirs.length === 0 ? '' : `; the files stay in ${removed.downloadDirs.join(', ')}`
    out(
      removed.owner
        ? `deleted ${shown(removed.name)}: no one can renew a membership or share in it again; members keep what they have${kept}`
        : `left ${shown(removed.name)}: your certificate and the group's secret are gone${kept}`,
    )
    await poke()
  })
group
  .command('auto-join <group>')
  .description('join what the owner adds to the group by itself (default on)')
  .addArgument(new Argument('<switch>', 'on or off').choices(['on', 'off']))
  .action(async (g: string, v: 'on' | 'off') => {
    const store = await openStore()
    await setAutoJoin(store, g, v === 'on')
    // On again: what the index listed meanwhile is fetched too, as if it had been on all along.
    const joined = v === 'on' ? await joinHeldShares(store, g) : []
    out(
      `auto-join ${v} for ${shown(g)}${joined.length > 0 ? `: joined ${joined.length} torrent${joined.length === 1 ? '' : 's'} the group lists` : ''}`,
    )
    await poke()
  })
group
  .command('set-limits <group>')
  .description("speed limits for the group's torrents on this machine, on top of the global ones (0 or none: no limit)")
  .option('--upload <B/s>', 'bytes per second, or with a unit: 256KiB, 2MiB', rateOption)
  .option('--download <B/s>', 'bytes per second, or with a unit: 256KiB, 2MiB', rateOption)
  .action(async (g: string, o: { upload?: number; download?: number }) => {
    if (o.upload === undefined && o.download === undefined)
      throw new ServiceError('bad-limit', 'Give --upload, --download or both.')
    const lift = (v?: number) => (v === 0 ? null : v) // commander takes a parser's null for "no value"
    const limits = await setGroupLimits(await openStore(), g, { upload: lift(o.upload), download: lift(o.download) })
    out(`${shown(g)}: upload ${formatRate(limits.upload)}, download ${formatRate(limits.download)}`)
    await poke()
  })
group
  .command('show <group>')
  .option('--json')
  .description('the group index: version, trackers, torrents, members, revoked')
  .action(async (ref: string, o: { json?: boolean }) => {
    const store = await readStore()
    const view = await groupDetailsOf(store, ref)
    if (o.json) return out(JSON.stringify(view, null, 2))
    out(
      `${shown(view.name)} (${view.owner ? 'owner' : 'member'})  index version ${view.indexVersion ?? '-'}  auto-join ${view.autoJoin ? 'on' : 'off'}`,
    )
    out(`speed limits: upload ${formatRate(view.uploadLimit)}, download ${formatRate(view.downloadLimit)}`)
    if (!view.owner && view.indexVersion !== null && view.indexVersion !== view.appliedVersion)
      out(`index version ${view.indexVersion} received but not followed yet (following ${view.appliedVersion ?? '-'})`)
    if (view.certificateExpires !== null) out(`your certificate expires ${view.certificateExpires}`)
    if (view.trackers.length > 0) out(`trackers: ${view.trackers.join(' ')}`)
    if (view.ice.length > 0) out(`ICE servers: ${view.ice.join(' ')}`)
    out(`torrents (${view.torrents.length}):`)
    for (const t of view.torrents) out(`  ${t.infoHash}  ${shown(t.name)}`)
    if (view.refused.length > 0) out(`not downloaded (${view.refused.length}):`)
    for (const t of view.refused) out(`  ${t.infoHash}  ${shown(t.name)}: ${t.reason}`)
    out(`members (${view.members.length}):`)
    const self = keyText(store.current.identity.publicKey)
    for (const m of view.members) {
      const you = m.key === self
      out(`  ${m.fingerprint}  ${shown(you ? `${m.name || 'you'} (you)` : m.name).padEnd(16)}  ${memberState(m, you)}`)
    }
    if (view.revoked.length > 0) out(`revoked (${view.revoked.length}):`)
    for (const m of view.revoked) out(`  ${m.fingerprint}  ${shown(m.name)}`)
  })
group
  .command('list')
  .option('--json')
  .action(async (o: { json?: boolean }) => {
    const p = (await readStore()).current
    const view = p.groups.map(({ swarmSecretKey: _s, groupSecret: _g, ...g }) => ({
      ...g,
      torrents: p.torrents.filter((t) => t.groupId === g.id).map((t) => t.infoHash),
    }))
    if (o.json) return out(JSON.stringify(view, null, 2))
    for (const g of view)
      out(
        `${shown(g.name)}\t${g.id}\t${g.owner ? 'owner' : 'member'}\t${g.members.length} members\t${g.torrents.length} torrents`,
      )
  })

program
  .command('share <path>')
  .requiredOption('--group <group>')
  .description('share a file or folder; prints the infohash last')
  .action(async (path: string, o: { group: string }) => {
    let last = 0
    const t = await share(await openStore(), path, o.group, (done, total) => {
      if (!process.stderr.isTTY || Date.now() - last < 500) return
      last = Date.now()
      process.stderr.write(`\rhashing ${bytes(done)} / ${bytes(total)}`)
    })
    if (process.stderr.isTTY) process.stderr.write('\n')
    await poke()
    out(t.infoHash)
  })

program
  .command('unshare <item>')
  .requiredOption('--group <group>')
  .description(
    "owner: take a share (its name or infohash) out of the group; members' nodes stop listing and seeding it, and keep what they downloaded",
  )
  .action(async (item: string, o: { group: string }) => {
    const store = await openStore()
    const gone = await unshare(store, item, o.group)
    // A content provider's item also leaves the feed that every issuance node serves from its database.
    if (await withdrawFromFeed(store, profileDir(), gone.infoHash)) out(`taken out of the provider's feed`)
    // A running node stops seeding it and publishes the group's next index now; otherwise its next start does.
    const now = await isNodeRunning(profileDir())
    await poke()
    out(
      `removed ${shown(gone.name)} from ${shown(gone.group.name)}: members' nodes stop listing and seeding it ${now ? 'as the new index reaches them' : 'once your node runs and publishes the new index'}; what they downloaded stays theirs, and your files stay in ${gone.downloadDir}`,
    )
  })

program
  .command('invite <group> <friend>')
  .description('an invite sealed to FRIEND: a .coterie file (--out), a coterie: link to paste (--link), or both')
  .option('--out <file>', 'write the invite file here')
  .option('--link', 'print the invite as a coterie://invite/ link (the same sealed bytes as the file)')
  .option('--peer <host:port>', 'a peer address to include (repeatable)', peerOption, [])
  .action(async (g: string, f: string, o: { out?: string; link?: boolean; peer: string[] }) => {
    // A usage error (main() prints the sentence), not a service one.
    if (o.out === undefined && o.link !== true)
      throw new Error('Say where the invite goes: --out FILE, --link, or both.')
    const store = await openStore()
    const bytes =
      o.out === undefined
        ? await inviteFor(store, g, f, { peers: o.peer })
        : await writeInvite(store, g, f, o.out, { peers: o.peer })
    // With --link, stdout is the link alone (for a script); where the file went goes to stderr.
    if (o.out !== undefined && o.link === true) process.stderr.write(`wrote ${resolve(o.out)}\n`)
    else if (o.out !== undefined) out(`wrote ${resolve(o.out)}`)
    if (o.link === true) {
      const link = inviteLink(bytes)
      if (link === undefined)
        throw new Error(
          `This invite is ${bytes.length} bytes, more than a link carries (${MAX_INVITE_LINK_BYTES}): send it as a file (--out).`,
        )
      out(link) // alone on stdout, for a script to pass on
    }
    await poke()
  })

/** `coterie join -`: an invite file's bytes or a text with a link, from stdin, read to a bound. */
async function inviteFromStdin(): Promise<Uint8Array> {
  const read = await readStreamBounded(process.stdin, MAX_INVITE_BYTES)
  if (!read.ok)
    throw new ServiceError(
      'bad-invite',
      read.error === 'too-large' ? INVITE_REASONS.oversize : `stdin could not be read: ${read.detail ?? read.error}`,
    )
  return invitePart(readInviteInput(read.value))
}

const invitePart = (r: ReturnType<typeof readInviteText>): Uint8Array => {
  if (!r.ok) throw new ServiceError('bad-invite', INVITE_REASONS[r.error.code])
  return r.value
}

/** What `join` was given: `-` (stdin), a `coterie://invite/` link, or a file's path. */
const inviteArgument = async (arg: string): Promise<string | Uint8Array> =>
  arg === '-' ? inviteFromStdin() : mentionsInviteLink(arg) ? invitePart(readInviteText(arg)) : arg

program
  .command('join <invite>')
  .description('join a group: INVITE is a .coterie file, a coterie://invite/ link, or - to read either from stdin')
  .option(
    '--download-dir <dir>',
    "where the group's files go (default: a folder of the group's own in the download folder of the settings, else ~/Downloads/Coterie)",
  )
  .action(async (arg: string, o: { downloadDir?: string }) => {
    const file = await inviteArgument(arg)
    const store = await openStore()
    const preview = await readInvite(store, file)
    const to = o.downloadDir ?? { base: store.current.settings.downloadDir ?? defaultDownloadDir() }
    const folder = await joinFolder(store, bytesToHex(preview.invite.group.swarm), preview.group, to)
    out(
      `group "${shown(preview.group)}" from ${preview.fromFriend === undefined ? 'someone not in your friends' : shown(preview.fromFriend)}${preview.fromName === undefined ? '' : ` (who calls themself "${shown(preview.fromName)}")`} (${preview.fromFingerprint}), ${preview.torrents.length} torrent(s), access until ${preview.expires}, files in ${folder}`,
    )
    const { torrents } = await joinInvite(store, file, folder)
    for (const t of torrents) out(t)
    // Joined, never written (PROTOCOL.md §4.6): said now, not only when a node refuses it.
    for (const r of refusedNames(preview.invite))
      process.stderr.write(`coterie: ${r.infoHash} will not be downloaded: ${r.reason}\n`)
    await poke()
  })

/** `run`'s flags, which `provider serve` takes too (it runs the same node). */
export interface RunFlags {
  port?: number
  peer: string[]
  dht: boolean
  lsd: boolean
  tracker: boolean
  portMapping: boolean
  ice: string[]
  dhtBootstrap?: string[]
  utp?: boolean
  uploadLimit?: number
  downloadLimit?: number
  ui?: boolean
  uiPort?: number
}

function addRunOptions(c: Command): Command {
  return c
    .option('--port <n>', "listening port (TCP and uTP; default: the profile's setting, else a free one)", (v) =>
      Number.parseInt(v, 10),
    )
    .option('--peer <host:port>', 'a peer to connect to (repeatable)', peerOption, [])
    .option('--no-dht', 'do not use the DHT (private topics)')
    .option('--no-lsd', "no local discovery (BEP 14 multicast of private topics; public groups' infohashes too)")
    .option('--no-tracker', "do not announce to the groups' trackers (private topics; public groups' infohashes too)")
    .addOption(
      new Option('--dht-bootstrap <host:port>', 'DHT bootstrap node (repeatable; tests use a local one)').argParser(
        peerOption,
      ),
    )
    .option('--utp', 'also use uTP (slower than TCP on fast links)')
    .option('--no-port-mapping', 'do not ask the router to forward the port (NAT-PMP, UPnP IGD)')
    .option(
      '--ice <url>',
      "a STUN or TURN server of your own, used beside each group's (repeatable; stun:HOST[:PORT], turn:USER:PASS@HOST[:PORT])",
      collect,
      [],
    )
    .option(
      '--upload-limit <B/s>',
      "cap the upload rate for this run (e.g. 2MiB; without it, Settings' limit)",
      runRateOption,
    )
    .option(
      '--download-limit <B/s>',
      "cap the download rate for this run (e.g. 2MiB; without it, Settings' limit)",
      runRateOption,
    )
    .option('--ui', "also serve the app's interface to a browser on this machine (127.0.0.1)")
    .option('--ui-port <n>', 'port of the browser interface (default: a free one)', (v) => Number.parseInt(v, 10))
}

/** A running node as `run` starts it: the node, and how to stop it (and the browser interface, with --ui). */
export interface RunningNode {
  readonly node: CoterieNode
  stop(): Promise<void>
}

/** Starts the profile's node with `run`'s flags, prints its port and, every 2 s, what changed. */
async function startRun(store: ProfileStore, o: RunFlags): Promise<RunningNode> {
  const dht = !o.dht ? (false as const) : { bootstrap: o.dhtBootstrap ?? DEFAULT_DHT_BOOTSTRAP }
  // The port option wins; else the profile's setting (0: a free one).
  const nodeOptions: NodeOptions = {
    port: o.port ?? store.current.settings.port,
    peers: o.peer,
    dht,
    lsd: o.lsd,
    trackers: o.tracker,
    utp: o.utp === true,
    portMapping: o.portMapping,
    ice: checkIce(o.ice),
    uploadLimit: o.uploadLimit,
    downloadLimit: o.downloadLimit,
    onIndexProblem: (group, problem) => indexProblemLines(group, problem).forEach((l) => out(l)),
  }
  // Subscriptions to content providers (coterie subscribe): renewed before they lapse, by this node
  // (with --ui, by the backend, as in the app).
  const reportRenewal = (r: RenewalOutcome): void =>
    out(
      r.renewed
        ? `renewed the subscription ${r.swarm.slice(0, 8)} until ${new Date(r.expiresAt).toISOString()}`
        : `could not renew the subscription ${r.swarm.slice(0, 8)}: ${r.why}`,
    )
  let stopRenewals = (): Promise<void> => Promise.resolve()
  let node: CoterieNode
  let stopNode = async (): Promise<void> => {}
  if (o.ui === true) {
    // The engine, the backend and the server load only for `run` (and the UI only with --ui).
    const { startUiServer } = await import('../ui-server/server.js')
    const backend = await startBackend(store, {
      ...nodeOptions,
      mode: 'browser',
      version: VERSION,
      secretStorage: 'file',
      onRenewal: reportRenewal,
    })
    const ui = await startUiServer(backend, { port: o.uiPort }).catch(async (e: unknown) => {
      await backend.stop()
      throw e
    })
    node = backend.node
    stopNode = async () => {
      await ui.close()
      await backend.stop()
    }
    out(`ui: ${ui.url}`)
  } else {
    node = await startNode(store, nodeOptions)
    stopNode = () => node.stop()
    const { startRenewals } = await import('../service/index.js')
    stopRenewals = startRenewals(store, reportRenewal)
  }
  out(`listening on port ${node.port}`)
  let previous = ''
  const tick = setInterval(() => {
    const lines = [
      describeReachability(node.engine.reachability),
      ...node
        .status()
        .filter(isShare)
        .flatMap((t) => [torrentLine(t), ...whyLines(t)]),
    ].join('\n')
    if (lines !== previous) out((previous = lines))
  }, 2_000)
  return {
    node,
    stop: async () => {
      clearInterval(tick)
      await stopRenewals()
      await stopNode()
    },
  }
}

/** Resolves at the first SIGINT or SIGTERM. */
const untilStopped = (): Promise<void> =>
  new Promise<void>((resolveStop) => {
    const stop = () => resolveStop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })

addRunOptions(
  program.command('run').description('serve and fetch everything in the profile until SIGINT/SIGTERM'),
).action(async (o: RunFlags) => {
  const running = await startRun(await openStore(), o)
  await untilStopped()
  await running.stop()
  out('stopped')
})

/** Why a torrent is not running: refused before it wrote anything, or failed while it ran. */
const whyLines = (t: TorrentStatus): string[] =>
  t.error === undefined ? [] : [`    ${t.state === 'error' ? 'failed' : 'not written'}: ${t.error}`]

program
  .command('status')
  .option('--json')
  .description('torrents, progress, peers and their authorization')
  .action(async (o: { json?: boolean }) => {
    const store = await readStore()
    const live = await callControl(store.dir, 'status')
    if (live !== undefined && !live.ok) throw new Error(live.error)
    const running = live !== undefined
    const torrents = running
      ? (live.result as TorrentStatus[])
      : store.current.torrents.map((t) => ({
          infoHash: t.infoHash,
          name: t.name,
          state: 'stopped',
          progress: 0,
          length: 0,
          downloaded: 0,
          uploaded: 0,
          downloadSpeed: 0,
          uploadSpeed: 0,
          peers: [],
          group: findGroup(store.current, t.groupId).name,
          downloadDir: t.downloadDir,
        }))
    if (o.json) return out(JSON.stringify({ running, torrents, groups: await groupsDelivery(store) }, null, 2))
    if (!running) out('no node is running on this profile (start one with: coterie run)')
    else {
      const ping = await callControl(store.dir, 'ping')
      out(
        describeReachability(
          (ping?.ok === true ? (ping.result as { reachability?: Reachability }).reachability : undefined) ?? {
            kind: 'unknown',
          },
        ),
      )
    }
    for (const t of (torrents as TorrentStatus[]).filter(isShare)) {
      out(torrentLine(t))
      whyLines(t).forEach((l) => out(l))
      peerLines(t).forEach((l) => out(l))
    }
  })

program
  .command('retry [torrent]')
  .description("a stalled download: dial its members' known addresses now and announce again (default: every download)")
  .action(async (ref: string | undefined) => {
    const store = await readStore()
    const target =
      ref === undefined
        ? undefined
        : store.current.torrents.find((t) => t.infoHash === ref.toLowerCase() || t.name === ref)
    if (ref !== undefined && target === undefined) throw new ServiceError('unknown-torrent', `"${ref}"`)
    const live = await callControl(store.dir, 'retry', target === undefined ? {} : { infoHash: target.infoHash })
    if (live === undefined) throw new ServiceError('no-node')
    if (!live.ok) throw new Error(live.error)
    const r = live.result as { torrents: number; dialled: number }
    out(
      `retrying ${target?.name ?? `${r.torrents} download${r.torrents === 1 ? '' : 's'}`}: announced again, ${r.dialled} known address${r.dialled === 1 ? '' : 'es'} dialled`,
    )
  })

program
  .command('export-torrent <infohash>')
  .requiredOption('--out <file>')
  .description('the plain .torrent: what a leak would hand an outsider')
  .action(async (infoHash: string, o: { out: string }) => {
    out(`wrote ${await exportTorrent(await readStore(), infoHash, o.out)}`)
  })

program
  .command('unlock')
  .description(
    "remove the profile's lock when its owner cannot be shown gone (another computer, a synced folder); asks first",
  )
  .option('--yes', 'do not ask')
  .action(async (o: { yes?: boolean }) => {
    const dir = profileDir()
    const seen = await ProfileStore.lockStatus(dir)
    if (seen.kind === 'free') return out(`the profile ${dir} is not locked`)
    const h = seen.holder
    const whose =
      h === undefined
        ? 'a lock with no readable owner record'
        : `the lock of Coterie pid ${h.pid} on ${h.thisMachine ? 'this computer' : h.host}, taken ${h.since}`
    if (seen.kind === 'held' && h?.thisMachine === true) throw new ServiceError('lock-owner-running', `(${whose})`)
    // An owner provably gone needs no confirmation: any command would take that lock over anyway.
    if (seen.kind === 'held' && o.yes !== true) {
      if (!process.stdin.isTTY) throw new ServiceError('unlock-unconfirmed', `(${whose})`)
      const rl = createInterface({ input: process.stdin, output: process.stderr })
      const answer = await rl.question(
        `${whose}: ${seen.code === 'busy' ? 'it was refreshed moments ago, so it may be running. ' : ''}` +
          'Remove it? Only if no Coterie is running there. [y/N] ',
      )
      rl.close()
      if (!/^y(es)?$/i.test(answer.trim())) throw new ServiceError('unlock-unconfirmed', `(${whose})`)
    }
    const r = await ProfileStore.unlock(dir, seen.token)
    if (!r.ok) throw new ServiceError('lock-owner-running', `(Coterie pid ${r.holder.pid})`)
    out(r.removed ? `removed ${whose}` : 'the lock changed meanwhile, nothing was removed: run coterie unlock again')
  })

addProviderCommands(program, { out, profileDir, openStore, readStore, poke, addRunOptions, startRun, untilStopped })

/**
 * A reader that stops early (`coterie id | head -1`) closes the pipe: the next write fails with EPIPE,
 * which Node raises as an uncaught 'error' (a stack trace and exit 1). It is no error of the command:
 * the rest of the output is dropped, the command finishes what it was doing and exits as it would.
 */
function quietWhenClosed(stream: NodeJS.WriteStream, closed: () => void): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
    closed()
  })
}

export async function main(argv: string[]): Promise<number> {
  quietWhenClosed(process.stdout, () => (stdoutClosed = true))
  quietWhenClosed(process.stderr, () => undefined)
  program.exitOverride()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2 // commander printed the usage
    const message =
      e instanceof ServiceError || isProfileError(e) ? e.message : e instanceof Error ? e.message : String(e)
    process.stderr.write(`coterie: ${line(message)}\n`)
    return 1
  }
}
