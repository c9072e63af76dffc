/**
 * An invite opened from outside the window (file association, command line, second launch,
 * macOS open-file, a `coterie:` link, the "Open invite…" menu): read, previewed by the backend,
 * and pushed to the page as 'invite.opened', or as an error notice saying why it did not open.
 * Until the page has loaded, they wait in a queue (a launch by double-click comes before it).
 */
import path from 'node:path'
import { MAX_INVITE_BYTES, readBounded, type Dispatch } from '../core/service/index.js'
import type { EventChannel, EventOf } from '../../shared/ipc/contract.js'
import { inviteSource } from './args.js'
import { INVITE_REASONS } from '../../shared/ui/reason-text.js'

type Push = <E extends EventChannel>(event: E, payload: EventOf<E>) => void

export class InviteOpener {
  readonly #dispatch: Dispatch
  readonly #push: Push
  #ready = false
  readonly #queue: string[] = []

  constructor(dispatch: Dispatch, push: Push) {
    this.#dispatch = dispatch
    this.#push = push
  }

  /** The page is listening: what came before goes now. */
  ready(): void {
    this.#ready = true
    for (const arg of this.#queue.splice(0)) void this.open(arg)
  }

  async open(arg: string): Promise<void> {
    if (!this.#ready) {
      this.#queue.push(arg)
      return
    }
    const fail = (body: string) =>
      this.#push('notice', { kind: 'error', title: 'This invite could not be opened', body })
    const source = inviteSource(arg)
    if (source === undefined)
      return fail('That is not a Coterie invite file or link, or it names a file on another computer.')
    if (source.kind === 'damaged') return fail(INVITE_REASONS.damaged)
    let fileName: string
    let bytes: Uint8Array
    if (source.kind === 'path') {
      // At most an invite's size, a regular file only: a link may name /dev/zero or a FIFO.
      const read = await readBounded(source.path, MAX_INVITE_BYTES)
      if (!read.ok && read.error === 'missing') return fail(`${source.path} does not exist.`)
      if (!read.ok && read.error === 'too-large') return fail('The file is far larger than any invite.')
      if (!read.ok) return fail(`${source.path} is not a file Coterie can read.`)
      bytes = read.value
      fileName = path.basename(source.path)
    } else {
      bytes = source.data
      fileName = source.fileName
    }
    const file = { fileName, data: Buffer.from(bytes).toString('base64') }
    const preview = await this.#dispatch('invites.preview', file)
    if (!preview.ok) return fail(preview.error.message)
    this.#push('invite.opened', { file, preview: preview.value as EventOf<'invite.opened'>['preview'] })
  }
}
