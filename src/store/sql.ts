import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type SqlBool,
  sql,
} from 'kysely';
import type { Driver } from './driver.js';
import type { Database } from './schema.generated.js';

/**
 * How the store writes SQL: Kysely builds and compiles every query against the typed schema that
 * scripts/schema.ts generates from the migrations, in the dialect of the connection; the store's
 * own drivers run it (their transactions, locks, savepoints and statement caches). Kysely never
 * holds a connection: its builders here compile only.
 */
export type Q = Kysely<Database>;
export type { Database };
export type Table = keyof Database;

function builder(dialect: Driver['dialect']): Q {
  return new Kysely<Database>({
    dialect:
      dialect === 'sqlite'
        ? {
            createAdapter: () => new SqliteAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (db) => new SqliteIntrospector(db),
            createQueryCompiler: () => new SqliteQueryCompiler(),
          }
        : {
            createAdapter: () => new PostgresAdapter(),
            createDriver: () => new DummyDriver(),
            createIntrospector: (db) => new PostgresIntrospector(db),
            createQueryCompiler: () => new PostgresQueryCompiler(),
          },
  });
}

const builders = { sqlite: builder('sqlite'), postgres: builder('postgres') };

/** The query builder for a connection's dialect. */
export const qb = (db: Pick<Driver, 'dialect'>): Q => builders[db.dialect];

const paramsOf = (c: CompiledQuery): unknown[] => c.parameters as unknown[];

/** Runs a SELECT (or a statement with RETURNING) and answers its rows. */
export async function all<O>(db: Driver, query: Compilable<O>): Promise<O[]> {
  const c = query.compile();
  return db.all<O>(c.sql, paramsOf(c));
}

/** Runs a SELECT and answers its first row. */
export async function first<O>(db: Driver, query: Compilable<O>): Promise<O | undefined> {
  const c = query.compile();
  return db.get<O>(c.sql, paramsOf(c));
}

/** Runs an INSERT, UPDATE or DELETE and answers the number of rows it changed. */
export async function run(db: Driver, query: Compilable<unknown>): Promise<number> {
  const c = query.compile();
  return db.run(c.sql, paramsOf(c));
}

/** A parameter of a prepared query: stands for the argument at `index` until the query runs. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A query compiled once per dialect, for the hot paths: `build` receives placeholders for its
 * arguments (scalars only: a string, number, boolean or null where a value goes) and the compiled
 * SQL is kept; each call only fills the parameters in. Building and compiling a query costs
 * about 10 µs, which a request answered in under 100 µs notices.
 */
export function prepared<A extends unknown[], O>(
  build: (q: Q, ...args: A) => Compilable<O>,
  /** How many arguments `build` takes after `q` (its declared parameters, unless it takes a rest list). */
  arity = build.length - 1,
): (db: Driver, ...args: A) => Compiled<O> {
  const cache: Partial<Record<Driver['dialect'], { sql: string; params: unknown[] }>> = {};
  const compile = (dialect: Driver['dialect']) => {
    const slots = Array.from({ length: arity }, (_, i) => new Slot(i)) as unknown as A;
    const c = build(builders[dialect], ...slots).compile();
    return { sql: c.sql, params: paramsOf(c) };
  };
  return (db, ...args) => {
    const c = (cache[db.dialect] ??= compile(db.dialect));
    const params = c.params.map((p) => (p instanceof Slot ? args[p.index] : p));
    return new Compiled<O>(db, c.sql, params);
  };
}

/**
 * A query whose text depends on a shape (a chunk's length, how many values a list holds): `make`
 * builds the prepared query of a shape the first time it is asked for, and it is kept by `key`.
 * The shapes are few (inChunks pads chunks to a handful of sizes), so the cache stays small.
 */
export function preparedPerShape<S extends unknown[]>(
  make: (...shape: S) => (db: Driver, ...args: unknown[]) => Compiled<never>,
): (...shape: S) => (db: Driver, ...args: unknown[]) => Compiled<never> {
  const cache = new Map<string, (db: Driver, ...args: unknown[]) => Compiled<never>>();
  return (...shape) => {
    const key = shape.join('/');
    let f = cache.get(key);
    if (!f) cache.set(key, (f = make(...shape)));
    return f;
  };
}

/** A prepared query with its parameters, ready to run. */
export class Compiled<O> {
  constructor(
    private readonly db: Driver,
    private readonly sql: string,
    private readonly params: unknown[],
  ) {}
  all(): Promise<O[]> {
    return this.db.all<O>(this.sql, this.params);
  }
  first(): Promise<O | undefined> {
    return this.db.get<O>(this.sql, this.params);
  }
  run(): Promise<number> {
    return this.db.run(this.sql, this.params);
  }
}

/**
 * Rows go in statements of BATCH rows, the remainder in power-of-two pieces, so only a handful
 * of distinct SQL texts exist (both drivers cache statements by text) and a statement stays far
 * below either backend's parameter limit.
 */
export const BATCH = 256;

/** The sizes `rows` is cut into: BATCH as often as it fits, then descending powers of two. */
export function pieces(count: number): number[] {
  const out: number[] = [];
  let left = count;
  for (; left >= BATCH; left -= BATCH) out.push(BATCH);
  for (let size = BATCH / 2; size >= 1; size /= 2) {
    if (left >= size) {
      out.push(size);
      left -= size;
    }
  }
  return out;
}

/** The compiled text of one multi-row INSERT shape, with where each row's values go. */
interface InsertTemplate {
  sql: string;
  /** Per parameter: the row (within the statement) and the column whose value it takes. */
  params: { row: number; column: string }[];
}

const insertTemplates = new Map<string, InsertTemplate | null>();

/**
 * The statement for `size` rows of `columns`, compiled once per shape: the rows are built of
 * placeholders, so each call only gathers the values (compiling a 256-row INSERT through the
 * builder costs more than running it). `finish` is part of the shape through its source text; a
 * shape whose compiled parameters are not all placeholders (a `finish` that captured a value) is
 * not kept, and compiles each time.
 */
function insertTemplate<T extends Table>(
  db: Driver,
  table: T,
  columns: readonly string[],
  size: number,
  finish?: (q: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown>,
): InsertTemplate | null {
  const key = `${db.dialect}\n${table}\n${columns.join(',')}\n${size}\n${finish ? finish.toString() : ''}`;
  let t = insertTemplates.get(key);
  if (t !== undefined) return t;
  const slots = Array.from({ length: size }, (_, r) => Object.fromEntries(columns.map((c, j) => [c, new Slot(r * columns.length + j)])));
  const q = qb(db).insertInto(table).values(slots as unknown as Insertable<Database[T]>[]);
  const c = (finish ? finish(q) : q).compile();
  const params = paramsOf(c);
  t = params.every((p) => p instanceof Slot)
    ? { sql: c.sql, params: params.map((p) => ({ row: Math.floor((p as Slot).index / columns.length), column: columns[(p as Slot).index % columns.length] })) }
    : null;
  insertTemplates.set(key, t);
  return t;
}

/**
 * A batched multi-row INSERT into `table`. `finish` adds what follows the VALUES list (an
 * ON CONFLICT clause, with no captured values); every row must name the same columns.
 */
export async function insertRows<T extends Table>(
  db: Driver,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  finish?: (q: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]);
  const recordset = db.dialect === 'postgres' && rows.length > 1 ? recordsetInsertOf(db, table, rows, finish) : undefined;
  if (recordset) return db.run(recordset.sql, recordset.params);
  let changed = 0;
  let at = 0;
  for (const size of pieces(rows.length)) {
    const t = insertTemplate(db, table, columns, size, finish);
    if (t) {
      const params = t.params.map((p) => (rows[at + p.row] as Record<string, unknown>)[p.column] ?? null);
      changed += await db.run(t.sql, params);
    } else {
      const q = qb(db).insertInto(table).values(rows.slice(at, at + size) as Insertable<Database[T]>[]);
      changed += await run(db, finish ? finish(q) : q);
    }
    at += size;
  }
  return changed;
}

/** Whether every value of a row survives JSON as the column would take it (a string, a finite number, null). */
function jsonScalars(row: object): boolean {
  for (const v of Object.values(row)) {
    if (v !== null && typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) return false;
  }
  return true;
}

const recordsetInserts = new Map<string, string | null>();

/**
 * PostgreSQL: a multi-row INSERT as one statement of one parameter whatever the number of rows,
 * the rows as a JSON array that `json_populate_recordset` turns into the table's own row type
 * (each column's type, so no cast per column): one round trip where VALUES lists of power-of-two
 * pieces took up to eight. Compiled once per shape, as insertTemplate.
 */
function recordsetInsert<T extends Table>(table: T, columns: readonly string[], finish?: (q: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown>): string | null {
  const key = `${table}\n${columns.join(',')}\n${finish ? finish.toString() : ''}`;
  let text = recordsetInserts.get(key);
  if (text === undefined) { // null: a shape whose finish captured a value, which takes the VALUES path
    // Raw SQL: json_populate_recordset over the table's row type (NULL::table), which Kysely has no builder for.
    const select = sql`SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM json_populate_recordset(NULL::${sql.table(table)}, ${sql.raw('?')}::json)`;
    const q = builders.postgres
      .insertInto(table)
      .columns(columns as never)
      .expression(select as never);
    const c = (finish ? finish(q) : q).compile();
    recordsetInserts.set(key, (text = c.parameters.length > 0 ? null : c.sql));
  }
  return text;
}

/** PostgreSQL: insertRows' one statement for `rows` and its parameters, to run or to put in a CTE; undefined when the rows or the shape cannot take it. */
export function recordsetInsertOf<T extends Table>(
  db: Driver,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  finish?: (q: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown>,
): { sql: string; params: unknown[] } | undefined {
  if (db.dialect !== 'postgres' || rows.length === 0 || !rows.every(jsonScalars)) return undefined;
  const sql = recordsetInsert(table, Object.keys(rows[0]), finish);
  return sql === null ? undefined : { sql, params: [JSON.stringify(rows)] };
}

/**
 * `insertRows` for rows given as value tuples in the order of `columns` (bulk loaders: the audit
 * benchmark's setup and tests that plant thousands of rows).
 */
export function insertTuples<T extends Table>(
  db: Driver,
  table: T,
  columns: readonly (keyof Insertable<Database[T]> & string)[],
  tuples: readonly unknown[][],
): Promise<number> {
  const rows = tuples.map((t) => Object.fromEntries(columns.map((c, i) => [c, t[i]])) as Insertable<Database[T]>);
  return insertRows(db, table, rows);
}

/**
 * Runs `fn` over `values` in chunks of BATCH, the last padded with its first value to the next
 * power of two (8 at least), so `column IN (chunk)` has one of six SQL texts whatever the number
 * of values, and a few values do not pay for BATCH.
 */
export async function inChunks<V>(values: readonly V[], fn: (chunk: V[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < values.length; i += BATCH) {
    const chunk = values.slice(i, i + BATCH);
    let size = 8;
    while (size < chunk.length) size *= 2;
    await fn(size === chunk.length ? chunk : chunk.concat(Array(size - chunk.length).fill(chunk[0])));
  }
}

/** `inChunks` that gathers the rows each chunk's query answers. */
export async function selectIn<V, O>(db: Driver, values: readonly V[], query: (chunk: V[]) => Compilable<O>): Promise<O[]> {
  const out: O[] = [];
  await inChunks(values, async (chunk) => void out.push(...(await all(db, query(chunk)))));
  return out;
}

/**
 * A keyset condition: rows strictly after `values` in the order of `columns` (all ascending or all
 * descending). The leading column's bound comes first so an index range serves it on both backends.
 */
export function after<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  columns: readonly string[],
  values: readonly unknown[],
  descending: boolean,
): Expression<SqlBool> {
  const op = descending ? '<' : '>';
  const ref = (c: string) => eb.ref(c as never);
  const alternatives = columns.map((_, k) =>
    eb.and([...columns.slice(0, k).map((c, j) => eb(ref(c), '=', values[j] as never)), eb(ref(columns[k]), op, values[k] as never)]),
  );
  return eb.and([eb(ref(columns[0]), descending ? '<=' : '>=', values[0] as never), eb.or(alternatives)]);
}
