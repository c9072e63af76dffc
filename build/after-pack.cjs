/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder require()s its hooks: CommonJS */
// electron-builder afterPack hook: flips the packaged Electron's fuses (@electron/fuses) before
// it is signed and wrapped. Off: running as plain Node (ELECTRON_RUN_AS_NODE), NODE_OPTIONS, the
// --inspect switches (on only in a test build, COTERIE_TEST_BUILD=1, so Playwright can drive it),
// extra file:// privileges (the app is served from app://). On: loading the app only from its
// asar, cookie encryption.
const path = require('node:path')
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses')

/** The fuse settings, by name, for a build environment: what the config test checks. */
function fusesFor(env = process.env) {
  return {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: env.COTERIE_TEST_BUILD === '1',
    OnlyLoadAppFromAsar: true,
    GrantFileProtocolExtraPrivileges: false,
  }
}

function executable(context) {
  const { appOutDir, electronPlatformName, packager } = context
  const name = packager.appInfo.productFilename
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`)
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`)
  return path.join(appOutDir, packager.executableName)
}

async function afterPack(context) {
  const settings = fusesFor()
  const config = {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3 /* arm64 */,
  }
  for (const [name, on] of Object.entries(settings)) config[FuseV1Options[name]] = on
  await flipFuses(executable(context), config)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.fusesFor = fusesFor
