/**
 * Format versions. Every file carries `version`; older versions are upgraded in memory when read
 * (and written in the current format by the next update); newer ones are refused rather than
 * guessed at, so an old Coterie never rewrites a newer profile and drops what it does not know.
 */
import { ProfileError } from './errors.js'
import { DEFAULT_SETTINGS, FORMAT_VERSION, IDENTITY_FORMAT_VERSION } from './schema.js'

type Raw = Record<string, unknown>
export type FileKind = 'state' | 'identity'

const CURRENT: Readonly<Record<FileKind, number>> = { state: FORMAT_VERSION, identity: IDENTITY_FORMAT_VERSION }

/** MIGRATIONS[kind][n] turns a version-n object into a version-(n+1) one. */
const MIGRATIONS: Readonly<Record<FileKind, Readonly<Record<number, (raw: Raw) => Raw>>>> = {
  state: {
    // 2: the desktop app's settings live in the profile, so `coterie run` honours them too; groups
    // gained optional fields (trackers, the group index's) that a format-1 reader would not know.
    1: (raw) => ({ ...raw, settings: { ...DEFAULT_SETTINGS } }),
  },
  identity: {
    // 2: `sealed` may replace `secretKey`; a format-1 file is a format-2 file with a plain key.
    1: (raw) => raw,
  },
}

export function upgrade(raw: unknown, file: string, kind: FileKind): unknown {
  const current = CURRENT[kind]
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProfileError(
      'corrupt',
      `${file} does not hold a JSON object. Coterie left it unchanged; restore it from a backup.`,
      file,
    )
  }
  let obj = raw as Raw
  const v = obj.version
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ProfileError(
      'corrupt',
      `${file} has no valid "version" field. Coterie left it unchanged; restore it from a backup.`,
      file,
    )
  }
  if (v > current) {
    throw new ProfileError(
      'unsupported',
      `${file} was written by a newer Coterie (format ${v}; this one reads up to format ${current}). Update Coterie to use this profile.`,
      file,
    )
  }
  for (let at = v; at < current; at++) {
    const step = MIGRATIONS[kind][at]
    if (step === undefined) throw new Error(`versions: no migration from format ${at}`)
    obj = { ...step(obj), version: at + 1 }
  }
  return obj
}
