/**
 * How a run of finished downloads in one group reads, in the window's toast (renderer/store/events.ts)
 * and in the desktop app's OS notification (electron/main/notification-coalescer.ts): one line that
 * counts them ("4 items finished in “Film club”"), the same words in both places.
 */

/** The coalescing key of a finished download: one per group (or one for downloads of no known group). */
export const finishedKey = (groupId: string | undefined): string => `finished:${groupId ?? ''}`

/**
 * `count` finished downloads of `group` (its name; undefined when unknown); `name` is the last one's,
 * said when it is the only one; `fallback` is the notice's own title for a download of no known group.
 */
export function finishedText(
  count: number,
  group: string | undefined,
  name: string,
  fallback: string,
): { title: string; body: string } {
  if (count === 1) return { title: group !== undefined ? `Finished in “${group}”` : fallback, body: name }
  return {
    title: `${count} items finished${group !== undefined ? ` in “${group}”` : ''}`,
    body: 'They are in Transfers.',
  }
}
