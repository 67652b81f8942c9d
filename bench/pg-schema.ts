import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { log } from './procs.js';

/** The database a benchmark runs on (BENCH_BACKEND). */
export type Backend = 'sqlite' | 'postgres';

/** BENCH_BACKEND: sqlite (the default) or postgres, any case; anything else is an error. */
export function envBackend(): Backend {
  const backend = (process.env.BENCH_BACKEND ?? 'sqlite').toLowerCase();
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`BENCH_BACKEND must be sqlite or postgres, not '${backend}'`);
  return backend;
}

/** A fresh PostgreSQL schema for one benchmark run: the server's URL (with ?schema=) and the admin URL (without). */
export interface BenchSchema {
  schema: string;
  databaseUrl: string;
  adminUrl: string;
}

function benchSchema(name: string): BenchSchema {
  return namedSchema(`bench_${name}_${process.pid}_${Date.now().toString(36)}`);
}

/** The URLs of schema `schema` in BENCH_DATABASE_URL's database (the PostgreSQL floor's own schema, next to the run's). */
export function namedSchema(schema: string): BenchSchema {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  base.searchParams.delete('schema');
  const adminUrl = base.toString();
  base.searchParams.set('schema', schema);
  return { schema, databaseUrl: base.toString(), adminUrl };
}

/** Where one benchmark run works: a fresh temp folder (removed by the bench at its end), with the data and profile folders in it, and on PostgreSQL a fresh schema. */
export interface BenchRun {
  work: string;
  /** The server's --data-dir (SQLite's database file lives there). */
  dataDir: string;
  /** Where `node --cpu-prof` writes, when the run is profiled. */
  profileDir?: string;
  pg?: BenchSchema;
}

export function benchRun(name: string, backend: Backend, profile: boolean): BenchRun {
  const work = mkdtempSync(join(tmpdir(), `warden-bench-${name}-`));
  return {
    work,
    dataDir: join(work, 'data'),
    profileDir: profile ? join(work, 'profile') : undefined,
    pg: backend === 'postgres' ? benchSchema(name) : undefined,
  };
}

/** ANALYZE every table of the bench's schema (and no other schema's): what autovacuum would have done after a bulk load. */
export async function analyzeSchema({ adminUrl, schema }: BenchSchema): Promise<void> {
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
export async function dropSchema({ adminUrl, schema }: BenchSchema): Promise<void> {
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

/**
 * A copy of schema `from`, tables, rows and sequences, as schema `from.schema` + `suffix` (pg_dump
 * into psql, the schema's name replaced: it is unique to the run, so it names nothing else), so
 * that two measurements of one run start from the same set-up data.
 */
export function copySchema(from: BenchSchema, suffix: string): BenchSchema {
  const to = namedSchema(`${from.schema}${suffix}`);
  const t0 = performance.now();
  execFileSync('bash', ['-o', 'pipefail', '-c', 'pg_dump --no-owner --no-privileges -n "$FROM" "$URL" | sed "s/\\b$FROM\\b/$TO/g" | psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null'], {
    env: { ...process.env, FROM: from.schema, TO: to.schema, URL: from.adminUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  log(`copied schema ${from.schema} to ${to.schema} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return to;
}
