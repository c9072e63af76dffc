/**
 * The pace of member pex on one wire (docs/PROTOCOL.md §12.2): each accepted pex can make the node
 * dial up to MAX_PEX_PEERS addresses, so a receiver takes at most one per half interval, and a
 * sender keeps to the same gap. A sender keeping to PEX_INTERVAL_MS is never cut; a flooding one is.
 * Pure bookkeeping: the caller passes the time (milliseconds) and decides what a "no" means.
 */
import { PEX_INTERVAL_MS } from '../protocol/constants.js'

export const PEX_MIN_GAP_MS = PEX_INTERVAL_MS / 2

export class PexLimits {
  #receivedAt: number | undefined
  #sentAt: number | undefined

  /** True if a pex received at `at` comes soon after the last one taken. */
  tooSoonToTake(at: number): boolean {
    return this.#receivedAt !== undefined && at - this.#receivedAt < PEX_MIN_GAP_MS
  }

  took(at: number): void {
    this.#receivedAt = at
  }

  /** True if a pex sent at `at` would come soon after the last one sent. */
  tooSoonToSend(at: number): boolean {
    return this.#sentAt !== undefined && at - this.#sentAt < PEX_MIN_GAP_MS
  }

  sent(at: number): void {
    this.#sentAt = at
  }
}
