/** The tray icon: show the window, pause or resume seeding ("don't seed on this network"), quit. */
import { Menu, Tray, nativeImage } from 'electron'
import type { Dispatch } from '../core/service/index.js'

export function createTray(icon: string, dispatch: Dispatch, show: () => void, quit: () => void): Tray {
  const image = nativeImage.createFromPath(icon).resize({ width: 22, height: 22 })
  const tray = new Tray(image)
  tray.setToolTip('Coterie')
  const rebuild = async () => {
    const settings = await dispatch('settings.get', {})
    const paused = settings.ok && (settings.value as { seedingPaused: boolean }).seedingPaused
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Coterie', click: show },
        {
          label: "Don't seed on this network",
          type: 'checkbox',
          checked: paused,
          // Electron ignores a click handler's promise: the chain is started here and ends in rebuild().
          click: (item) => {
            void dispatch('settings.set', { seedingPaused: item.checked }).then(rebuild)
          },
        },
        { type: 'separator' },
        { label: 'Quit Coterie', click: quit },
      ]),
    )
  }
  void rebuild()
  tray.on('click', show)
  return tray
}
