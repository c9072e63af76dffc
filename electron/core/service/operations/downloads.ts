/**
 * Where downloads go when neither the settings nor the command name a folder: the platform's
 * Downloads/Coterie (the profile schema's settings.downloadDir says the same). One definition for
 * the CLI's `join` and the app's backend, so both doors put files in the same place.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

export const defaultDownloadDir = (): string => join(homedir(), 'Downloads', 'Coterie')
