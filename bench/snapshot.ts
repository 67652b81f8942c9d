import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend } from './pg-schema.js';
import { log } from './procs.js';

/**
 * BENCH_SNAPSHOT=DIR of the SQLite benches: the set-up data directory kept in DIR/data, with
 * DIR/manifest.json saying what it was made for and what the setup reported, so that later runs
 * of the same sizes copy it instead of setting up again.
 */

/** BENCH_SNAPSHOT as an absolute path (undefined when unset); an error unless the backend is SQLite. */
export function envSnapshot(backend: Backend): string | undefined {
  const snapshot = process.env.BENCH_SNAPSHOT ? resolve(process.env.BENCH_SNAPSHOT) : undefined;
  if (snapshot && backend !== 'sqlite') throw new Error('BENCH_SNAPSHOT works with SQLite only');
  return snapshot;
}

export interface SnapshotKind<M> {
  /** What the log lines call the kept data: `the data directory`, `the set-up database`. */
  what: string;
  /** What a kept manifest does not match in this run (`… other sizes`), undefined when it fits. */
  misfit(m: M): string | undefined;
  /** What the reuse log line tells of the kept data. */
  about(m: M): string;
}

/**
 * The manifest kept in `dir` when it fits this run, its data copied into `dataDir`; undefined when
 * there is none (no `dir`, nothing kept yet, or a misfit, which is removed for a fresh setup).
 */
export function restoreSnapshot<M>(dir: string | undefined, dataDir: string, kind: SnapshotKind<M>): M | undefined {
  if (!dir || !existsSync(join(dir, 'manifest.json'))) return undefined;
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as M;
  const misfit = kind.misfit(m);
  if (misfit === undefined) {
    log(`reusing ${kind.what} in ${dir} (${kind.about(m)}; delete it for a fresh setup)`);
    cpSync(join(dir, 'data'), dataDir, { recursive: true });
    return m;
  }
  log(`${dir} holds ${misfit}: setting up afresh`);
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/** Keeps a copy of `dataDir` (no server may have it open) and `manifest` in `dir`. */
export function saveSnapshot<M>(dir: string, dataDir: string, manifest: M, what: string): void {
  mkdirSync(dir, { recursive: true });
  cpSync(dataDir, join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  log(`saved ${what} in ${dir}`);
}
