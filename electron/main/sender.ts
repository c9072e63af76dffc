/**
 * Which IPC messages the main process answers: those from our window's main frame, showing our
 * page (app://coterie/). Not a subframe, not another origin the window was somehow navigated to,
 * not another webContents. Pure, so it is tested without Electron.
 */
export const APP_ORIGIN = 'app://coterie'

export interface WindowLike {
  isDestroyed(): boolean
  readonly webContents: { readonly id: number }
}
export interface FrameLike {
  readonly parent: unknown
  readonly url: string
}

export function fromOurPage(
  win: WindowLike | undefined,
  sender: { readonly id: number },
  frame: FrameLike | null | undefined,
): boolean {
  if (win === undefined || win.isDestroyed() || sender.id !== win.webContents.id) return false
  if (frame === null || frame === undefined || frame.parent !== null) return false
  return frame.url.startsWith(`${APP_ORIGIN}/`)
}
