import type { Compilable, CompiledQuery, Insertable, Kysely } from 'kysely'
import type { Database } from './database.ts'

/**
 * Queries on the hot path built once, not per request. Kysely builds a query as an immutable tree (every `where`
 * copies and freezes it) and compiles it to SQL on each execution; for a point read that costs more than SQLite
 * takes to answer it (profile of connected-accounts: Kysely ~18 % of the busy time, most of it building and compiling).
 *
 * `prepared(build)` calls `build` once per dialect with placeholders for its arguments, compiles it, and notes
 * which compiled parameter each placeholder became; each call then runs the same SQL with the arguments put in
 * those places. The query is still written with Kysely's typed builder, and the SQL is still the dialect's own.
 * `build` must pass each argument to the builder as a value (`where('id', '=', id)`, `values({...})`), not use it
 * to choose the query's shape: a shape that depends on an argument needs a prepared query per shape.
 */

/** A value no caller passes: the n-th argument while the query is being built. */
const placeholder = (n: number): string => `\u0000ledgerite-prepared-argument-${n}\u0000`

interface Compiled {
  compiled: CompiledQuery
  /** For each compiled parameter, the argument that fills it, or -1 for a constant the builder put there itself. */
  slots: number[]
}

export function prepared<A extends unknown[], R> (arity: A['length'], build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  // Per adapter (one per dialect): a transaction and its database share it, so both reuse the same compilation.
  const byAdapter = new WeakMap<object, Compiled>()
  const compile = (db: Kysely<Database>): Compiled => {
    const adapter = db.getExecutor().adapter
    let c = byAdapter.get(adapter)
    if (!c) {
      const args = Array.from({ length: arity }, (_, i) => placeholder(i)) as unknown as A
      const compiled = build(db, ...args).compile()
      const slots = compiled.parameters.map((p) => args.indexOf(p as A[number]))
      for (let i = 0; i < arity; i++) {
        if (!slots.includes(i)) throw new Error(`prepared query: argument ${i} does not reach the SQL as a parameter (${compiled.sql})`)
      }
      c = { compiled, slots }
      byAdapter.set(adapter, c)
    }
    return c
  }
  const run = async (db: Kysely<Database>, ...args: A): Promise<R[]> => {
    const { compiled, slots } = compile(db)
    const parameters = slots.map((slot, i) => (slot === -1 ? compiled.parameters[i] : args[slot]))
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows
  }
  return {
    /** Every row. */
    all: run,
    /** The first row, or undefined. */
    first: async (db: Kysely<Database>, ...args: A): Promise<R | undefined> => (await run(db, ...args))[0],
  }
}

/**
 * An insert into `table` built once per set of columns: a row's columns (those not undefined) choose the compiled
 * statement, its values fill it. For the hot path's inserts, whose rows have a handful of shapes.
 */
export function preparedInsert<T extends keyof Database & string> (table: T) {
  const byShape = new Map<string, ReturnType<typeof prepared<unknown[], unknown>>>()
  return async (db: Kysely<Database>, row: Insertable<Database[T]>): Promise<void> => {
    const columns = Object.keys(row).filter((k) => (row as Record<string, unknown>)[k] !== undefined)
    const shape = columns.join(',')
    let insert = byShape.get(shape)
    if (!insert) {
      insert = prepared(columns.length, (q, ...values: unknown[]) =>
        q.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, values[i]])) as never))
      byShape.set(shape, insert)
    }
    await insert.all(db, ...columns.map((c) => (row as Record<string, unknown>)[c]))
  }
}
