/**
 * A torrent that failed while it ran (issue 15, "bad days"): webtorrent closes a torrent whose
 * store could not write or read a piece, and tells only its 'error' listeners. Without a word, the
 * torrent left `coterie status` and sat as "checking" in the app for good. Here the failure gets a
 * code a person can act on (a full disk, a folder that went away, any other refusal by the disk),
 * and the node starts it again every FAILED_RETRY_MS, or at "Retry now": starting again verifies
 * what is on disk, so nothing already written is fetched twice.
 */
import { ServiceError } from '../../../../shared/service-errors.js'

/** How long a failed torrent waits before the node starts it again by itself. */
export const FAILED_RETRY_MS = 60_000

/** The typed reason for what the store threw (Node's errno codes). */
export function failureOf(err: unknown): ServiceError {
  const code = (err as { code?: unknown } | null)?.code
  const detail = err instanceof Error ? `(${err.message})` : undefined
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return new ServiceError('disk-full', detail)
    case 'ENOENT':
    case 'ENOTDIR':
      return new ServiceError('files-gone', detail)
    default:
      return new ServiceError('disk-error', detail)
  }
}
