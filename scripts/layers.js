// The layering rules, as data: what each layer MAY import (other layers, npm packages, Node's
// built-ins); everything else is refused. scripts/eslint-layers.js applies them as the lint rule
// `local/layers`, scripts/layers.test.ts proves each one fires, and scripts/draw-architecture.mjs
// draws the table in docs/ARCHITECTURE.md from them. Allow-lists rather than deny-lists: a new
// folder, package or built-in is refused until someone says here why a layer needs it.

/**
 * @typedef {object} Layer
 * @property {string} name
 * @property {string} dir        path prefix from the repository root; a file belongs to the longest matching dir
 * @property {boolean} node      may import Node's built-ins
 * @property {boolean} pure      loads nothing at run time (no computed import()), so this rule sees every edge
 * @property {string[]} packages npm packages it may import (a trailing /* allows a scope)
 * @property {string[]} may      layers it may import, besides itself
 * @property {string} why        one line for docs/ARCHITECTURE.md
 */

/**
 * The order inside electron/core, stated once: each layer may import the layers before it, except
 * that the layers after `service` (its index.ts, the one door) reach the rest only through it.
 */
export const CORE_ORDER = [
  'protocol',
  'platform',
  'profile',
  'gate',
  'engine',
  'service/operations',
  'service/runtime',
  'service/contract',
  'service',
  'provider',
  'ui-server',
  'cli',
]

const DOOR = CORE_ORDER.indexOf('service')

/** What each electron/core layer adds to what the order allows. */
const core = {
  protocol: {
    node: false,
    pure: true,
    packages: ['@noble/*', '@scure/base', 'bencode', 'zod'],
    why: 'pure functions over bytes and time: encoding, keys, certificates, handshake, sealed records, invites, backups',
  },
  platform: {
    node: true,
    pure: false,
    packages: ['@noble/*'],
    why: 'Node-specific primitives (native curves and AEADs, scrypt)',
  },
  profile: {
    node: true,
    pure: false,
    packages: ['@noble/*', 'zod'],
    why: 'the profile directory: crash-safe, locked, validated on every read',
  },
  gate: {
    node: true,
    pure: false,
    // webtorrent for its Torrent type only: the gate is installed on a torrent's wires.
    packages: ['@noble/*', 'bencode', 'bittorrent-protocol', 'webtorrent'],
    why: 'the authorization gate on each wire: BEP 10 extension, handshake driver, sealing, TLS switch, upload gate',
  },
  engine: {
    node: true,
    pure: false,
    packages: [
      '@noble/*',
      'webtorrent',
      'bittorrent-protocol',
      'bittorrent-dht',
      'bittorrent-tracker',
      'create-torrent',
      'ut_metadata',
    ],
    why: 'WebTorrent behind the gate; discovery under private topics (DHT, LSD, trackers), pex among members',
  },
  'service/operations': {
    node: true,
    pure: false,
    // zod: a subscription's file (subscribe.ts), read back from disk, is checked as the profile's are.
    packages: ['@noble/*', 'write-file-atomic', 'zod'],
    why: 'what a user does (friends, groups, share, invite, join), over the profile',
  },
  'service/runtime': {
    node: true,
    pure: false,
    packages: ['@noble/*', 'bittorrent-dht', 'bittorrent-tracker'],
    why: 'a running node on a profile, its control socket and rendezvous',
  },
  'service/contract': {
    node: true,
    pure: false,
    packages: ['@noble/*', 'zod'],
    why: 'the IPC contract of shared/ipc answered over a profile and a node (one dispatcher)',
  },
  service: {
    node: true,
    pure: false,
    packages: [],
    why: "the service's public surface: the one door for the CLI, browser mode and the shell",
  },
  provider: {
    node: true,
    pure: false,
    // better-sqlite3: the accounts database; pg: the same database on PostgreSQL, shared by issuance nodes;
    // @node-rs/argon2: password hashing (docs/PROVIDER.md says why each).
    packages: ['better-sqlite3', 'pg', '@node-rs/argon2', 'zod'],
    why: 'the content provider: accounts in a database, logins, certificates issued over HTTP',
  },
  'ui-server': {
    node: true,
    pure: false,
    packages: ['ws', 'zod'],
    why: 'browser mode: the renderer and the contract over HTTP + WebSocket, loopback',
  },
  cli: { node: true, pure: false, packages: ['@noble/*', 'commander', 'tsx/*'], why: 'the headless `coterie` command' },
}

/** @type {Layer[]} */
export const layers = [
  {
    name: 'shared',
    dir: 'shared/',
    node: false,
    pure: true,
    packages: ['zod'],
    may: [],
    why: 'pure TypeScript both sides use: results, reason codes, the IPC contract',
  },
  {
    name: 'renderer',
    dir: 'renderer/',
    node: false,
    pure: true,
    packages: ['react', 'react-dom', 'react-dom/*', 'react/*', 'zustand', 'zustand/*', 'uqr'],
    may: ['shared'],
    why: 'the React UI, sandboxed: it reaches the rest only through the preload API',
  },
  {
    name: 'preload',
    dir: 'electron/preload/',
    node: false,
    pure: false,
    packages: ['electron'],
    may: ['shared'],
    why: 'exposes the typed contract of shared/ and nothing else',
  },
  {
    name: 'main',
    dir: 'electron/main/',
    node: true,
    pure: false,
    packages: ['electron'],
    may: ['shared', 'service'],
    why: 'the Electron shell: windows, IPC handlers, OS integration',
  },
  ...CORE_ORDER.map((name, i) => ({
    name,
    dir: `electron/core/${name}/`,
    ...core[/** @type {keyof typeof core} */ (name)],
    may: ['shared', 'types', ...(i > DOOR ? CORE_ORDER.slice(DOOR, i) : CORE_ORDER.slice(0, i))],
  })),
  {
    name: 'types',
    dir: 'electron/core/types/',
    node: true,
    pure: true,
    packages: ['*'],
    may: [],
    why: 'type declarations for untyped npm packages',
  },
  {
    name: 'testing',
    dir: 'electron/core/testing/',
    node: true,
    pure: false,
    packages: ['*'],
    may: ['shared', 'types', ...CORE_ORDER],
    why: 'fixtures, real peers, the NAT lab, the vector builders and the fuzz targets (tests only)',
  },
]

/** Files of these folders are tests: they may use what their layer may, their own layer, `testing`, and any package. */
export const isTest = (/** @type {string} */ file) => /\.test\.tsx?$/.test(file) || /(^|\/)testing\//.test(file)
