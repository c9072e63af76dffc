/** Errors as values at trust boundaries: a failure carries a typed code the UI and CLI can act on. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value })
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error })

/** A rejection: a code from a closed union, and a sentence a person can read. */
export interface Problem<C extends string> {
  readonly code: C
  readonly message: string
}

/** A protocol refusal: a code only (its sentence for a person is in shared/ui/reason-text.ts). */
export interface Reason<C extends string> {
  readonly code: C
}
