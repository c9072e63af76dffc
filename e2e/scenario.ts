/**
 * The spec a newcomer's first session follows, written once and run against whatever hosts the UI
 * (browser mode here; Electron where its binary exists): Bob copies his key; Alice adds him, makes
 * a group, drops a file on it and saves his invite; Bob opens it and the file arrives intact. Plus
 * the mistakes people make: a mistyped key, a duplicate friend, an invite made for someone else.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { Locator, Page } from 'playwright-core'
import { KEY_TEXT_REASONS } from '../shared/ui/reason-text.js'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { axeViolations } from './a11y.js'
import { WINDOW_SIZE } from '../electron/main/window-policy.js'
import { dropFiles, randomFile, screenshot, sha256 } from './harness.js'

export interface Side {
  readonly page: Page
  readonly name: 'Alice' | 'Bob'
}
export interface ScenarioEnv {
  readonly alice: Side
  readonly bob: Side
  /** A third identity's key, never running: invites for her are foreign to Bob. */
  readonly carolKey: string
  readonly tmp: string
  /** Screenshot name prefix, e.g. "browser". */
  readonly prefix: string
  readonly errors: string[]
  /**
   * The desktop app: answers the next save dialog of this side's app with `to` ("Invite…" saves
   * through it, and the toast says the path). Absent in browser mode, where the browser downloads.
   */
  readonly answerSaveDialog?: (side: Side, to: string) => Promise<void>
}

/** Bounded waits: UI reactions are fast; the transfer itself gets its own budget. */
const UI_MS = 10_000
const SHARE_MS = 60_000
const TRANSFER_MS = 90_000
const FILE_BYTES = 4 * 1024 * 1024
/** Bob's download limit during the test: makes the transfer last a few seconds, so it can be watched. */
const BOB_LIMIT_KIB = 1024
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

const nav = (page: Page, screen: string): Promise<void> =>
  page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: new RegExp(`^${screen}`) })
    .click()
const text = async (l: Locator): Promise<string> => ((await l.textContent({ timeout: UI_MS })) ?? '').trim()

export async function shareScenario(t: TestContext, env: ScenarioEnv): Promise<void> {
  const { alice, bob } = env
  const shot = (side: Side, what: string) => screenshot(side.page, `${env.prefix}-${side.name.toLowerCase()}-${what}`)
  /** "Invite…" on a member's row; the file lands at `to`, and the toast says where it went. */
  const saveInvite = async (side: Side, who: string, group: string, to: string) => {
    const button = side.page.getByTestId('member').filter({ hasText: who }).getByRole('button', { name: 'Invite…' })
    if (env.answerSaveDialog !== undefined) {
      await env.answerSaveDialog(side, to)
      await button.click()
      await side.page.getByTestId('toasts').getByText(`It is at ${to}.`).first().waitFor({ timeout: UI_MS })
      return
    }
    const download = side.page.waitForEvent('download', { timeout: UI_MS })
    await button.click()
    const d = await download
    assert.equal(d.suggestedFilename(), `${group}-for-${who}.coterie`)
    await d.saveAs(to)
    // The toast says what the file is called and where a browser put it.
    await side.page
      .getByTestId('toasts')
      .getByText(`Invite for ${who} saved as “${group}-for-${who}.coterie”`)
      .first()
      .waitFor({ timeout: UI_MS })
  }
  let bobKey = ''
  let bobFingerprint = ''
  let aliceFingerprint = ''

  await t.test('each names themself on the You screen; Bob copies his key', async () => {
    for (const side of [alice, bob]) {
      await side.page.getByTestId('own-key').waitFor({ timeout: UI_MS })
      await side.page.getByLabel('Display name').fill(side.name)
      await side.page.getByRole('button', { name: 'Save name' }).click()
      await side.page.getByText('Name saved').first().waitFor({ timeout: UI_MS })
    }
    // Toasts never cover the content column: the "Name saved" toast sits beside the screen.
    const toastBox = await alice.page.getByTestId('toasts').getByText('Name saved').first().boundingBox()
    const screenBox = await alice.page.locator('.screen').boundingBox()
    assert.ok(
      toastBox && screenBox && toastBox.x + toastBox.width <= screenBox.x,
      `the toast (${JSON.stringify(toastBox)}) does not cover the screen (${JSON.stringify(screenBox)})`,
    )
    // Keyboard: the first Tab stop skips the navigation, straight to the screen's heading.
    const firstStop = `document.querySelector('a[href], button:not([disabled]), input:not([tabindex="-1"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])').textContent`
    assert.equal(await alice.page.evaluate(firstStop), 'Skip to content', 'the first Tab stop is the skip link')
    await alice.page.getByRole('link', { name: 'Skip to content' }).focus()
    const skip = await alice.page.getByRole('link', { name: 'Skip to content' }).boundingBox()
    assert.ok(skip && skip.y >= 0, 'focused, the skip link is on screen')
    await alice.page.keyboard.press('Enter')
    assert.equal(
      await alice.page.evaluate('document.activeElement.id'),
      'screen-title',
      'Enter on it lands on the heading',
    )
    bobKey = await text(bob.page.getByTestId('own-key'))
    bobFingerprint = await text(bob.page.getByTestId('own-fingerprint'))
    aliceFingerprint = await text(alice.page.getByTestId('own-fingerprint'))
    assert.match(bobKey, /^coterie1[a-z0-9]+$/)
    await bob.page.getByRole('button', { name: 'Copy key' }).click()
    await bob.page.getByText('Copied ✓').waitFor({ timeout: UI_MS })
    assert.equal(
      await bob.page.evaluate('navigator.clipboard.readText()'),
      bobKey,
      'the Copy button puts the key on the clipboard',
    )
    await shot(alice, 'you')
    await shot(bob, 'you')
  })

  await t.test(
    'Alice backs up her identity to a passphrase-encrypted file; a wrong passphrase cannot restore it, the right one can',
    async () => {
      const page = alice.page
      await page.getByLabel('Passphrase (8 characters or more)').fill('correct horse battery')
      await page.getByLabel('Passphrase again').fill('correct horse batterY')
      await page.getByText('The two passphrases differ.').waitFor({ timeout: UI_MS })
      assert.equal(await page.getByRole('button', { name: 'Save backup file…' }).isDisabled(), true)
      await page.getByLabel('Passphrase again').fill('correct horse battery')
      const download = page.waitForEvent('download', { timeout: UI_MS })
      await page.getByRole('button', { name: 'Save backup file…' }).click()
      const backup = join(env.tmp, (await download).suggestedFilename())
      await (await download).saveAs(backup)
      assert.match(backup, /\.coterie-backup$/)
      await page.getByText('Restore from a backup…').click()
      await page.getByLabel('Backup file').setInputFiles(backup)
      await page.getByLabel('Its passphrase').fill('wrong passphrase')
      await page.getByLabel('Replace my current identity').check()
      await page.getByRole('button', { name: 'Restore identity' }).click()
      await page
        .getByRole('alert')
        .filter({ hasText: /backup/i })
        .first()
        .waitFor({ timeout: UI_MS })
      await shot(alice, 'you-restore-wrong-passphrase')
      await page.getByLabel('Its passphrase').fill('correct horse battery')
      await page.getByRole('button', { name: 'Restore identity' }).click()
      await page.getByText('Identity restored').waitFor({ timeout: UI_MS })
      assert.equal(await text(page.getByTestId('own-fingerprint')), aliceFingerprint, 'the same identity is back')
    },
  )

  await t.test('Alice: a mistyped key shows the checksum error inline and cannot be added', async () => {
    await nav(alice.page, 'Friends')
    await shot(alice, 'friends-empty')
    // One character swapped for another valid one: only the checksum can catch it.
    const i = bobKey.length - 3
    const typo = bobKey.slice(0, i) + BECH32[(BECH32.indexOf(bobKey[i]!) + 1) % 32] + bobKey.slice(i + 1)
    await alice.page.getByLabel('Their key').fill(typo)
    await alice.page.getByLabel('Name').fill('Bob')
    await alice.page.getByText(KEY_TEXT_REASONS['bad-checksum']).waitFor({ timeout: UI_MS })
    assert.equal(await alice.page.getByRole('button', { name: 'Add friend' }).isDisabled(), true)
    await shot(alice, 'friends-mistyped-key')
    // A key half-dealt-with survives a trip to another screen (it is a draft, not lost).
    await nav(alice.page, 'You')
    await nav(alice.page, 'Friends')
    assert.equal(await alice.page.getByLabel('Their key').inputValue(), typo, 'the typed key is still there')
    assert.equal(await alice.page.getByLabel('Name').inputValue(), 'Bob', 'and the name')
    await alice.page.getByText(KEY_TEXT_REASONS['bad-checksum']).waitFor({ timeout: UI_MS })
  })

  await t.test('Alice pastes Bob’s key, compares the fingerprint and adds him', async () => {
    await alice.page.getByLabel('Their key').fill(bobKey)
    assert.equal(
      await text(alice.page.getByTestId('checked-fingerprint')),
      bobFingerprint,
      'the fingerprint to compare is Bob’s',
    )
    await alice.page.getByRole('button', { name: 'Add friend' }).click()
    await alice.page.getByTestId('friend').filter({ hasText: 'Bob' }).waitFor({ timeout: UI_MS })
  })

  await t.test('Alice: the same key again is refused as a duplicate', async () => {
    await alice.page.getByLabel('Their key').fill(bobKey)
    await alice.page.getByLabel('Name').fill('Bob again')
    await alice.page.getByText('You already have this friend, as “Bob”.').waitFor({ timeout: UI_MS })
    assert.equal(await alice.page.getByRole('button', { name: 'Add friend' }).isDisabled(), true)
    await shot(alice, 'friends-duplicate')
    await alice.page.getByLabel('Their key').fill(env.carolKey)
    await alice.page.getByLabel('Name').fill('Carol')
    await alice.page.getByTestId('checked-fingerprint').waitFor({ timeout: UI_MS })
    await alice.page.getByRole('button', { name: 'Add friend' }).click()
    await alice.page.getByTestId('friend').filter({ hasText: 'Carol' }).waitFor({ timeout: UI_MS })
    await shot(alice, 'friends')
  })

  const fileName = 'holiday-video.bin'
  const source = join(env.tmp, fileName)
  const sourceHash = randomFile(source, FILE_BYTES)
  const invites = { bob: join(env.tmp, 'Holiday-for-Bob.coterie'), carol: join(env.tmp, 'Holiday-for-Carol.coterie') }

  await t.test('a group with only Alice says so, and counts no one; she deletes it', async () => {
    await nav(alice.page, 'Groups')
    await shot(alice, 'groups-empty')
    await alice.page.getByRole('button', { name: 'New group' }).click()
    await alice.page.getByLabel('Group name').fill('Scratch')
    await alice.page.getByRole('button', { name: 'Create group' }).click()
    await alice.page.getByTestId('toasts').getByText('Nobody else is in it yet').first().waitFor({ timeout: UI_MS })
    await alice.page.getByTestId('only-you').waitFor({ timeout: UI_MS })
    await alice.page.getByRole('button', { name: /^Scratch.*only you · 0 shared/ }).waitFor({ timeout: UI_MS })
    await shot(alice, 'groups-only-you')
    await alice.page.getByRole('button', { name: 'Delete group' }).click()
    await alice.page
      .getByRole('group', { name: /Delete “Scratch” for good\?/ })
      .getByRole('button', { name: 'Delete group' })
      .click()
    await alice.page.getByRole('button', { name: /^Scratch/ }).waitFor({ state: 'detached', timeout: UI_MS })
  })

  await t.test('Alice creates a group with Bob and Carol, drops a file on it, saves their invites', async () => {
    await nav(alice.page, 'Groups')
    await alice.page.getByRole('button', { name: 'New group' }).click()
    await alice.page.getByLabel('Group name').fill('Holiday')
    await alice.page.getByRole('checkbox', { name: /Bob/ }).check()
    await alice.page.getByRole('checkbox', { name: /Carol/ }).check()
    await alice.page.getByRole('button', { name: 'Create group' }).click()
    await alice.page.getByTestId('dropzone').waitFor({ timeout: UI_MS })
    // The drop zone's file input: the same path a drop takes (upload in browser mode, then share).
    await alice.page.getByTestId('share-files').setInputFiles(source)
    await alice.page
      .getByRole('list', { name: 'Shared in this group' })
      .getByText(fileName)
      .waitFor({ timeout: SHARE_MS })
    await alice.page.getByRole('button', { name: /^Holiday.*2 members · 1 shared/ }).waitFor({ timeout: UI_MS })
    await shot(alice, 'groups')
    for (const [who, path] of [
      ['Bob', invites.bob],
      ['Carol', invites.carol],
    ] as const)
      await saveInvite(alice, who, 'Holiday', path)
  })

  let bobDownloads = ''
  await t.test('Bob: settings (a download limit, so the transfer can be watched)', async () => {
    await nav(bob.page, 'Settings')
    bobDownloads = await bob.page.getByLabel('Download folder').inputValue({ timeout: UI_MS })
    assert.ok(bobDownloads.startsWith('/'), `download folder is an absolute path: ${bobDownloads}`)
    await bob.page.getByLabel('Download limit (KiB/s)').fill(String(BOB_LIMIT_KIB))
    await bob.page.getByRole('button', { name: 'Save settings' }).click()
    await bob.page.getByText('Settings saved').first().waitFor({ timeout: UI_MS })
    await shot(bob, 'settings')
  })

  await t.test('Bob: an invite made for someone else shows a clear error', async () => {
    await nav(bob.page, 'Invites')
    await shot(bob, 'invites-empty')
    await bob.page.getByTestId('invite-file').setInputFiles(invites.carol)
    const error = bob.page.getByTestId('invite-error')
    await error.waitFor({ timeout: UI_MS })
    assert.match(await text(error), /someone else/i)
    await shot(bob, 'invite-foreign')
    await bob.page.getByRole('button', { name: 'Close' }).click()
  })

  await t.test(
    'Bob opens his invite: group, Alice’s fingerprint, expiry; adds her as a friend from it; accepts',
    async () => {
      await bob.page.getByTestId('invite-file').setInputFiles(invites.bob)
      await bob.page.getByRole('heading', { name: 'Join “Holiday”?' }).waitFor({ timeout: UI_MS })
      assert.equal(
        await text(bob.page.getByTestId('invite-fingerprint')),
        aliceFingerprint,
        'the invite shows who sent it',
      )
      await bob.page.getByTestId('invite-dialog').getByText(fileName).waitFor({ timeout: UI_MS })
      // Each item with its size, and the total, before anything is accepted.
      assert.match(
        await text(bob.page.getByTestId('invite-item').filter({ hasText: fileName })),
        /4\.0 MiB/,
        'the preview gives each item its size',
      )
      assert.equal(await text(bob.page.getByTestId('invite-total')), 'In all: 1 item, 4.0 MiB')
      await bob.page
        .getByTestId('invite-dialog')
        .getByText('renews by itself while you are in the group')
        .waitFor({ timeout: UI_MS })
      // Where the files go: a folder of the group's own in the download folder, changeable before
      // accepting; a relative path is refused, not guessed at.
      const folder = bob.page.getByLabel('Saved to')
      assert.equal(
        await folder.inputValue(),
        join(bobDownloads, 'Holiday'),
        'the preview says where the files will be saved',
      )
      await folder.fill('holiday')
      await bob.page.getByText('The folder must be a full path').waitFor({ timeout: UI_MS })
      assert.equal(await bob.page.getByRole('button', { name: 'Accept and join' }).isDisabled(), true)
      await folder.fill(bobDownloads)
      await shot(bob, 'invite-preview')
      assert.deepEqual(await axeViolations(bob.page), [], 'the invite preview: axe-core')
      // The fingerprint checks out: Bob adds Alice as a friend from the invite itself.
      const dialog = bob.page.getByTestId('invite-dialog')
      await dialog.getByLabel('Add them to your friends as').fill('Alice')
      await dialog.getByRole('button', { name: 'Add friend' }).click()
      await dialog.getByText('Alice', { exact: true }).waitFor({ timeout: UI_MS })
      await bob.page.getByRole('button', { name: 'Accept and join' }).click()
      await bob.page.getByRole('heading', { name: 'Transfers' }).waitFor({ timeout: UI_MS })
    },
  )

  await t.test(
    'the file arrives on Bob’s disk, byte-identical; both peer views show the other authorized',
    async () => {
      // Delivery per member (issue 17) on Alice's group screen: Bob is "Getting 0 of 1 (…%)" while
      // his node downloads (1 MiB/s, so for seconds), then "Has all 1 item" (checked below).
      const bobDelivery = alice.page.getByTestId('member').filter({ hasText: 'Bob' }).getByTestId('presence')
      await bobDelivery.filter({ hasText: /^Getting 0 of 1 \(\d+ %\)$/ }).waitFor({ timeout: TRANSFER_MS })
      await shot(alice, 'groups-member-getting')
      const row = bob.page.getByTestId('torrent').filter({ hasText: fileName })
      await row.waitFor({ timeout: UI_MS })
      await row.getByRole('button', { name: /^Peers/ }).click()
      // Bob sees Alice authorized, by the name he gave her and her fingerprint.
      const alicePeer = row
        .locator('[data-testid="peer"][data-state="authorized"]')
        .filter({ hasText: `as Alice ${aliceFingerprint}` })
      await alicePeer.waitFor({ timeout: TRANSFER_MS })
      // How she is reached, in words, and the client by its version (loopback: direct, over TCP).
      assert.equal(await alicePeer.getByTestId('peer-path').innerText(), 'Direct · TCP')
      assert.match(await alicePeer.innerText(), /Coterie 0\.1\b/)
      await shot(bob, 'transfers-downloading')

      await nav(alice.page, 'Transfers')
      const aliceRow = alice.page.getByTestId('torrent').filter({ hasText: fileName })
      await aliceRow.getByRole('button', { name: /^Peers/ }).click()
      // Alice sees Bob authorized, by the name she gave him and his fingerprint.
      const bobPeer = aliceRow
        .locator('[data-testid="peer"][data-state="authorized"]')
        .filter({ hasText: `as Bob ${bobFingerprint}` })
      await bobPeer.waitFor({ timeout: TRANSFER_MS })
      await shot(alice, 'transfers')

      await row.getByTestId('torrent-state').filter({ hasText: 'Sharing' }).waitFor({ timeout: TRANSFER_MS })
      assert.equal(await sha256(join(bobDownloads, fileName)), sourceHash, 'the file on Bob’s disk is byte-identical')
      // One toast says where it finished (the group, not a bare "Download finished"), one per group.
      await bob.page.getByTestId('toasts').getByText('Finished in “Holiday”').waitFor({ timeout: UI_MS })
      assert.equal(
        await bob.page
          .getByTestId('toasts')
          .getByText(/finished/i)
          .count(),
        1,
        'one toast per group, not one per file',
      )
      // Done: the nav badge counts only active work, and the finished row shows no speed noise.
      await bob.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('button', { name: 'Transfers', exact: true })
        .waitFor({ timeout: UI_MS })
      assert.doesNotMatch(await text(row.locator('.torrent-line')), /↓/, 'a finished row shows no download speed')
      // The filter: Active is empty, Sharing lists it, All again.
      await bob.page.getByRole('button', { name: /^Active/ }).click()
      await bob.page.getByTestId('transfers-none').waitFor({ timeout: UI_MS })
      await bob.page.getByRole('button', { name: /^Sharing \(/ }).click()
      await row.waitFor({ timeout: UI_MS })
      await bob.page.getByRole('button', { name: /^All/ }).click()
      await shot(bob, 'transfers')
      // "Show in folder": browser mode cannot open a file manager, so it says where the files are.
      await row.getByRole('button', { name: 'Show in folder' }).click()
      await bob.page
        .getByRole('status')
        .filter({ hasText: 'Files are in' })
        .filter({ hasText: bobDownloads })
        .waitFor({ timeout: UI_MS })
      // Honest states: paused is shown as paused, and resuming goes back to sharing.
      await aliceRow.getByRole('button', { name: 'Pause' }).click()
      await aliceRow.getByTestId('torrent-state').filter({ hasText: 'Paused' }).waitFor({ timeout: UI_MS })
      await aliceRow.getByRole('button', { name: 'Resume' }).click()
      await aliceRow.getByTestId('torrent-state').filter({ hasText: 'Sharing' }).waitFor({ timeout: UI_MS })
      await nav(alice.page, 'Groups')
      await bobDelivery.filter({ hasText: /^Has all 1 item$/ }).waitFor({ timeout: UI_MS })
      await shot(alice, 'groups-member-has-all')
    },
  )

  await t.test(
    'drag and drop: a dropped file and a chosen folder are shared, and reach Bob by themselves; an old invite dropped on the window changes nothing',
    async () => {
      await nav(alice.page, 'Groups')
      await dropFiles(alice.page, '[data-testid="dropzone"]', [
        { name: 'notes.txt', bytes: Buffer.from('Bring sunscreen.\n') },
      ])
      await alice.page
        .getByRole('list', { name: 'Shared in this group' })
        .getByText('notes.txt')
        .waitFor({ timeout: SHARE_MS })
      // A folder ("Choose a folder…"): browser mode uploads each file under its relative path, then
      // shares the folder as one item.
      const folder = join(env.tmp, 'Photos')
      mkdirSync(join(folder, 'day 2'), { recursive: true })
      writeFileSync(join(folder, 'beach.txt'), 'sand\n')
      writeFileSync(join(folder, 'day 2', 'boat.txt'), 'waves\n')
      await alice.page.getByTestId('share-folder').setInputFiles(folder)
      // Both files are in the shared folder (5 + 6 bytes); the size may show a moment after the name.
      const item = alice.page
        .getByRole('list', { name: 'Shared in this group' })
        .getByRole('listitem')
        .filter({ hasText: 'Photos' })
      await item.filter({ hasText: '11 B' }).waitFor({ timeout: SHARE_MS })
      await shot(alice, 'groups-collection')
      // An invite dropped on the group is not shared to every member as a file: it asks first.
      await dropFiles(alice.page, '[data-testid="dropzone"]', [
        { name: 'Holiday-for-Bob.coterie', bytes: readFileSync(invites.bob) },
      ])
      const question = alice.page.getByRole('group', { name: 'Open this invite instead?' })
      await question.waitFor({ timeout: UI_MS })
      await shot(alice, 'groups-drop-invite')
      await question.getByRole('button', { name: 'Open invite' }).click()
      await alice.page.getByTestId('invite-dialog').waitFor({ timeout: UI_MS }) // opened as an invite (made for Bob, not her)
      await alice.page
        .getByTestId('invite-dialog')
        .getByRole('button', { name: /^(Close|Decline)$/ })
        .click()
      await alice.page.getByTestId('invite-dialog').waitFor({ state: 'detached', timeout: UI_MS })
      assert.equal(
        await alice.page.getByRole('list', { name: 'Shared in this group' }).getByText('.coterie').count(),
        0,
        'the invite was not shared',
      )
      // Bob drops his old invite anywhere on the window: he is a member already, so it would only
      // renew his membership; he declines, and nothing changes.
      await nav(bob.page, 'You')
      await dropFiles(bob.page, 'main', [{ name: 'Holiday-for-Bob.coterie', bytes: readFileSync(invites.bob) }])
      await bob.page.getByText('You are already a member').waitFor({ timeout: UI_MS })
      await bob.page.getByRole('button', { name: 'Decline' }).click()
      await bob.page.getByTestId('invite-dialog').waitFor({ state: 'detached', timeout: UI_MS })
      // New items reach members by themselves (the group index, PROTOCOL.md §13): no new invite.
      await nav(bob.page, 'Transfers')
      for (const name of ['notes.txt', 'Photos']) {
        await bob.page
          .getByTestId('torrent')
          .filter({ hasText: name })
          .getByTestId('torrent-state')
          .filter({ hasText: 'Sharing' })
          .waitFor({ timeout: TRANSFER_MS })
      }
      assert.equal(
        readFileSync(join(bobDownloads, 'Photos', 'day 2', 'boat.txt'), 'utf8'),
        'waves\n',
        'the folder arrives with its structure',
      )
    },
  )

  await t.test(
    'Alice takes notes.txt out of the group (the confirm says members keep what they have); it disappears on Bob’s side by itself, his copy stays',
    async () => {
      await nav(alice.page, 'Groups')
      const notes = alice.page
        .getByRole('list', { name: 'Shared in this group' })
        .getByRole('listitem')
        .filter({ hasText: 'notes.txt' })
      await notes.getByRole('button', { name: 'Remove from group' }).click()
      const ask = notes.getByRole('group', { name: /^Remove “notes\.txt” from “Holiday”\?/ })
      await ask.waitFor({ timeout: UI_MS })
      assert.match(
        await text(ask),
        /what they already downloaded stays theirs/,
        'the confirm says what members downloaded stays theirs',
      )
      await shot(alice, 'groups-unshare-confirm')
      await ask.getByRole('button', { name: 'Remove from group' }).click()
      await notes.waitFor({ state: 'detached', timeout: UI_MS })
      await nav(alice.page, 'Transfers')
      // Gone from her Transfers too, once the node's change reaches the page (an event, not this click).
      await alice.page
        .getByTestId('torrent')
        .filter({ hasText: 'notes.txt' })
        .waitFor({ state: 'detached', timeout: UI_MS })
      // Bob was told nothing but the group's next index: his Coterie stops listing and sharing it.
      await nav(bob.page, 'Transfers')
      await bob.page
        .getByTestId('torrent')
        .filter({ hasText: 'notes.txt' })
        .waitFor({ state: 'detached', timeout: TRANSFER_MS })
      await nav(bob.page, 'Groups')
      const bobShared = bob.page.getByRole('list', { name: 'Shared in this group' })
      await bobShared.getByText('Photos').waitFor({ timeout: UI_MS })
      assert.equal(await bobShared.getByText('notes.txt').count(), 0, 'Bob’s group no longer lists it')
      await shot(bob, 'groups-retracted')
      assert.equal(
        readFileSync(join(bobDownloads, 'notes.txt'), 'utf8'),
        'Bring sunscreen.\n',
        'what Bob downloaded stays on his disk',
      )
    },
  )

  await t.test(
    'Alice switches on “Don’t seed on this network”: Transfers says so, a limit she was typing stays; she switches it off',
    async () => {
      await nav(alice.page, 'Settings')
      const upload = alice.page.getByLabel('Upload limit (KiB/s)')
      await upload.fill('100')
      await alice.page.getByLabel('Don’t seed on this network').check()
      await alice.page.getByText('Not sharing on this network').first().waitFor({ timeout: UI_MS })
      assert.equal(await upload.inputValue(), '100', 'saving the switch keeps what she was typing in the form below')
      await nav(alice.page, 'Transfers')
      await alice.page.getByText('Sharing is paused on this network').waitFor({ timeout: UI_MS })
      const video = alice.page.getByTestId('torrent').filter({ hasText: 'holiday-video.bin' })
      assert.equal(
        await text(video.getByTestId('torrent-state')),
        'Complete, not sharing here',
        'not “Sharing” while it shares nothing',
      )
      await shot(alice, 'transfers-not-seeding')
      await nav(alice.page, 'Settings')
      await alice.page.getByLabel('Don’t seed on this network').uncheck()
      await alice.page.getByText('Sharing again').first().waitFor({ timeout: UI_MS })
      await nav(alice.page, 'Transfers')
      await alice.page.getByText('Sharing is paused on this network').waitFor({ state: 'detached', timeout: UI_MS })
    },
  )

  await t.test(
    'Alice limits her uploads for the group to 512 KiB/s on its Groups screen, then lifts the limit',
    async () => {
      await nav(alice.page, 'Groups')
      const limits = alice.page.getByRole('form', { name: 'Speed limits for this group' })
      await limits.getByLabel('Upload limit (KiB/s)').fill('512')
      await limits.getByRole('button', { name: 'Save limits' }).click()
      await limits.getByText('Now: upload 512 KiB/s, download no limit').waitFor({ timeout: UI_MS })
      await shot(alice, 'groups-speed-limits')
      await limits.getByLabel('Upload limit (KiB/s)').fill('')
      await limits.getByRole('button', { name: 'Save limits' }).click()
      await limits.getByText('Now: upload no limit, download no limit').waitFor({ timeout: UI_MS })
    },
  )

  await t.test(
    'Alice removes Carol from her friends, after confirming; the group keeps her as an unnamed member',
    async () => {
      await nav(alice.page, 'Friends')
      const carol = alice.page.getByTestId('friend').filter({ hasText: 'Carol' })
      await carol.getByRole('button', { name: 'Remove' }).click()
      await carol.getByRole('button', { name: 'Cancel' }).click()
      await carol.getByRole('button', { name: 'Remove' }).click()
      await carol
        .getByRole('group', { name: /Remove Carol from your friends\?/ })
        .getByRole('button', { name: 'Remove' })
        .click()
      await carol.waitFor({ state: 'detached', timeout: UI_MS })
      await nav(alice.page, 'Groups')
      await alice.page.getByTestId('member').filter({ hasText: 'Unknown (' }).waitFor({ timeout: UI_MS })
    },
  )

  await t.test('Alice removes Carol from the group, after confirming; Bob stays', async () => {
    const carol = alice.page.getByTestId('member').filter({ hasText: 'Unknown (' })
    await carol.getByRole('button', { name: 'Remove' }).click()
    await carol
      .getByRole('group', { name: /They get nothing new/ })
      .getByRole('button', { name: 'Remove' })
      .click()
    await carol.waitFor({ state: 'detached', timeout: UI_MS })
    await alice.page.getByTestId('member').filter({ hasText: 'Bob' }).waitFor({ timeout: UI_MS })
    await shot(alice, 'groups-member-removed')
  })

  await t.test('an invite saved before anything is shared: what Alice drops later reaches Bob by itself', async () => {
    // The group's rendezvous (PROTOCOL.md §12.5) is where the two nodes meet while the group holds
    // no share yet; without it the index would have no connection to travel on.
    await nav(alice.page, 'Groups')
    await alice.page.getByRole('button', { name: 'New group' }).click()
    await alice.page.getByLabel('Group name').fill('Books')
    await alice.page.getByRole('checkbox', { name: /Bob/ }).check()
    await alice.page.getByRole('button', { name: 'Create group' }).click()
    await alice.page.getByRole('heading', { name: /^Books/ }).waitFor({ timeout: UI_MS })
    const path = join(env.tmp, 'Books-for-Bob.coterie')
    await saveInvite(alice, 'Bob', 'Books', path)
    await nav(bob.page, 'Invites')
    await bob.page.getByTestId('invite-file').setInputFiles(path)
    await bob.page.getByRole('heading', { name: 'Join “Books”?' }).waitFor({ timeout: UI_MS })
    await bob.page.getByRole('button', { name: 'Accept and join' }).click()
    await bob.page.getByRole('heading', { name: 'Transfers' }).waitFor({ timeout: UI_MS })
    await dropFiles(alice.page, '[data-testid="dropzone"]', [
      { name: 'chapter-1.txt', bytes: Buffer.from('It was a bright cold day.\n') },
    ])
    await alice.page
      .getByRole('list', { name: 'Shared in this group' })
      .getByText('chapter-1.txt')
      .waitFor({ timeout: SHARE_MS })
    await bob.page
      .getByTestId('torrent')
      .filter({ hasText: 'chapter-1.txt' })
      .getByTestId('torrent-state')
      .filter({ hasText: 'Sharing' })
      .waitFor({ timeout: TRANSFER_MS })
    assert.equal(
      readFileSync(join(bobDownloads, 'Books', 'chapter-1.txt'), 'utf8'),
      'It was a bright cold day.\n',
      'the later share arrives intact',
    )
    // Names are never changed silently (issue 17): notes.txt, uploaded earlier for Holiday (its file is
    // still in Holiday's upload folder), is shared in Books under its own name, since browser mode
    // keeps each group's uploads in a folder of their own; dropped into Books a second time, it must
    // be renamed there, and Alice is told so.
    await dropFiles(alice.page, '[data-testid="dropzone"]', [
      { name: 'notes.txt', bytes: Buffer.from('Books notes\n') },
    ])
    await alice.page
      .getByRole('list', { name: 'Shared in this group' })
      .getByText('notes.txt', { exact: true })
      .waitFor({ timeout: SHARE_MS })
    await bob.page
      .getByTestId('torrent')
      .filter({ hasText: 'notes.txt' })
      .getByTestId('torrent-state')
      .filter({ hasText: 'Sharing' })
      .waitFor({ timeout: TRANSFER_MS })
    assert.equal(
      readFileSync(join(bobDownloads, 'Books', 'notes.txt'), 'utf8'),
      'Books notes\n',
      'the name Alice dropped',
    )
    await dropFiles(alice.page, '[data-testid="dropzone"]', [{ name: 'notes.txt', bytes: Buffer.from('again\n') }])
    await alice.page
      .getByTestId('toasts')
      .getByText('“notes.txt” is shared as “notes (2).txt”')
      .waitFor({ timeout: SHARE_MS })
    await alice.page
      .getByRole('list', { name: 'Shared in this group' })
      .getByText('notes (2).txt', { exact: true })
      .waitFor({ timeout: SHARE_MS })
    await shot(alice, 'groups-renamed-told')
    // The rendezvous itself is plumbing: it is listed nowhere a person looks.
    assert.equal(
      await bob.page.getByTestId('torrent').filter({ hasText: 'coterie-rendezvous' }).count(),
      0,
      'no rendezvous among Bob’s transfers',
    )
    await nav(bob.page, 'Groups')
    await bob.page.getByRole('button', { name: /^Books/ }).click()
    const shared = bob.page.getByRole('list', { name: 'Shared in this group' })
    await shared.getByText('chapter-1.txt').waitFor({ timeout: UI_MS })
    await shared.getByText('notes (2).txt').waitFor({ timeout: TRANSFER_MS })
    assert.equal(await shared.getByRole('listitem').count(), 3, 'Bob’s view of “Books” lists its three shares')
  })

  await t.test(
    'Alice’s Groups screen shows Bob connected while both run; Bob’s view of the group downloads new shares automatically',
    async () => {
      await nav(alice.page, 'Groups')
      await alice.page.getByRole('button', { name: /^Books/ }).click()
      // Connected: his node proved his member key to hers, on a share or on the group's rendezvous;
      // a connected row says what he holds of the group's three shares (delivery per member).
      const bobRow = alice.page
        .getByTestId('member')
        .filter({ hasText: 'Bob' })
        .getByTestId('presence')
        .filter({ hasText: /^Has all 3 items$/ })
      await bobRow.waitFor({ timeout: TRANSFER_MS })
      assert.match((await bobRow.getAttribute('class')) ?? '', /presence-on/, 'shown as connected')
      await shot(alice, 'groups-members-connected')
      await nav(bob.page, 'Groups')
      await bob.page.getByRole('button', { name: /^Books/ }).click()
      const auto = bob.page.getByRole('checkbox', { name: 'Download new shares automatically' })
      await auto.waitFor({ timeout: UI_MS })
      assert.equal(await auto.isChecked(), true, 'auto-join is on by default')
      await bob.page
        .getByTestId('member')
        .filter({ hasText: 'Alice' })
        .getByTestId('presence')
        .filter({ hasText: /^Has all 3 items$/ })
        .waitFor({ timeout: TRANSFER_MS })
    },
  )

  await t.test(
    'Bob leaves “Books”, after confirming: the group is gone from his list, his file stays on disk',
    async () => {
      await nav(bob.page, 'Groups')
      const list = bob.page.getByRole('list', { name: 'Your groups' })
      await list.getByRole('button', { name: /^Books/ }).click()
      await bob.page.getByRole('button', { name: 'Leave group' }).click()
      await bob.page
        .getByRole('group', { name: /Leave “Books”\?/ })
        .getByRole('button', { name: 'Cancel' })
        .click()
      assert.equal(await list.getByRole('button', { name: /^Books/ }).count(), 1, 'cancelled: still a member')
      await bob.page.getByRole('button', { name: 'Leave group' }).click()
      await bob.page
        .getByRole('group', { name: /what you downloaded stays on this computer/ })
        .getByRole('button', { name: 'Leave group' })
        .click()
      await list.getByRole('button', { name: /^Books/ }).waitFor({ state: 'detached', timeout: UI_MS })
      await bob.page.getByRole('heading', { name: /^Holiday/ }).waitFor({ timeout: UI_MS }) // the next group
      assert.equal(
        readFileSync(join(bobDownloads, 'Books', 'chapter-1.txt'), 'utf8'),
        'It was a bright cold day.\n',
        'the file stays on Bob’s disk',
      )
      await shot(bob, 'groups-left')
      await nav(bob.page, 'Transfers')
      await bob.page
        .getByTestId('torrent')
        .filter({ hasText: 'chapter-1.txt' })
        .waitFor({ state: 'detached', timeout: UI_MS })
    },
  )

  await t.test('every screen renders without console errors, every control named', async () => {
    for (const side of [alice, bob]) {
      for (const screen of ['You', 'Friends', 'Groups', 'Transfers', 'Invites', 'Settings']) {
        await nav(side.page, screen)
        await side.page.getByRole('heading', { name: screen, level: 1 }).waitFor({ timeout: UI_MS })
        // Every control has an accessible name (a label, or aria-label): in the ARIA snapshot an
        // unnamed one is a bare role, e.g. `- textbox` with nothing after it.
        const snapshot = await side.page.locator('body').ariaSnapshot({ timeout: UI_MS })
        const unnamed = snapshot
          .split('\n')
          .filter((l) =>
            /^\s*- (textbox|checkbox|combobox|button|spinbutton|radio|slider)\s*(\[[^\]]*\])?\s*:?\s*$/.test(l),
          )
        assert.deepEqual(unnamed, [], `${side.name}'s ${screen} screen has controls without a name`)
        assert.deepEqual(
          await axeViolations(side.page),
          [],
          `${side.name}'s ${screen} screen: axe-core (WCAG 2.1 A/AA, best practices)`,
        )
      }
    }
    // A narrow window (800×600): one column, the navigation a bar on top, nothing wider than the window.
    const wide = alice.page.viewportSize()
    await alice.page.setViewportSize({ width: 800, height: 600 })
    for (const screen of ['Groups', 'Transfers', 'You']) {
      await nav(alice.page, screen)
      const navBox = await alice.page.getByRole('navigation', { name: 'Main' }).boundingBox()
      const head = await alice.page.getByRole('heading', { name: screen, level: 1 }).boundingBox()
      assert.ok(
        navBox && head && navBox.y + navBox.height <= head.y,
        `${screen} at 800×600: the navigation is above the screen`,
      )
      assert.ok(head.x < 100, `${screen} at 800×600: the screen uses the full width (heading at x=${head.x})`)
      assert.equal(
        await alice.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
        true,
        `${screen} at 800×600: no sideways scrolling`,
      )
      assert.deepEqual(await axeViolations(alice.page), [], `${screen} at 800×600: axe-core`)
      await shot(alice, `${screen.toLowerCase()}-800x600`)
    }
    // The desktop window's minimum size (electron/main/window-policy.ts): every screen still fits.
    await alice.page.setViewportSize({ width: WINDOW_SIZE.minWidth, height: WINDOW_SIZE.minHeight })
    for (const screen of ['You', 'Friends', 'Invites', 'Transfers', 'Settings', 'Groups']) {
      await nav(alice.page, screen)
      assert.equal(
        await alice.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
        true,
        `${screen} at the window's minimum size: no sideways scrolling`,
      )
    }
    await shot(alice, 'groups-window-minimum')
    // The dialog Groups opens ("Subscribe to a provider…") fits the minimum size too.
    await alice.page.getByRole('button', { name: 'Subscribe to a provider…' }).click()
    await alice.page.getByTestId('subscribe-dialog').waitFor({ timeout: 10_000 })
    assert.equal(
      await alice.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'),
      true,
      "the subscribe dialog at the window's minimum size: no sideways scrolling",
    )
    await shot(alice, 'subscribe-dialog-window-minimum')
    await alice.page.keyboard.press('Escape')
    await alice.page.getByTestId('subscribe-dialog').waitFor({ state: 'detached', timeout: 10_000 })
    if (wide) await alice.page.setViewportSize(wide)
    await shot(alice, 'settings')
    await nav(bob.page, 'Groups')
    await shot(bob, 'groups')
    await nav(bob.page, 'Invites')
    await shot(bob, 'invites')
    assert.deepEqual(env.errors, [], 'no console or page errors')
  })
}
