/**
 * Asserts on Result values (shared/result.ts) that say what failed: `assert.ok(r.ok)` fails with
 * "false == true" and hides the error code and reason, which is the one thing a reader needs.
 */
import assert from 'node:assert/strict'
import type { Result } from '../../../shared/result.js'

/** What a failed result carried, for a message: `code: reason` for a Problem, JSON otherwise. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code, message } = error as { code: unknown; message?: unknown }
    return typeof message === 'string' ? `${String(code)}: ${message}` : String(code)
  }
  return JSON.stringify(error)
}

/** Fails, showing the error's code and reason, unless `r` is ok; narrows `r` so `r.value` reads after it. */
export function assertOk<T, E>(r: Result<T, E>, what?: string): asserts r is { readonly ok: true; readonly value: T } {
  if (!r.ok) assert.fail(`${what ? `${what}: ` : ''}expected ok, got ${describeError(r.error)}`)
}

/** The value of an ok result; fails, showing the error's code and reason, otherwise. */
export function okValue<T, E>(r: Result<T, E>, what?: string): T {
  assertOk(r, what)
  return r.value
}

/** Fails unless `r` is an error with `code` (when given); narrows `r` so `r.error` reads after it. */
export function assertErr<T, E extends { readonly code: string }>(
  r: Result<T, E>,
  code?: E['code'],
  what?: string,
): asserts r is { readonly ok: false; readonly error: E } {
  const prefix = what ? `${what}: ` : ''
  if (r.ok) assert.fail(`${prefix}expected error${code ? ` ${code}` : ''}, got ok: ${JSON.stringify(r.value)}`)
  if (code !== undefined && r.error.code !== code)
    assert.fail(`${prefix}expected error ${code}, got ${describeError(r.error)}`)
}
