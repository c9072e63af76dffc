/** Reading the profile into a validated, frozen snapshot. */
import { ProfileError } from './errors.js'
import { exists, readJsonFile } from './files.js'
import { PROFILE_FILES, type ProfileLayout } from './paths.js'
import {
  DEFAULT_SETTINGS,
  FORMAT_VERSION,
  identityFileSchema,
  stateFileSchema,
  type Identity,
  type IdentityFile,
  type ProfileData,
  type StateFile,
} from './schema.js'
import { unsealIdentity, type SecretSealer } from './secrets.js'

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/** A validated, frozen snapshot of the profile. */
export type Profile = DeepReadonly<ProfileData> & {
  /** Bumped by every committed update, by any process: compare to notice changes. */
  readonly revision: number
  readonly identity: Identity
}

export async function readIdentity(layout: ProfileLayout, sealer?: SecretSealer): Promise<Identity> {
  return unsealIdentity(await readIdentityFile(layout), layout.identity, sealer)
}

export const readIdentityFile = (layout: ProfileLayout): Promise<IdentityFile> =>
  readJsonFile(layout.identity, identityFileSchema, PROFILE_FILES.identity, 'identity')

export async function readProfile(layout: ProfileLayout, sealer?: SecretSealer): Promise<Profile> {
  const identity = await readIdentity(layout, sealer)
  if (!(await exists(layout.state))) {
    throw new ProfileError(
      'corrupt',
      `${layout.state} is missing (${PROFILE_FILES.identity} is there), so your friends, groups and torrents cannot be read. ` +
        `Restore it from a backup; to start over with the same identity, create it containing ${EMPTY_STATE_HINT}.`,
      layout.state,
    )
  }
  return snapshot(identity, await readJsonFile(layout.state, stateFileSchema, PROFILE_FILES.state, 'state'))
}

const EMPTY_STATE_HINT = `{"version": ${FORMAT_VERSION}, "revision": 0, "displayName": "", "friends": [], "groups": [], "torrents": [], "settings": ${JSON.stringify(DEFAULT_SETTINGS)}}`

export const dataOf = ({ displayName, friends, groups, torrents, settings }: ProfileData): ProfileData => ({
  displayName,
  friends,
  groups,
  torrents,
  settings,
})

export function snapshot(identity: Identity, state: StateFile): Profile {
  return deepFreeze({ revision: state.revision, identity, ...structuredClone(dataOf(state)) })
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
