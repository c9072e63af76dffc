// electron-builder configuration (`npm run dist`). CommonJS because package.json says "type":
// "module" and electron-builder require()s its config. scripts/dist-config.test.ts checks it
// against electron-builder's own schema and against what the app relies on.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.coterie.desktop',
  productName: 'Coterie',
  copyright: 'Coterie contributors, MIT licence',
  directories: { output: 'dist', buildResources: 'build' },
  // What the app loads at run time: the bundled main and preload, the built renderer, and the
  // production dependencies electron-builder adds from node_modules.
  files: ['package.json', 'out/electron/**', 'renderer/dist/**', '!**/*.map'],
  asar: true,
  // A worker thread cannot start from inside the archive: the (self-contained) hashing worker is unpacked.
  asarUnpack: ['out/electron/hash-worker.mjs'],
  afterPack: 'build/after-pack.cjs',
  // Double-clicking an invite opens it in Coterie (a running one, through the single-instance lock).
  fileAssociations: [
    {
      ext: 'coterie',
      name: 'Coterie invite',
      description: 'An invitation to a Coterie group',
      mimeType: 'application/x-coterie-invite',
      role: 'Viewer',
      icon: 'icon',
    },
  ],
  // Linux ignores setAsDefaultProtocolClient: the scheme must be in the .desktop file, which this writes.
  protocols: [{ name: 'Coterie link', schemes: ['coterie'] }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Network',
    icon: 'build/icon.png',
    mimeTypes: ['application/x-coterie-invite', 'x-scheme-handler/coterie'],
    synopsis: 'Share files only with a closed group of friends',
  },
  deb: { priority: 'optional' },
  mac: { target: ['dmg'], category: 'public.app-category.productivity', icon: 'build/icon.png' },
  dmg: { title: 'Coterie' },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
}
