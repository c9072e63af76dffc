// TorrentEvents over TorrentViews, the pair behind 'torrents.changed' and torrents.list: what a
// window was shown and then lost is reported removed, even when it came and went between ticks.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TorrentEvents } from './events.js'
import { TorrentViews } from './torrents.js'
import type { CoterieNode } from '../runtime/node.js'
import type { Profile } from '../../profile/index.js'

// The views read the profile's entries and the engine's summaries; an idle engine has none.
const idleNode = { engine: { summary: () => [] }, errors: () => new Map() } as unknown as CoterieNode
const entry = (infoHash: string) => ({
  infoHash,
  groupId: 'g',
  name: infoHash,
  downloadDir: '/tmp',
  addedAt: '2026-12-02T00:00:00.000Z',
  paused: false,
})

function setup() {
  let profile = { torrents: [] as ReturnType<typeof entry>[] }
  const views = new TorrentViews()
  const sent: { changed: string[]; removed: string[] }[] = []
  const events = new TorrentEvents(
    { build: () => views.build(profile as unknown as Profile, idleNode), gone: (now) => views.gone(now) },
    (event, payload) => {
      if (event !== 'torrents.changed') return
      const p = payload as { changed: { infoHash: string }[]; removed: string[] }
      sent.push({ changed: p.changed.map((v) => v.infoHash), removed: p.removed })
    },
    3_600_000, // ticks only when the test says
  )
  const list = () => views.build(profile as unknown as Profile, idleNode).map((v) => v.infoHash)
  const set = (...ihs: string[]) => {
    profile = { torrents: ihs.map(entry) }
  }
  return { events, sent, list, set }
}

describe('torrent events', () => {
  it('reports a torrent removed that torrents.list showed, though no tick saw it', (t) => {
    const { events, sent, list, set } = setup()
    t.after(() => events.stop())
    events.tick()
    set('aa')
    assert.deepEqual(list(), ['aa'], 'the window lists it')
    set()
    events.tick()
    assert.deepEqual(sent, [{ changed: [], removed: ['aa'] }])
    events.tick()
    assert.equal(sent.length, 1, 'told once')
  })

  it('reports changes and removals of what ticks sent, and nothing when nothing changed', (t) => {
    const { events, sent, set } = setup()
    t.after(() => events.stop())
    set('aa', 'bb')
    events.tick()
    events.tick()
    set('bb')
    events.tick()
    assert.deepEqual(sent, [
      { changed: ['aa', 'bb'], removed: [] },
      { changed: [], removed: ['aa'] },
    ])
  })

  it('says nothing of a torrent no window was shown', (t) => {
    const { events, sent, set } = setup()
    t.after(() => events.stop())
    set('aa')
    set()
    events.tick()
    assert.deepEqual(sent, [])
  })
})
