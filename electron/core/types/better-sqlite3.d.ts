// Types for the part of better-sqlite3 (v12) the provider's SQLite driver uses
// (electron/core/provider/sqlite.ts); the package ships none.

declare module 'better-sqlite3' {
  interface RunResult {
    changes: number
  }
  interface Statement {
    readonly reader: boolean
    run(params?: Record<string, unknown>): RunResult
    all(params?: Record<string, unknown>): unknown[]
  }
  interface Database {
    prepare(sql: string): Statement
    exec(sql: string): Database
    pragma(source: string): unknown
    close(): void
    readonly inTransaction: boolean
  }
  interface Options {
    readonly?: boolean
    fileMustExist?: boolean
    timeout?: number
  }
  const Database: new (filename: string, options?: Options) => Database
  export default Database
}
