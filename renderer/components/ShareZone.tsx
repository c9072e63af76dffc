/**
 * The drop zone of a group: files or folders dropped or chosen are shared into it (uploaded first
 * in browser mode), with upload and checksum progress; what fails is said and nothing is shared.
 */
import { useEffect, useRef, useState, type DragEvent } from 'react'
import type { GroupView } from '../../shared/ipc/views.js'
import { FieldError, Progress, useFieldId } from './common.js'
import { bytes } from '../lib/format.js'
import {
  batches,
  collect,
  fromPicked,
  pathsFor,
  readDrop,
  renamedText,
  type Dropped,
  type ShareProgress,
} from '../lib/share.js'
import { call, getApi } from '../store/api.js'
import { useInvite } from '../store/invite.js'
import { useShares } from '../store/shares.js'
import { toast, useToasts } from '../store/toasts.js'

/** One group's drop zone and file pickers. */
export function ShareZone({ group }: { group: GroupView }) {
  const [over, setOver] = useState(false)
  const [progress, setProgress] = useState<ShareProgress | null>(null)
  const [error, setError] = useState<string | null>(null)
  /** A dropped .coterie file is almost surely an invite to open, not a file to share: ask first. */
  const [invite, setInvite] = useState<{ file: File; shareAnyway: () => Promise<void> } | null>(null)
  const others = group.members.filter((m) => !m.self).length
  const hashing = useShares((s) => s.byGroup[group.id])
  const fileInput = useRef<HTMLInputElement>(null)
  const folderInput = useRef<HTMLInputElement>(null)
  const id = useFieldId()
  useEffect(() => {
    // React does not know the non-standard attribute: set it on the element.
    folderInput.current?.setAttribute('webkitdirectory', '')
  }, [])

  const share = async (dropped: Dropped[], electronFiles: File[] | null) => {
    if (progress) return
    setError(null)
    const api = getApi()
    // Browser mode uploads into the group's own folder; a name taken there is changed, and said.
    const renamed: { asked: string; stored: string }[] = []
    const target = { group: group.id, renamed: (asked: string, stored: string) => renamed.push({ asked, stored }) }
    const paths = await pathsFor(api, dropped, electronFiles, setProgress, target)
    if (!paths.ok) {
      setProgress(null)
      return setError(paths.error.message)
    }
    setProgress({ phase: 'hashing', items: paths.value.length })
    let shared = 0
    const done = () => {
      setProgress(null)
      useShares.getState().clear(group.id)
    }
    for (const batch of batches(paths.value)) {
      const r = await call('groups.share', { group: group.id, paths: batch })
      if (!r.ok) {
        done()
        return setError(r.error.message)
      }
      shared += r.value.infoHashes.length
    }
    done()
    // The group index carries it to members (PROTOCOL.md §13): no new invite needed. With nobody
    // else in the group, say so rather than promise deliveries to no one.
    // One toast per group counting what was shared in a row of drops, not one per drop.
    useToasts.getState().coalesce(
      `shared:${group.id}`,
      'success',
      (n) => ({
        title: `Shared ${n} item${n === 1 ? '' : 's'} in “${group.name}”`,
        body:
          others > 0
            ? 'Members get them by themselves as soon as their Coterie meets yours or another member’s.'
            : 'Nobody else is in this group yet: add a friend below and send them an invite; they get it then.',
      }),
      shared,
    )
    if (renamed.length > 0) toast('info', ...renamedText(renamed))
  }

  const onDrop = async (e: DragEvent) => {
    e.preventDefault()
    e.stopPropagation()
    setOver(false)
    const { files, entries } = readDrop(e.dataTransfer)
    const run = () => shareDrop(files, entries)
    const inviteFile = files.find((f) => f.name.toLowerCase().endsWith('.coterie'))
    if (inviteFile) return setInvite({ file: inviteFile, shareAnyway: run })
    await run()
  }
  const shareDrop = async (files: File[], entries: (FileSystemEntry | null)[]) => {
    try {
      if (getApi().pathForFile) return await share([], files)
      const dropped = await collect(entries, files)
      if (!dropped.ok) return setError(dropped.error)
      await share(dropped.value, null)
    } catch {
      // Reading a dropped folder can fail midway (moved, unreadable): say so, share nothing.
      setProgress(null)
      setError(
        'Some of what was dropped could not be read; nothing was shared. Try again, or choose the files instead.',
      )
    }
  }
  const onPick = (files: FileList | null) => {
    if (!files || files.length === 0) return
    void share(fromPicked([...files]), null)
  }

  return (
    <div
      className={`dropzone${over ? ' over' : ''}${progress ? ' busy' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault()
        e.stopPropagation()
        e.dataTransfer.dropEffect = 'copy'
        setOver(true)
      }}
      // Leaving for a child of the zone is not leaving the zone: no flicker while dragging across it.
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false)
      }}
      onDrop={(e) => void onDrop(e)}
      aria-busy={progress !== null}
    >
      {invite && progress === null && (
        <div
          className="drop-question"
          role="group"
          aria-label="Open this invite instead?"
          data-testid="drop-invite-question"
        >
          <p className="drop-title">“{invite.file.name}” is a Coterie invite. Open this invite instead?</p>
          <p className="muted small">Shared here, it would go to every member of “{group.name}” as an ordinary file.</p>
          <div className="row center">
            <button
              type="button"
              autoFocus
              onClick={() => {
                const f = invite.file
                setInvite(null)
                void useInvite.getState().openFile(f)
              }}
            >
              Open invite
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                const go = invite.shareAnyway
                setInvite(null)
                void go()
              }}
            >
              Share it as a file
            </button>
            <button type="button" className="secondary" onClick={() => setInvite(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {progress === null && !invite && (
        <>
          <p className="drop-title">
            {over
              ? `Release to share with “${group.name}”`
              : `Drop files or folders here to share them with “${group.name}”`}
          </p>
          <p className="muted small">or</p>
          <div className="row center">
            <button type="button" onClick={() => fileInput.current?.click()}>
              Choose files…
            </button>
            <button type="button" className="secondary" onClick={() => folderInput.current?.click()}>
              Choose a folder…
            </button>
          </div>
        </>
      )}
      {progress?.phase === 'uploading' && (
        <div className="share-progress" aria-live="polite">
          <p>
            Sending {progress.file} to Coterie… {bytes(progress.sent)} of {bytes(progress.total)}
          </p>
          <Progress value={progress.total ? progress.sent / progress.total : 0} label="Upload progress" />
        </div>
      )}
      {progress?.phase === 'hashing' && (
        <div className="share-progress" aria-live="polite">
          <p>
            <span className="spinner" aria-hidden="true" /> Preparing{' '}
            {hashing ? `“${hashing.name}”` : `${progress.items} item${progress.items === 1 ? '' : 's'}`}: computing
            checksums so members can verify every piece
            {hashing && hashing.total > 0 ? ` (${bytes(hashing.hashed)} of ${bytes(hashing.total)})` : ''}.
          </p>
          {hashing && hashing.total > 0 && (
            <Progress value={hashing.hashed / hashing.total} label="Checksum progress" />
          )}
        </div>
      )}
      <label htmlFor={`${id}-files`} className="visually-hidden">
        Files to share
      </label>
      <input
        id={`${id}-files`}
        ref={fileInput}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        data-testid="share-files"
        onChange={(e) => {
          onPick(e.target.files)
          e.target.value = ''
        }}
      />
      <label htmlFor={`${id}-folder`} className="visually-hidden">
        Folder to share
      </label>
      <input
        id={`${id}-folder`}
        ref={folderInput}
        type="file"
        className="visually-hidden"
        tabIndex={-1}
        data-testid="share-folder"
        onChange={(e) => {
          onPick(e.target.files)
          e.target.value = ''
        }}
      />
      <FieldError id={`${id}-err`} message={error} />
    </div>
  )
}
