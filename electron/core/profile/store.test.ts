import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { bytesToHex } from '../protocol/bytes.js'
import { issueCertificate } from '../protocol/certificate.js'
import { keyPairFromSecret } from '../protocol/keys.js'
import { DAY, NOW, infoDict, keyPair } from '../testing/fixtures.js'
import { isProfileError, ProfileError, type ProfileErrorCode } from './errors.js'
import { identityKeyPair, swarmKeyPair, type ProfileData } from './schema.js'
import { ProfileStore, type Profile } from './store.js'
import { tempDir } from './testing/processes.js'

const hex = bytesToHex
const at = '2026-01-01T00:00:00.000Z'
const alice = keyPair('profile alice')
const bob = keyPair('profile bob')
const ownSwarm = keyPair('profile own swarm')
const joinedSwarm = keyPair('profile joined swarm')

async function rejects(
  p: Promise<unknown>,
  code: ProfileErrorCode,
  mentions: (string | RegExp)[] = [],
): Promise<ProfileError> {
  let caught: unknown
  await p.then(
    () => assert.fail(`expected a '${code}' ProfileError`),
    (e: unknown) => (caught = e),
  )
  assert.ok(isProfileError(caught), `not a ProfileError: ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  for (const m of mentions)
    assert.match(caught.message, typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m)
  return caught
}

/** Fills every part of a profile; returns the info bytes it stored. */
async function fill(store: ProfileStore): Promise<{ own: Uint8Array; joined: Uint8Array }> {
  const own = infoDict(ownSwarm.publicKey, 'holiday.mkv', 5000)
  const joined = infoDict(joinedSwarm.publicKey, 'album.flac', 7000)
  const me = identityKeyPair(store.current.identity)
  const cert = issueCertificate(joinedSwarm, { member: me.publicKey, iat: NOW, exp: NOW + DAY })
  await store.update((d, ctx) => {
    d.displayName = 'Ann'
    d.friends.push(
      { name: 'Alice', publicKey: hex(alice.publicKey), addedAt: at },
      { name: 'Bob', publicKey: hex(bob.publicKey), addedAt: at },
    )
    d.groups.push(
      {
        id: 'family',
        name: 'Family',
        owner: true,
        swarmPublicKey: hex(ownSwarm.publicKey),
        swarmSecretKey: hex(ownSwarm.secretKey),
        groupSecret: '11'.repeat(32),
        members: [hex(alice.publicKey)],
        announcePublic: false,
        peers: ['198.51.100.7:6881'],
        createdAt: at,
      },
      {
        id: 'band',
        name: 'Band',
        owner: false,
        swarmPublicKey: hex(joinedSwarm.publicKey),
        groupSecret: '22'.repeat(32),
        members: [],
        certificate: hex(cert),
        announcePublic: true,
        peers: ['[2001:db8::1]:51413', 'seed.example.org:6881'],
        createdAt: at,
      },
    )
    d.torrents.push(
      {
        infoHash: ctx.putTorrentInfo(own),
        groupId: 'family',
        name: 'holiday.mkv',
        downloadDir: path.resolve('/downloads'),
        addedAt: at,
        paused: false,
      },
      {
        infoHash: ctx.putTorrentInfo(joined),
        groupId: 'band',
        name: 'album.flac',
        downloadDir: path.resolve('/music'),
        addedAt: at,
        paused: true,
      },
    )
  })
  return { own, joined }
}

describe('ProfileStore: create and open', () => {
  it('creates a profile with a fresh identity, and reopens the same one', async (t) => {
    const dir = await tempDir(t)
    const created = await ProfileStore.open(dir, { create: true, displayName: 'Ann' })
    const p = created.current
    const keys = identityKeyPair(p.identity)
    assert.deepEqual(keyPairFromSecret(keys.secretKey).publicKey, keys.publicKey)
    assert.equal(p.revision, 0)
    assert.equal(p.displayName, 'Ann')
    assert.deepEqual([p.friends, p.groups, p.torrents], [[], [], []])
    const again = await ProfileStore.open(dir, { create: true })
    assert.deepEqual(again.current, p)
    assert.deepEqual((await ProfileStore.open(dir)).current, p)
  })

  it('says so when there is no profile, or when asked to create one over another', async (t) => {
    const dir = await tempDir(t)
    await rejects(ProfileStore.open(dir), 'not-found', [dir])
    await ProfileStore.open(dir, { create: true })
    await rejects(ProfileStore.open(dir, { create: true, exclusive: true }), 'exists', [dir])
  })

  it('finishes a creation interrupted before the identity was written', async (t) => {
    const dir = await tempDir(t)
    const first = await ProfileStore.open(dir, { create: true })
    await first.update((d) => void (d.displayName = 'kept'))
    await rm(first.layout.identity)
    await rejects(ProfileStore.open(dir), 'not-found')
    const second = await ProfileStore.open(dir, { create: true })
    assert.equal(second.current.displayName, 'kept')
    assert.notEqual(second.current.identity.publicKey, first.current.identity.publicKey)
  })
})

describe('ProfileStore: round trip', () => {
  it('stores every part and reads it back from disk in another store', async (t) => {
    const dir = await tempDir(t)
    const store = await ProfileStore.open(dir, { create: true })
    const { own, joined } = await fill(store)
    const other = await ProfileStore.open(dir)
    const p = other.current
    assert.deepEqual(p, store.current)
    assert.equal(p.revision, 1)
    assert.equal(p.displayName, 'Ann')
    assert.deepEqual(
      p.friends.map((f) => f.name),
      ['Alice', 'Bob'],
    )
    assert.deepEqual(swarmKeyPair(p.groups[0]!), ownSwarm)
    assert.equal(swarmKeyPair(p.groups[1]!), undefined)
    assert.equal(p.groups[1]!.certificate?.length, store.current.groups[1]!.certificate?.length)
    assert.deepEqual(p.groups[1]!.peers, ['[2001:db8::1]:51413', 'seed.example.org:6881'])
    assert.deepEqual(
      p.torrents.map((x) => [x.groupId, x.paused]),
      [
        ['family', false],
        ['band', true],
      ],
    )
    assert.deepEqual(await other.readTorrentInfo(p.torrents[0]!.infoHash), own)
    assert.deepEqual(await other.readTorrentInfo(p.torrents[1]!.infoHash), joined)
  })

  it('hands out frozen snapshots, and the mutator a copy', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const p: Profile = store.current
    assert.throws(() => (p.friends as unknown as unknown[]).push(1), TypeError)
    assert.throws(() => ((p.groups[0]!.members as string[])[0] = 'x'), TypeError)
    await store.update((d) => void d.friends.pop())
    assert.equal(p.friends.length, 2)
    assert.equal(store.current.friends.length, 1)
  })

  it("removes a dropped torrent's info file, and refuses to read a damaged one", async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const [first, second] = store.current.torrents.map((x) => x.infoHash)
    await store.update((d) => void (d.torrents = d.torrents.filter((x) => x.infoHash !== first)))
    await rejects(store.readTorrentInfo(first!), 'not-found')
    await writeFile(store.layout.torrentInfo(second!), 'd4:name3:badee')
    await rejects(store.readTorrentInfo(second!), 'corrupt', [second!])
  })
})

describe('ProfileStore: updates', () => {
  it('writes nothing when the mutator throws, and passes its error through', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const before = await readFile(store.layout.state)
    class NoSuchFriend extends Error {}
    await assert.rejects(
      store.update((d) => {
        d.friends = []
        throw new NoSuchFriend('no friend called Carol')
      }),
      NoSuchFriend,
    )
    assert.deepEqual(await readFile(store.layout.state), before)
    const { changed, profile } = await store.update((d) => void (d.displayName = 'lock was released'))
    assert.equal(changed, true)
    assert.equal(profile.revision, 2)
  })

  it('refuses a change that would make the profile invalid, and writes nothing', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const before = await readFile(store.layout.state)
    const stray = infoDict(keyPair('stranger swarm').publicKey, 'x', 1)
    const bad: [string, (d: ProfileData, put: (i: Uint8Array) => string) => void, string][] = [
      [
        'same name, other case',
        (d) => void d.friends.push({ name: 'alice', publicKey: hex(keyPair('x').publicKey), addedAt: at }),
        'friends[2]: duplicate friend name',
      ],
      [
        'same key',
        (d) => void d.friends.push({ name: 'Carol', publicKey: hex(bob.publicKey), addedAt: at }),
        'friends[2]: duplicate friend key',
      ],
      ['unknown group', (d) => void (d.torrents[0]!.groupId = 'nope'), 'torrents[0].groupId: no group has id "nope"'],
      [
        'not a key',
        (d) => void (d.friends[0]!.publicKey = '00'.repeat(32)),
        'friends[0].publicKey: not a valid Ed25519 public key',
      ],
      [
        'relative path',
        (d) => void (d.torrents[0]!.downloadDir = 'downloads'),
        'torrents[0].downloadDir: must be an absolute path',
      ],
      ['secret without owner', (d) => void (d.groups[0]!.owner = false), 'groups[0].swarmSecretKey'],
      [
        'torrent without info',
        (d) => void d.torrents.push({ ...d.torrents[0]!, infoHash: 'ab'.repeat(20) }),
        'has no info dictionary',
      ],
      ['staged, not named', (_d, put) => void put(stray), 'no torrent entry names it'],
      [
        'wrong swarm',
        (d, put) => void d.torrents.push({ ...d.torrents[0]!, infoHash: put(stray) }),
        'does not carry the swarm key of group "family"',
      ],
    ]
    for (const [what, change, message] of bad) {
      const e = await rejects(
        store.update((d, ctx) => change(d, (i) => ctx.putTorrentInfo(i))),
        'invalid',
        [message],
      )
      assert.ok(!e.message.includes(hex(ownSwarm.secretKey)), what)
    }
    assert.deepEqual(await readFile(store.layout.state), before)
  })

  it('writes nothing and keeps the revision when nothing changed', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const before = await readFile(store.layout.state)
    const { changed, profile, result } = await store.update((d) => d.friends.length)
    assert.deepEqual([changed, profile.revision, result], [false, 1, 2])
    assert.deepEqual(await readFile(store.layout.state), before)
  })

  it("gives up with 'locked' when another task of this process holds the lock too long", async (t) => {
    const dir = await tempDir(t)
    const a = await ProfileStore.open(dir, { create: true })
    const b = await ProfileStore.open(dir, { lockTimeoutMs: 100 })
    let finish: () => void = () => {}
    let started: () => void = () => {}
    const holding = new Promise<void>((r) => (started = r))
    const slow = a.update(async (d) => {
      d.displayName = 'slow'
      started()
      await new Promise<void>((r) => (finish = r))
    })
    await holding
    await rejects(
      b.update((d) => void (d.displayName = 'fast')),
      'locked',
      ['This process', dir, '0.1 s'],
    )
    finish()
    await slow
    assert.equal((await b.update((d) => void (d.displayName = 'fast'))).profile.revision, 2)
  })

  it('serialises concurrent updates in one process, across store instances', async (t) => {
    const dir = await tempDir(t)
    const a = await ProfileStore.open(dir, { create: true, displayName: '0' })
    const b = await ProfileStore.open(dir)
    const add = (store: ProfileStore, tag: string, i: number) =>
      store.update((d) => {
        d.friends.push({ name: `${tag}${i}`, publicKey: hex(keyPair(`${tag}${i}`).publicKey), addedAt: at })
        d.displayName = String(Number(d.displayName) + 1)
      })
    await Promise.all(Array.from({ length: 15 }, (_, i) => [add(a, 'a', i), add(b, 'b', i)]).flat())
    const p = await a.read()
    assert.equal(p.friends.length, 30)
    assert.equal(p.displayName, '30')
    assert.equal(p.revision, 30)
  })
})

describe('ProfileStore: damaged files', () => {
  const cases: [string, string, (text: string) => string, ProfileErrorCode, string[]][] = [
    ['garbage', 'profile.json', () => '{"version": 2, "revision": ', 'corrupt', ['profile.json is not valid JSON']],
    [
      'a bad key',
      'profile.json',
      (s) => s.replace(hex(alice.publicKey), 'zz'.repeat(32)),
      'corrupt',
      ['profile.json is invalid', 'friends[0].publicKey'],
    ],
    [
      'a misspelt field',
      'profile.json',
      (s) => s.replace('"paused"', '"pasued"'),
      'corrupt',
      ['torrents[0]', 'pasued'],
    ],
    [
      'a duplicate name',
      'profile.json',
      (s) => s.replace('"Bob"', '"ALICE"'),
      'corrupt',
      ['friends[1]: duplicate friend name'],
    ],
    [
      'a newer format',
      'profile.json',
      (s) => s.replace('"version": 2', '"version": 3'),
      'unsupported',
      ['newer Coterie', 'format 3'],
    ],
    ['no version', 'profile.json', () => '[]', 'corrupt', ['does not hold a JSON object']],
    [
      'a swapped key',
      'identity.json',
      (s) => s.replace(/"publicKey": "[0-9a-f]+"/, `"publicKey": "${hex(alice.publicKey)}"`),
      'corrupt',
      ['identity.json is invalid', 'publicKey: does not belong to secretKey'],
    ],
  ]
  for (const [what, file, edit, code, mentions] of cases) {
    it(`reports ${what} in ${file} as '${code}', naming the file, and leaves it as it is`, async (t) => {
      const store = await ProfileStore.open(await tempDir(t), { create: true })
      await fill(store)
      const target = path.join(store.dir, file)
      const damaged = edit(await readFile(target, 'utf8'))
      await writeFile(target, damaged)
      const e = await rejects(ProfileStore.open(store.dir), code, [target, ...mentions])
      assert.equal(e.path, target)
      assert.ok(!e.message.includes(store.current.identity.secretKey), 'an error never quotes a secret')
      await rejects(store.read(), code)
      await rejects(
        store.update((d) => void (d.displayName = 'overwrite?')),
        code,
      )
      assert.equal(await readFile(target, 'utf8'), damaged)
    })
  }

  it('reads a format-1 profile (before group trackers) and writes it back as format 2', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    for (const file of ['profile.json', 'identity.json']) {
      const target = path.join(store.dir, file)
      await writeFile(target, (await readFile(target, 'utf8')).replace('"version": 2', '"version": 1'))
    }
    const old = await ProfileStore.open(store.dir)
    assert.equal(old.current.groups[0]!.trackers, undefined)
    await old.update((d) => void (d.groups[0]!.trackers = ['udp://127.0.0.1:6969/announce']))
    const written = JSON.parse(await readFile(path.join(store.dir, 'profile.json'), 'utf8'))
    assert.equal(written.version, 2)
    assert.deepEqual(written.groups[0].trackers, ['udp://127.0.0.1:6969/announce'])
  })

  it('reports a missing profile.json rather than starting an empty one', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await rm(store.layout.state)
    await rejects(ProfileStore.open(store.dir), 'corrupt', ['profile.json is missing'])
    await rejects(ProfileStore.open(store.dir, { create: true }), 'corrupt', ['profile.json is missing'])
  })
})

describe("ProfileStore: noticing other processes' changes", () => {
  // watch() does not keep a process alive on its own; the test has nothing else to.
  const keepAlive = (t: { after: (fn: () => void) => void }) => {
    const timer = setInterval(() => {}, 1000)
    t.after(() => clearInterval(timer))
  }

  it("revision() and watch() see another writer's commits, not our own", async (t) => {
    const dir = await tempDir(t)
    keepAlive(t)
    const node = await ProfileStore.open(dir, { create: true })
    const cli = await ProfileStore.open(dir)
    const seen: number[] = []
    let notify: () => void = () => {}
    const stop = node.watch(
      (p) => {
        seen.push(p.revision)
        notify()
      },
      { intervalMs: 20 },
    )
    t.after(stop)
    await node.update((d) => void (d.displayName = 'own change'))
    const changed = new Promise<void>((r) => (notify = r))
    await cli.update((d) => void (d.displayName = 'from the CLI'))
    assert.equal(await node.revision(), 2)
    await changed
    assert.deepEqual(seen, [2])
    assert.equal(node.current.displayName, 'from the CLI')
  })

  it('watch() reports a damaged file once, as a ProfileError', async (t) => {
    keepAlive(t)
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    const errors: ProfileError[] = []
    let notify: () => void = () => {}
    const reported = new Promise<void>((r) => (notify = r))
    const stop = store.watch(() => assert.fail('no valid change happened'), {
      intervalMs: 10,
      onError: (e) => {
        errors.push(e)
        notify()
      },
    })
    t.after(stop)
    // Replaced in one step: a plain writeFile is two changes (truncated, then filled), each reported.
    await writeFile(`${store.layout.state}.new`, 'not json')
    await rename(`${store.layout.state}.new`, store.layout.state)
    await reported
    // Proves an absence: a second report of the same replacement would come within this.
    const NO_SECOND_REPORT_MS = 60
    await new Promise((r) => setTimeout(r, NO_SECOND_REPORT_MS))
    assert.deepEqual(
      errors.map((e) => e.code),
      ['corrupt'],
    )
  })
})

describe('ProfileStore: tidy', () => {
  it('removes temporary files and orphaned info files, nothing else', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true })
    await fill(store)
    const orphan = store.layout.torrentInfo('cd'.repeat(20))
    const leftovers = [
      `${store.layout.state}.123456`,
      `${store.layout.identity}.42`,
      `${store.layout.torrentInfo('ef'.repeat(20))}.99`,
      orphan,
    ]
    for (const f of leftovers) await writeFile(f, 'x')
    await writeFile(path.join(store.dir, 'Preferences'), '{}') // Electron's, in the same directory
    assert.deepEqual((await store.tidy()).sort(), leftovers.sort())
    assert.deepEqual((await readdir(store.dir)).sort(), ['Preferences', 'identity.json', 'profile.json', 'torrents'])
    assert.equal((await readdir(store.layout.torrents)).length, 2)
  })
})

describe('ProfileStore: format versions', () => {
  it('reads a format-1 profile (before settings) with default settings, and writes it back as format 2', async (t) => {
    const store = await ProfileStore.open(await tempDir(t), { create: true, displayName: 'old' })
    const file = path.join(store.dir, 'profile.json')
    const { settings: _dropped, ...v1 } = { ...JSON.parse(await readFile(file, 'utf8')), version: 1 }
    await writeFile(file, JSON.stringify(v1))
    const p = await store.read()
    assert.equal(p.displayName, 'old')
    assert.deepEqual(p.settings, {
      port: 0,
      uploadLimit: null,
      downloadLimit: null,
      seedingPaused: false,
      startAtLogin: false,
    })
    await store.update((d) => void (d.settings.seedingPaused = true))
    const written = JSON.parse(await readFile(file, 'utf8'))
    assert.equal(written.version, 2)
    assert.equal(written.settings.seedingPaused, true)
  })
})
