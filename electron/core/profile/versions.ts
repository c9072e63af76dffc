/**
 * Format versions. Every file carries `version`; older versions are upgraded in memory when read
 * (and written in the current format by the next update); newer ones are refused rather than
 * guessed at, so an old Coterie never rewrites a newer profile and drops what it does not know.
 */
import { ProfileError } from './errors.js'
import { FORMAT_VERSION } from './schema.js'

type Raw = Record<string, unknown>

/** MIGRATIONS[n] turns a version-n object into a version-(n+1) one. */
const MIGRATIONS: Readonly<Record<number, (raw: Raw) => Raw>> = {
  // Format 2 added groups' optional `trackers`; a format-1 file is a valid format-2 file as it is.
  // The version moved all the same, so a format-1 Coterie refuses a profile that may hold them
  // ("newer Coterie") instead of calling it corrupt.
  1: (raw) => raw,
}

export function upgrade(raw: unknown, file: string): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProfileError('corrupt', `${file} does not hold a JSON object. Coterie left it unchanged; restore it from a backup.`, file)
  }
  let obj = raw as Raw
  const v = obj.version
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ProfileError('corrupt', `${file} has no valid "version" field. Coterie left it unchanged; restore it from a backup.`, file)
  }
  if (v > FORMAT_VERSION) {
    throw new ProfileError(
      'unsupported',
      `${file} was written by a newer Coterie (format ${v}; this one reads up to format ${FORMAT_VERSION}). Update Coterie to use this profile.`,
      file,
    )
  }
  for (let at = v; at < FORMAT_VERSION; at++) {
    const step = MIGRATIONS[at]
    if (step === undefined) throw new Error(`versions: no migration from format ${at}`)
    obj = { ...step(obj), version: at + 1 }
  }
  return obj
}
