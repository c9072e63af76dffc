/**
 * Reading a file someone else chose (an invite named on the command line or in a `coterie:` link,
 * a group index a peer sent, a profile file a person may have edited) with a bound set before a
 * byte is read. Checking `stat().size` first is not enough: /dev/zero, a FIFO or a file still
 * growing report a size of 0 or less than they deliver, and `readFile` then reads until memory runs
 * out (`coterie join /dev/zero` grew to 5.4 GB, issue 15). So the file is opened without blocking,
 * refused unless it is a regular file, and read through one handle into a buffer of `max + 1`
 * bytes at most: one byte more than allowed means too large.
 *
 * Errors are values (a path from outside is a trust boundary); only a caller's bad `max` throws.
 */
import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

export type BoundedReadError =
  /** Nothing at that path (or a folder on the way is missing). */
  | 'missing'
  /** A folder, a device, a FIFO, a socket: not something that holds an invite or an index. */
  | 'not-a-file'
  /** More than `max` bytes. */
  | 'too-large'
  /** Any other failure to open or read (permissions, I/O): `detail` says which. */
  | 'unreadable'

export type BoundedRead =
  | { readonly ok: true; readonly value: Uint8Array }
  | { readonly ok: false; readonly error: BoundedReadError; readonly detail?: string; readonly errno?: string }

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; Windows has no FIFOs
// reachable by path and no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NONBLOCK)

/** Reads at most `max` bytes of the regular file at `file`, or says why it did not. */
export async function readBounded(file: string, max: number): Promise<BoundedRead> {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`readBounded: bad max ${max}`)
  let handle: FileHandle
  try {
    handle = await open(file, OPEN_FLAGS)
  } catch (e) {
    return failure(e)
  }
  try {
    const s = await handle.stat()
    if (!s.isFile()) return { ok: false, error: 'not-a-file' }
    if (s.size > max) return { ok: false, error: 'too-large' }
    // The size may change under us: whatever stat said, read until the end or one byte past `max`,
    // growing the buffer by doubling (it starts at the size stat gave, so a normal file is one read).
    let buf = new Uint8Array(Math.min(max + 1, s.size + 1))
    let filled = 0
    for (;;) {
      if (filled === buf.length) {
        if (buf.length > max) break
        const bigger = new Uint8Array(Math.min(max + 1, buf.length * 2))
        bigger.set(buf)
        buf = bigger
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    if (filled > max) return { ok: false, error: 'too-large' }
    return { ok: true, value: buf.subarray(0, filled) }
  } catch (e) {
    return failure(e)
  } finally {
    await handle.close().catch(() => undefined)
  }
}

function failure(e: unknown): BoundedRead {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, error: 'missing' }
  if (code === 'EISDIR') return { ok: false, error: 'not-a-file' }
  const detail = e instanceof Error ? e.message : String(e)
  return { ok: false, error: 'unreadable', detail, ...(code !== undefined && { errno: code }) }
}

/**
 * Reads a stream someone else fills (`coterie join -` reads stdin: a pipe, a terminal, a redirected
 * /dev/zero) to its end, keeping at most `max` bytes: one chunk past the bound stops the read and
 * answers 'too-large', so memory never holds more than `max` plus one chunk.
 */
export async function readStreamBounded(stream: AsyncIterable<Uint8Array | string>, max: number): Promise<BoundedRead> {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`readStreamBounded: bad max ${max}`)
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk
      total += bytes.length
      if (total > max) return { ok: false, error: 'too-large' }
      chunks.push(bytes)
    }
  } catch (e) {
    return failure(e)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return { ok: true, value: out }
}
