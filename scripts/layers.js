// The layering rules, as data: eslint.config.js applies them and scripts/layers.test.ts proves
// each one fires. A layer lists the import specifiers (gitignore-style globs) it may not use;
// a layer inside another (protocol inside core) repeats its parent's rules, because in a flat
// ESLint config the later `no-restricted-imports` replaces the earlier one for the same file.
const NODE = ['node:*', 'fs', 'fs/*', 'path', 'net', 'dgram', 'os', 'child_process', 'crypto', 'http', 'https', 'stream']
const rule = (group, message) => ({ group, message })

const core = [
  rule(['electron', 'electron/*'], 'electron/core runs in plain Node (CLI, tests, seedbox): never import Electron.'),
  rule(['**/main/**', '**/preload/**', '**/renderer/**'], 'electron/core knows nothing of the app shell or the UI.'),
]

export const layers = [
  {
    name: 'shared',
    files: ['shared/**/*.ts'],
    pure: true,
    forbid: [
      rule(['electron', 'electron/*'], 'shared/ is pure: no Electron.'),
      rule(NODE, 'shared/ is pure: no Node built-ins (the renderer imports it).'),
      rule(['**/electron/**', '**/renderer/**'], 'shared/ is the bottom layer: it imports nothing of the app.'),
    ],
  },
  {
    name: 'renderer',
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    pure: true,
    forbid: [
      rule(['electron', 'electron/*'], 'The renderer reaches the main process only through the preload API.'),
      rule(NODE, 'The renderer is sandboxed: no Node built-ins.'),
      rule(['**/electron/**'], 'The renderer imports shared/, never the main process code.'),
    ],
  },
  { name: 'core', files: ['electron/core/**/*.ts'], pure: false, forbid: core },
  {
    name: 'main',
    files: ['electron/main/**/*.ts'],
    pure: false,
    forbid: [rule(['**/renderer/**', '**/preload/**'], 'The main process reaches the page through IPC only: never import the renderer or the preload.')],
  },
  {
    name: 'preload',
    files: ['electron/preload/**/*.ts'],
    pure: false,
    forbid: [
      rule(NODE, 'The preload runs sandboxed: no Node built-ins (only electron).'),
      rule(['**/core/**', '**/main/**', '**/renderer/**'], 'The preload exposes the contract from shared/ and nothing of the app.'),
    ],
  },
  {
    name: 'protocol',
    files: ['electron/core/protocol/**/*.ts'],
    pure: true,
    forbid: [
      ...core,
      rule(['webtorrent', 'bittorrent-protocol', 'ut_*'], 'The protocol core is pure: no engine.'),
      rule(NODE, 'The protocol core is pure functions over bytes and time: no Node I/O.'),
      rule(
        ['**/wire/**', '**/engine/**', '**/profile/**', '**/platform/**', '**/testing/**', '**/cli/**'],
        'The protocol knows nothing of the rest of electron/core.',
      ),
    ],
  },
]
