/**
 * The renewal window of one wire (docs/PROTOCOL.md §13.3): for RENEWAL_TIMEOUT_MS after a refusal
 * `expired`, the refuser may seal the group index (which carries the renewal) to the refused side,
 * and nothing else passes. Both directions are kept here: we refused a lapsed peer (we may send
 * it its renewal), and a peer refused us (what it seals to us is opened as a renewal). Times are
 * milliseconds passed in by the caller.
 */
import { RENEWAL_TIMEOUT_MS } from '../protocol/constants.js'

export class RenewalWindow {
  /** When we refused a lapsed peer, and when a peer refused us `expired`. */
  #lapsedAt: number | undefined
  #renewingSince: number | undefined
  #ended = false

  /** We refused the peer `expired` after it proved its key, at `at`. */
  peerLapsed(at: number): void {
    this.#lapsedAt = at
  }

  /** The peer refused us `expired` (before ever accepting us), first seen at `at`. */
  awaiting(at: number): void {
    if (this.#renewingSince === undefined) this.#renewingSince = at
  }

  /** Milliseconds left, at `at`, to send a lapsed peer its renewal; undefined if not (or no more). */
  sendableFor(at: number): number | undefined {
    const since = this.#lapsedAt
    if (since === undefined || at - since >= RENEWAL_TIMEOUT_MS) return undefined
    return since + RENEWAL_TIMEOUT_MS - at
  }

  /** True while a sealed message from the peer that refused us may be our renewal. */
  receiving(at: number): boolean {
    const since = this.#renewingSince
    return !this.#ended && since !== undefined && at - since < RENEWAL_TIMEOUT_MS
  }

  /** We have what we wanted of the renewal (or gave up on it). */
  end(): void {
    this.#ended = true
  }
}
