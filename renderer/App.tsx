/** The window: navigation, the current screen, toasts, the invite dialog, and window-wide drops. */
import type { DragEvent } from 'react'
import { InviteDialog } from './components/InviteDialog.js'
import { Toasts } from './components/Toasts.js'
import { Friends } from './screens/Friends.js'
import { Groups } from './screens/Groups.js'
import { Invites } from './screens/Invites.js'
import { Settings } from './screens/Settings.js'
import { Transfers } from './screens/Transfers.js'
import { You } from './screens/You.js'
import { useConnection } from './store/connection.js'
import { useInvite } from './store/invite.js'
import { useNav, SCREENS, type Screen } from './store/nav.js'
import { useProfile } from './store/profile.js'
import { toast } from './store/toasts.js'
import { isActive, useTorrents } from './store/torrents.js'

const LABELS: Record<Screen, string> = {
  you: 'You',
  friends: 'Friends',
  groups: 'Groups',
  transfers: 'Transfers',
  invites: 'Invites',
  settings: 'Settings',
}
const VIEWS: Record<Screen, () => React.JSX.Element> = {
  you: You,
  friends: Friends,
  groups: Groups,
  transfers: Transfers,
  invites: Invites,
  settings: Settings,
}

const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files')

/** What a nav badge stands for, read out in words ("1 friend", "3 active transfers"), never "1 items". */
const BADGE: Partial<Record<Screen, [string, string]>> = {
  friends: ['friend', 'friends'],
  groups: ['group', 'groups'],
  transfers: ['active transfer', 'active transfers'],
}
const badgeLabel = (s: Screen, n: number): string => `${n} ${BADGE[s]![n === 1 ? 0 : 1]}`

export function App() {
  const screen = useNav((s) => s.screen)
  const go = useNav((s) => s.go)
  const connection = useConnection((s) => s.state)
  const counts: Partial<Record<Screen, number>> = {
    friends: useProfile((s) => s.friends.length),
    groups: useProfile((s) => s.groups.length),
    // Only work under way: finished items sharing quietly are not something to look at.
    transfers: useTorrents((s) => Object.values(s.byHash).filter(isActive).length),
  }
  const View = VIEWS[screen]
  // A .coterie file dropped anywhere opens as an invite; other files belong on a group.
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return
    e.preventDefault()
    const files = [...e.dataTransfer.files]
    const invite = files.find((f) => f.name.toLowerCase().endsWith('.coterie'))
    if (invite) void useInvite.getState().openFile(invite)
    else if (files.length)
      toast(
        'info',
        'To share files, drop them on a group',
        'Open Groups, choose a group, and drop them on its sharing area.',
      )
  }
  return (
    <div
      className="app"
      onDragOver={(e) => {
        if (hasFiles(e)) e.preventDefault()
      }}
      onDrop={onDrop}
    >
      {/* The first Tab stop: past the navigation, straight to the screen. */}
      <a
        className="skip-link"
        href="#screen-title"
        onClick={(e) => {
          e.preventDefault()
          document.getElementById('screen-title')?.focus()
        }}
      >
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <p className="brand">Coterie</p>
        <ul>
          {SCREENS.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="nav-item"
                aria-current={screen === s ? 'page' : undefined}
                onClick={() => go(s)}
              >
                <span>{LABELS[s]}</span>
                {counts[s] ? (
                  <>
                    <span className="count" aria-hidden="true">
                      {counts[s]}
                    </span>
                    <span className="visually-hidden">, {badgeLabel(s, counts[s]!)}</span>
                  </>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="main">
        {connection === 'reconnecting' && (
          <div className="banner warn" role="alert">
            Lost the connection to Coterie; reconnecting… If Coterie was restarted, open the new address it printed.
          </div>
        )}
        {connection === 'closed' && (
          <div className="banner warn" role="alert">
            Disconnected from Coterie. Reload the page to reconnect.
          </div>
        )}
        <View key={screen} />
      </main>
      <Toasts />
      <InviteDialog />
    </div>
  )
}
