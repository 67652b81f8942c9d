// The audit runner against a real store (both backends), with a ManualClock: a node that died
// holding an audit's lease is taken over once the lease expires, checks it recorded are not
// evaluated again (findings exactly once), and a canceled audit is left alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../../src/base/clock.js';
import { AuditRunner } from '../../src/audit/runner.js';
import { startAuditTask } from '../../src/audit/start.js';
import { purgeExpired } from '../../src/store/retention.js';
import { Store } from '../../src/store/store.js';
import { BACKENDS, dropSchema, freshSchema, PG_BASE } from '../harness.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const CHECKS = ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'LOGGING_DISABLED_CHECK'];

for (const backend of BACKENDS) {
  describe(`audit runner (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-audit-runner-'));
    const schema = freshSchema();
    let store: Store;
    const clock = new ManualClock(new Date('2026-06-01T00:00:00Z'));
    const log = pino({ level: 'silent' });
    before(async () => {
      store = await Store.open(backend === 'sqlite' ? { dataDir } : { dataDir, databaseUrl: `${PG_BASE}?schema=${schema}` });
    });
    after(async () => {
      await store?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    const findingsOf = async (taskId: string) =>
      store.db.all<{ check_name: string; n: number }>('SELECT check_name, COUNT(*) AS n FROM audit_findings WHERE task_id = ? GROUP BY check_name ORDER BY check_name', [taskId]);
    const status = async (taskId: string) => (await store.repos.auditTasks.get(scope, taskId))?.taskStatus;

    test('a dead node\'s lease is taken over when it expires; recorded checks run once', async () => {
      await store.reset();
      const taskId = await store.transaction((tx) => startAuditTask(tx, scope, { checks: CHECKS, taskType: 'ON_DEMAND_AUDIT_TASK', now: clock.now() }));
      // The dead node recorded the logging check (one finding) and held the lease for 30 s more.
      await store.transaction(async (tx) => {
        await tx.db.run("UPDATE audit_tasks SET lease_owner = 'dead-node', lease_until = ? WHERE task_id = ?", [clock.now().getTime() + 30_000, taskId]);
        await tx.db.run(
          "UPDATE audit_task_checks SET check_run_status = 'COMPLETED_NON_COMPLIANT', total_resources = 1, non_compliant = 1, suppressed = 0 WHERE task_id = ? AND check_name = 'LOGGING_DISABLED_CHECK'",
          [taskId],
        );
        await tx.findings.insertMany(scope, [
          {
            findingId: 'from-dead-node',
            taskId,
            checkName: 'LOGGING_DISABLED_CHECK',
            severity: 'LOW',
            resourceType: 'ACCOUNT_SETTINGS',
            resourceIdentifier: '{"account":"000000000000"}',
            relatedResources: [],
            reason: 'logging off',
            reasonCode: 'LOGGING_DISABLED',
            isSuppressed: false,
            findingTime: clock.now(),
            taskStartTime: clock.now(),
          },
        ]);
      });
      // PostgreSQL: leases are honoured across processes; SQLite (one process per file) frees them at start.
      const runner = new AuditRunner({ store, clock, log, snsDelivery: false });
      if (backend === 'postgres') {
        assert.equal(await runner.tick(), false, 'a live lease is left alone');
        assert.equal(await status(taskId), 'IN_PROGRESS');
        clock.advance(31_000);
      } else {
        const restarted = new AuditRunner({ store, clock, log, snsDelivery: false });
        await restarted.start(); // a new process on the file: frees the dead one's lease
        await restarted.stop();
      }
      assert.equal(await runner.tick(), true);
      assert.equal(await status(taskId), 'COMPLETED');
      assert.deepEqual(
        (await findingsOf(taskId)).map((r) => [r.check_name, Number(r.n)]),
        [['LOGGING_DISABLED_CHECK', 1]],
        'the recorded check is not evaluated again; the certificate check found nothing',
      );
      const checks = await store.repos.auditTasks.checks(scope, taskId);
      assert.deepEqual(
        checks.map((c) => [c.checkName, c.checkRunStatus, c.totalResources]),
        [
          ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'COMPLETED_COMPLIANT', 0],
          ['LOGGING_DISABLED_CHECK', 'COMPLETED_NON_COMPLIANT', 1],
        ],
      );
      assert.equal(await runner.tick(), false, 'nothing left to do');
    });

    test('a canceled audit is not run; a check Warden cannot evaluate fails instead of hanging', async () => {
      await store.reset();
      const canceled = await store.transaction((tx) => startAuditTask(tx, scope, { checks: CHECKS, taskType: 'ON_DEMAND_AUDIT_TASK', now: clock.now() }));
      await store.transaction((tx) => tx.auditTasks.end(scope, canceled, 'CANCELED', clock.now()));
      const odd = await store.transaction((tx) => startAuditTask(tx, scope, { checks: ['NOT_A_WARDEN_CHECK'], taskType: 'ON_DEMAND_AUDIT_TASK', now: clock.now() }));
      const runner = new AuditRunner({ store, clock, log, snsDelivery: false });
      assert.equal(await runner.tick(), true);
      assert.equal(await status(canceled), 'CANCELED');
      assert.deepEqual(await findingsOf(canceled), []);
      assert.equal(await status(odd), 'COMPLETED');
      const [c] = await store.repos.auditTasks.checks(scope, odd);
      assert.equal(c.checkRunStatus, 'FAILED');
      assert.equal(c.errorCode, 'CHECK_NOT_SUPPORTED');
    });

    test('retention drops connection events that ended more than 32 days ago, and audit results after 90 days', async () => {
      await store.reset();
      const now = new Date('2026-06-01T00:00:00Z').getTime();
      const day = 86_400_000;
      const event = (id: string, connected: number, disconnected: number | null) =>
        store.db.run(
          'INSERT INTO connection_events (account_id, region, event_id, client_id, certificate_id, connected_at, disconnected_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [scope.accountId, scope.region, id, `client-${id}`, 'c'.repeat(64), connected, disconnected],
        );
      await event('old', now - 40 * day, now - 39 * day);
      await event('open', now - 40 * day, null);
      await event('recent', now - 40 * day, now - 10 * day);
      const taskId = await store.transaction((tx) => startAuditTask(tx, scope, { checks: CHECKS, taskType: 'ON_DEMAND_AUDIT_TASK', now: new Date(now - 91 * day) }));
      const purged = await purgeExpired(store.repos, new Date(now));
      assert.equal(purged.connectionEvents, 1);
      const left = await store.db.all<{ event_id: string }>('SELECT event_id FROM connection_events ORDER BY event_id');
      assert.deepEqual(left.map((r) => r.event_id), ['open', 'recent']);
      assert.equal(await status(taskId), undefined, 'the 91-day-old audit task is gone');
      assert.deepEqual(await store.repos.auditTasks.checks(scope, taskId), [], 'and its per-check results');
    });
  });
}
