/**
 * Noticing that another process changed a file: a stat every interval (no fs.watch, whose events
 * differ per platform and get lost on network drives). A commit replaces the file by rename, so
 * its inode, size or times change; only then is `onMove` called to read it.
 */
import { stat } from 'node:fs/promises'
import { fsError, ProfileError } from './errors.js'

export function pollForChanges(
  file: string,
  intervalMs: number,
  onMove: () => Promise<void>,
  onError: ((error: ProfileError) => void) | undefined,
): () => void {
  let last = ''
  let lastError = ''
  let busy = false
  const tick = async () => {
    if (busy) return
    busy = true
    try {
      const s = await stat(file, { bigint: true })
      const signature = `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`
      if (signature === last) return
      last = signature
      await onMove()
      lastError = ''
    } catch (e) {
      // The file can change between the stat and the read, so one damaged version may be read
      // twice: report each distinct problem once.
      const error = e instanceof ProfileError ? e : fsError(e, file, 'watch the profile')
      if (error.message !== lastError) onError?.(error)
      lastError = error.message
    } finally {
      busy = false
    }
  }
  // Unref'd: watching alone does not keep a process alive.
  const timer = setInterval(() => void tick(), intervalMs)
  timer.unref()
  void tick()
  return () => clearInterval(timer)
}
