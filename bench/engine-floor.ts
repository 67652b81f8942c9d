import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_PRAGMAS } from '../src/store/sqlite.js';
import { Store } from '../src/store/store.js';
import type { BenchSchema } from './pg-schema.js';

/**
 * The floor of `bench:engine`: the row writes a 2-action audit mitigation task makes, done
 * directly with better-sqlite3 (prepared statements, batched transactions, no reads, no async) on
 * a fresh file with Warden's own schema (its migrations) and its pragmas. Per finding: 2 execution
 * rows inserted, the certificate's status updated, a thing_group_members row inserted, the target
 * row updated; per batch: the check's statistics and the task's counters updated. Targets are
 * visited in target id (random UUID) order, so certificates are touched in random order, as the
 * engine touches them. The setup (certificates and PENDING targets) is not timed.
 *
 * `runPgFloor` is the same on PostgreSQL.
 *
 *   node dist/bench/engine-floor.js [FINDINGS] [BATCH]
 */
export interface FloorResult {
  findings: number;
  executions: number;
  batchSize: number;
  seconds: number;
  executionsPerSecond: number;
  setupSeconds: number;
}

const A = '000000000000';
const R = 'us-east-1';
const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';

export async function runFloor(findings: number, batchSize = 100, pem = 'x'.repeat(760)): Promise<FloorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-floor-'));
  try {
    const store = await Store.open({ dataDir: dir }); // Warden's schema, through its migrations
    await store.db.close();
    const db = new Database(join(dir, 'warden.sqlite'));
    // Warden's settings, exclusive locking and a 64 MiB page cache: the floor has no reader to let in
    // nor a checkpointer beside it, so it keeps the cheaper locks and the larger cache.
    for (const p of ['locking_mode = EXCLUSIVE', ...SQLITE_PRAGMAS, 'cache_size = -65536']) db.pragma(p);

    const t0 = performance.now();
    const taskId = randomUUID();
    const now = Date.now();
    const targets: { id: string; cert: string; thing: string }[] = [];
    const insertCert = db.prepare(
      `INSERT INTO certificates (account_id, region, certificate_id, arn, status, ca_certificate_id, pem, certificate_mode, owned_by, generation_id,
         customer_version, not_before, not_after, created_at, modified_at) VALUES (?, ?, ?, ?, 'ACTIVE', NULL, ?, 'SNI_ONLY', ?, ?, 1, ?, ?, ?, ?)`,
    );
    const insertTarget = db.prepare("INSERT INTO mitigation_targets (account_id, region, kind, task_id, target_id, check_name, state) VALUES (?, ?, 'audit', ?, ?, ?, 'PENDING')");
    db.transaction(() => {
      for (let i = 0; i < findings; i++) {
        const cert = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''); // 64 hex, like a SHA-256
        insertCert.run(A, R, cert, `arn:aws:iot:${R}:${A}:cert/${cert}`, pem, A, randomUUID(), now, now + 3e10, now, now);
        const t = { id: randomUUID(), cert, thing: `bench-${String(i).padStart(7, '0')}` };
        insertTarget.run(A, R, taskId, t.id, CHECK);
        targets.push(t);
      }
      db.prepare(
        `INSERT INTO mitigation_tasks (account_id, region, kind, task_id, client_token, status, start_time, target, mapping, actions_definition, options, planned, target_count)
         VALUES (?, ?, 'audit', ?, ?, 'IN_PROGRESS', ?, '{}', '{}', '[]', '{}', 1, ?)`,
      ).run(A, R, taskId, randomUUID(), now, findings);
      db.prepare('INSERT INTO mitigation_task_stats (account_id, region, task_id, check_name, total) VALUES (?, ?, ?, ?, ?)').run(A, R, taskId, CHECK, findings);
    })();
    targets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const setupSeconds = (performance.now() - t0) / 1000;

    const insertExecution = db.prepare(
      `INSERT INTO mitigation_executions (account_id, region, kind, task_id, target_id, action_index, action_name, action_id, thing_name, status, start_time, end_time, error_code, message)
       VALUES (?, ?, 'audit', ?, ?, ?, ?, ?, NULL, 'COMPLETED', ?, ?, NULL, NULL)`,
    );
    const setStatus = db.prepare(
      "UPDATE certificates SET status = 'INACTIVE', generation_id = ?, customer_version = customer_version + 1, modified_at = ? WHERE account_id = ? AND region = ? AND certificate_id = ?",
    );
    const addMember = db.prepare(
      `INSERT INTO thing_group_members (account_id, region, group_name, thing_name, is_dynamic, added_at) VALUES (?, ?, 'quarantine', ?, 0, ?)
       ON CONFLICT (account_id, region, group_name, thing_name) DO NOTHING`,
    );
    const setTarget = db.prepare("UPDATE mitigation_targets SET state = 'DONE' WHERE account_id = ? AND region = ? AND kind = 'audit' AND task_id = ? AND target_id = ?");
    const bumpStats = db.prepare('UPDATE mitigation_task_stats SET succeeded = succeeded + ? WHERE account_id = ? AND region = ? AND task_id = ? AND check_name = ?');
    const bumpTask = db.prepare("UPDATE mitigation_tasks SET done_count = done_count + ?, executed = executed + ? WHERE account_id = ? AND region = ? AND kind = 'audit' AND task_id = ?");
    const actionIds = [randomUUID(), randomUUID()];
    const batch = db.transaction((from: number, to: number) => {
      const at = Date.now();
      for (let i = from; i < to; i++) {
        const t = targets[i];
        insertExecution.run(A, R, taskId, t.id, 0, 'bench-deactivate', actionIds[0], at, at);
        setStatus.run(randomUUID(), at, A, R, t.cert);
        insertExecution.run(A, R, taskId, t.id, 1, 'bench-quarantine', actionIds[1], at, at);
        addMember.run(A, R, t.thing, at);
        setTarget.run(A, R, taskId, t.id);
      }
      bumpStats.run(to - from, A, R, taskId, CHECK);
      bumpTask.run(to - from, 2 * (to - from), A, R, taskId);
    });
    const t1 = performance.now();
    for (let i = 0; i < findings; i += batchSize) batch.immediate(i, Math.min(findings, i + batchSize));
    const seconds = (performance.now() - t1) / 1000;
    const done = db.prepare("SELECT COUNT(*) AS n FROM mitigation_executions WHERE task_id = ? AND status = 'COMPLETED'").get(taskId) as { n: number };
    db.close();
    return resultOf(findings, done.n, batchSize, seconds, setupSeconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function resultOf(findings: number, written: number, batchSize: number, seconds: number, setupSeconds: number): FloorResult {
  if (written !== 2 * findings) throw new Error(`the floor wrote ${written} executions, expected ${2 * findings}`);
  return {
    findings,
    executions: 2 * findings,
    batchSize,
    seconds: Math.round(seconds * 1000) / 1000,
    executionsPerSecond: Math.round((2 * findings) / seconds),
    setupSeconds: Math.round(setupSeconds * 10) / 10,
  };
}

/**
 * The floor on PostgreSQL: the same row writes as `runFloor`, through one `pg` connection, each
 * kind of row in one multi-row statement per batch (`unnest` of arrays, as a round trip costs far
 * more there than a row does): BEGIN, the batch's executions, its certificates, its memberships,
 * its targets, the check's statistics, the task's counters, COMMIT. The schema is `where`'s, fresh,
 * made by Warden's migrations and ANALYZEd after the (untimed) setup; the caller drops it.
 */
export async function runPgFloor(findings: number, where: BenchSchema, batchSize = 100, pem = 'x'.repeat(760)): Promise<FloorResult> {
  const store = await Store.open({ dataDir: tmpdir(), databaseUrl: where.databaseUrl }); // Warden's schema, through its migrations
  await store.db.close();
  const db = new pg.Client({ connectionString: where.adminUrl, options: `-c search_path=${where.schema}` });
  await db.connect();
  try {
    const t0 = performance.now();
    const taskId = randomUUID();
    const now = Date.now();
    const targets: { id: string; cert: string; thing: string }[] = [];
    for (let i = 0; i < findings; i++) {
      const cert = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
      targets.push({ id: randomUUID(), cert, thing: `bench-${String(i).padStart(7, '0')}` });
    }
    for (let i = 0; i < findings; i += 5000) {
      const part = targets.slice(i, i + 5000);
      await db.query(
        `INSERT INTO certificates (account_id, region, certificate_id, arn, status, ca_certificate_id, pem, certificate_mode, owned_by, generation_id,
           customer_version, not_before, not_after, created_at, modified_at)
         SELECT $1, $2, c, 'arn:aws:iot:' || $2 || ':' || $1 || ':cert/' || c, 'ACTIVE', NULL, $3, 'SNI_ONLY', $1, g, 1, $4::bigint, $5::bigint, $4::bigint, $4::bigint
         FROM unnest($6::text[], $7::text[]) AS u(c, g)`,
        [A, R, pem, now, now + 3e10, part.map((t) => t.cert), part.map(() => randomUUID())],
      );
      await db.query(
        `INSERT INTO mitigation_targets (account_id, region, kind, task_id, target_id, check_name, state)
         SELECT $1, $2, 'audit', $3, t, $4, 'PENDING' FROM unnest($5::text[]) AS u(t)`,
        [A, R, taskId, CHECK, part.map((t) => t.id)],
      );
    }
    await db.query(
      `INSERT INTO mitigation_tasks (account_id, region, kind, task_id, client_token, status, start_time, target, mapping, actions_definition, options, planned, target_count)
       VALUES ($1, $2, 'audit', $3, $4, 'IN_PROGRESS', $5, '{}', '{}', '[]', '{}', 1, $6)`,
      [A, R, taskId, randomUUID(), now, findings],
    );
    await db.query('INSERT INTO mitigation_task_stats (account_id, region, task_id, check_name, total) VALUES ($1, $2, $3, $4, $5)', [A, R, taskId, CHECK, findings]);
    for (const t of ['certificates', 'mitigation_targets', 'mitigation_tasks', 'mitigation_task_stats', 'mitigation_executions', 'thing_group_members']) await db.query(`ANALYZE ${t}`);
    targets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const setupSeconds = (performance.now() - t0) / 1000;

    const actionIds = [randomUUID(), randomUUID()];
    const t1 = performance.now();
    for (let from = 0; from < findings; from += batchSize) {
      const part = targets.slice(from, from + batchSize);
      const n = part.length;
      const at = Date.now();
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO mitigation_executions (account_id, region, kind, task_id, target_id, action_index, action_name, action_id, thing_name, status, start_time, end_time, error_code, message)
         SELECT $1, $2, 'audit', $3, t, i, n, a, NULL, 'COMPLETED', $4::bigint, $4::bigint, NULL, NULL FROM unnest($5::text[], $6::int[], $7::text[], $8::text[]) AS u(t, i, n, a)`,
        [A, R, taskId, at, part.flatMap((t) => [t.id, t.id]), part.flatMap(() => [0, 1]), part.flatMap(() => ['bench-deactivate', 'bench-quarantine']), part.flatMap(() => actionIds)],
      );
      await db.query(
        `UPDATE certificates AS c SET status = 'INACTIVE', generation_id = u.g, customer_version = c.customer_version + 1, modified_at = $3
         FROM unnest($4::text[], $5::text[]) AS u(id, g) WHERE c.account_id = $1 AND c.region = $2 AND c.certificate_id = u.id`,
        [A, R, at, part.map((t) => t.cert), part.map(() => randomUUID())],
      );
      await db.query(
        `INSERT INTO thing_group_members (account_id, region, group_name, thing_name, is_dynamic, added_at)
         SELECT $1, $2, 'quarantine', t, 0, $3::bigint FROM unnest($4::text[]) AS u(t)
         ON CONFLICT (account_id, region, group_name, thing_name) DO NOTHING`,
        [A, R, at, part.map((t) => t.thing)],
      );
      await db.query("UPDATE mitigation_targets SET state = 'DONE' WHERE account_id = $1 AND region = $2 AND kind = 'audit' AND task_id = $3 AND target_id = ANY($4::text[])", [
        A, R, taskId, part.map((t) => t.id),
      ]);
      await db.query('UPDATE mitigation_task_stats SET succeeded = succeeded + $1 WHERE account_id = $2 AND region = $3 AND task_id = $4 AND check_name = $5', [n, A, R, taskId, CHECK]);
      await db.query("UPDATE mitigation_tasks SET done_count = done_count + $1, executed = executed + $2 WHERE account_id = $3 AND region = $4 AND kind = 'audit' AND task_id = $5", [
        n, 2 * n, A, R, taskId,
      ]);
      await db.query('COMMIT');
    }
    const seconds = (performance.now() - t1) / 1000;
    const done = await db.query<{ n: string }>("SELECT COUNT(*) AS n FROM mitigation_executions WHERE task_id = $1 AND status = 'COMPLETED'", [taskId]);
    return resultOf(findings, Number(done.rows[0].n), batchSize, seconds, setupSeconds);
  } finally {
    await db.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, b] = process.argv.slice(2).map(Number);
  runFloor(n || 500_000, b || 100).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e) => {
      process.stderr.write(`engine-floor: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
