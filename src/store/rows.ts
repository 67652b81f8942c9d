import type { Driver } from './driver.js';

/**
 * Batched multi-row INSERT. Rows go in statements of BATCH rows, the remainder in power-of-two
 * pieces, so only a handful of distinct SQL texts exist (both drivers cache statements by text)
 * and a statement stays far below either backend's parameter limit. `suffix` follows the VALUES
 * list (e.g. an ON CONFLICT clause).
 */
const BATCH = 256;

export async function insertRows(db: Driver, table: string, columns: readonly string[], rows: readonly unknown[][], suffix?: string): Promise<void> {
  const one = `(${columns.map(() => '?').join(', ')})`;
  const insert = async (from: number, size: number): Promise<void> => {
    const params: unknown[] = [];
    for (let k = from; k < from + size; k++) params.push(...rows[k]);
    await db.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(size).fill(one).join(', ')}${suffix ? ` ${suffix}` : ''}`, params);
  };
  let i = 0;
  for (; rows.length - i >= BATCH; i += BATCH) await insert(i, BATCH);
  for (let size = BATCH / 2; size >= 1; size /= 2) {
    if (rows.length - i >= size) {
      await insert(i, size);
      i += size;
    }
  }
}

/**
 * Runs `fn` over `values` in chunks of BATCH, each with an `?, ?, ...` list of BATCH placeholders
 * (a short last chunk is padded with its first value), so `column IN (list)` has one SQL text.
 */
export async function inChunks(values: readonly unknown[], fn: (inList: string, chunk: unknown[]) => Promise<void>): Promise<void> {
  const list = Array(BATCH).fill('?').join(', ');
  for (let i = 0; i < values.length; i += BATCH) {
    const chunk = values.slice(i, i + BATCH);
    await fn(list, chunk.concat(Array(BATCH - chunk.length).fill(chunk[0])));
  }
}

/** `SELECT ... column IN (list)` over many values; answers the rows of every chunk. */
export async function selectIn<T>(db: Driver, sql: (inList: string) => string, before: unknown[], values: readonly unknown[]): Promise<T[]> {
  const out: T[] = [];
  await inChunks(values, async (list, chunk) => void out.push(...(await db.all<T>(sql(list), [...before, ...chunk]))));
  return out;
}

/** Groups keyed rows by their (account_id, region) scope. */
export function byScope<T extends { account_id: string; region: string }>(rows: readonly T[]): Map<string, { scope: [string, string]; rows: T[] }> {
  const groups = new Map<string, { scope: [string, string]; rows: T[] }>();
  for (const r of rows) {
    const k = `${r.account_id}/${r.region}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { scope: [r.account_id, r.region], rows: [] }));
    g.rows.push(r);
  }
  return groups;
}

/**
 * A keyset condition: rows strictly after `values` in the order of `columns` (all ascending or all
 * descending). The leading column's bound comes first so an index range serves it on both backends.
 */
export function after(columns: readonly string[], values: readonly unknown[], descending: boolean): { sql: string; params: unknown[] } {
  const op = descending ? '<' : '>';
  const params: unknown[] = [values[0]];
  const alternatives: string[] = [];
  for (let k = 0; k < columns.length; k++) {
    const eq = columns.slice(0, k).map((c) => `${c} = ?`);
    alternatives.push([...eq, `${columns[k]} ${op} ?`].join(' AND '));
    params.push(...values.slice(0, k), values[k]);
  }
  return { sql: `${columns[0]} ${op}= ? AND ((${alternatives.join(') OR (')}))`, params };
}
