/**
 * The provider's database, as the rest of the provider sees it: plain SQL with `$1, $2...`
 * placeholders, promises, and one transaction at a time. SQLite (sqlite.ts) is the default; the
 * interface is the shape of node-postgres' `query` so a PostgreSQL driver can serve the same
 * queries and migrations later (issue 18: several issuance nodes over one database). Queries use
 * only what both engines read the same way: TEXT, BIGINT, no AUTOINCREMENT/SERIAL, no BLOB/BYTEA
 * (keys are hex), no engine-specific functions.
 */

/** A row as the driver returns it: column name to value (BIGINTs as numbers or strings; see `int`). */
export type Row = Readonly<Record<string, unknown>>

export interface Queryable {
  /** Runs one statement; its rows (empty for a write) and how many rows it changed. */
  query(sql: string, params?: readonly unknown[]): Promise<{ readonly rows: readonly Row[]; readonly changes: number }>
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<R>(work: (tx: Queryable) => Promise<R>): Promise<R>
  close(): Promise<void>
}

/** A BIGINT column's value as a number (PostgreSQL's driver returns BIGINTs as strings). */
export function int(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`not an integer column: ${String(v)}`)
  return n
}

/** A TEXT column's value. */
export function text(v: unknown): string {
  if (typeof v !== 'string') throw new TypeError(`not a text column: ${String(v)}`)
  return v
}

/** Whether a nullable column is NULL (drivers give null; a missing column is undefined). */
export const isNull = (v: unknown): boolean => v === null || v === undefined
