import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SQLITE_PRAGMAS } from '../src/store/sqlite.js';
import { Store } from '../src/store/store.js';

/**
 * The floor of `bench:engine`: the row writes a 2-action audit mitigation task makes, done
 * directly with better-sqlite3 (prepared statements, batched transactions, no reads, no async) on
 * a fresh file with Warden's own schema (its migrations) and its pragmas. Per finding: 2 execution
 * rows inserted, the certificate's status updated, a thing_group_members row inserted, the target
 * row updated; per batch: the check's statistics and the task's counters updated. Targets are
 * visited in target id (random UUID) order, so certificates are touched in random order, as the
 * engine touches them. The setup (certificates and PENDING targets) is not timed.
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
    for (const p of SQLITE_PRAGMAS) db.pragma(p);

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
    if (done.n !== 2 * findings) throw new Error(`the floor wrote ${done.n} executions, expected ${2 * findings}`);
    return {
      findings,
      executions: 2 * findings,
      batchSize,
      seconds: Math.round(seconds * 1000) / 1000,
      executionsPerSecond: Math.round((2 * findings) / seconds),
      setupSeconds: Math.round(setupSeconds * 10) / 10,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
