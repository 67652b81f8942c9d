import pg from 'pg';
import { log } from './procs.js';

/** A fresh PostgreSQL schema for one benchmark run: the server's URL (with ?schema=) and the admin URL (without). */
export interface BenchSchema {
  schema: string;
  databaseUrl: string;
  adminUrl: string;
}

export function benchSchema(name: string): BenchSchema {
  const schema = `bench_${name}_${process.pid}_${Date.now().toString(36)}`;
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  base.searchParams.delete('schema');
  const adminUrl = base.toString();
  base.searchParams.set('schema', schema);
  return { schema, databaseUrl: base.toString(), adminUrl };
}

/** ANALYZE every table of the bench's schema (and no other schema's): what autovacuum would have done after a bulk load. */
export async function analyzeSchema(adminUrl: string, schema: string): Promise<void> {
  const db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  try {
    const t0 = performance.now();
    const tables = await db.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1', [schema]);
    for (const { t } of tables.rows) await db.query(`ANALYZE ${schema}."${t}"`);
    log(`ANALYZE of ${tables.rows.length} tables in ${schema}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.end();
  }
}

/** Drops the bench's schema; a failure is logged, not thrown (the run's figures stand). */
export async function dropSchema(adminUrl: string, schema: string): Promise<void> {
  const db = new pg.Client({ connectionString: adminUrl });
  try {
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    log(`dropped schema ${schema}`);
  } catch (e) {
    log(`could not drop schema ${schema}: ${(e as Error).message}`);
  } finally {
    await db.end().catch(() => undefined);
  }
}
