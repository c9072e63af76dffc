// The layering rules, as data: eslint.config.js applies them and scripts/layers.test.ts proves
// each one fires. A layer lists the import specifiers (gitignore-style globs) it may not use.
const NODE = ['node:*', 'fs', 'fs/*', 'path', 'net', 'dgram', 'os', 'child_process', 'crypto', 'http', 'https', 'stream']
const rule = (group, message) => ({ group, message })

export const layers = [
  {
    name: 'shared',
    files: ['shared/**/*.ts'],
    forbid: [
      rule(['electron', 'electron/*'], 'shared/ is pure: no Electron.'),
      rule(NODE, 'shared/ is pure: no Node built-ins (the renderer imports it).'),
      rule(['**/electron/**', '**/renderer/**'], 'shared/ is the bottom layer: it imports nothing of the app.'),
    ],
  },
  {
    name: 'renderer',
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    forbid: [
      rule(['electron', 'electron/*'], 'The renderer reaches the main process only through the preload API.'),
      rule(NODE, 'The renderer is sandboxed: no Node built-ins.'),
      rule(['**/electron/**'], 'The renderer imports shared/, never the main process code.'),
    ],
  },
  {
    name: 'core',
    files: ['electron/core/**/*.ts'],
    forbid: [
      rule(['electron', 'electron/*'], 'electron/core runs in plain Node (CLI, tests, seedbox): never import Electron.'),
      rule(['**/main/**', '**/preload/**', '**/renderer/**'], 'electron/core knows nothing of the app shell or the UI.'),
    ],
  },
  {
    name: 'protocol',
    files: ['electron/core/protocol/**/*.ts'],
    forbid: [
      rule(['electron', 'electron/*', 'webtorrent', 'bittorrent-protocol', 'ut_*'], 'The protocol core is pure: no engine, no Electron.'),
      rule(NODE, 'The protocol core is pure functions over bytes and time: no Node I/O.'),
      rule(['**/wire/**', '**/engine/**', '**/profile/**', '**/cli/**', '**/main/**', '**/renderer/**'], 'The protocol knows nothing of the layers above it.'),
    ],
  },
]
