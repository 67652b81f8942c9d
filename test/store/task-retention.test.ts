import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { purgeOld, TASK_RETENTION_MS } from '../../src/engine/retention.js';
import type { TaskRecord } from '../../src/store/mitigation-tasks.js';
import type { Store } from '../../src/store/store.js';
import { BACKENDS, useStore } from '../harness.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const DAY = 86_400_000;

function task(taskId: string, startTime: Date, status: string): TaskRecord {
  return {
    kind: 'audit', taskId, clientToken: `tok-${taskId}`, status, startTime, endTime: status === 'IN_PROGRESS' ? undefined : startTime,
    target: { findingIds: ['f1'] }, mapping: { LOGGING_DISABLED_CHECK: ['a'] }, actionsDefinition: [], options: {},
    planned: true, targetCount: 1, doneCount: 1, failedTargets: 0, awaiting: 0, executed: 1, failedExecutions: 0, skippedExecutions: 0,
  };
}

for (const backend of BACKENDS) {
  describe(`retention of mitigation tasks (${backend})`, () => {
    let store: Store;
    useStore(backend, 'warden-retention-', (s) => (store = s));

    test('finished tasks older than 90 days go with their statistics, targets and executions; newer and running ones stay', async () => {
      const now = new Date();
      const old = new Date(now.getTime() - TASK_RETENTION_MS - DAY);
      const repo = store.repos.mitigationTasks;
      for (const [id, at, status] of [['old', old, 'COMPLETED'], ['old-running', old, 'IN_PROGRESS'], ['recent', new Date(now.getTime() - 89 * DAY), 'COMPLETED']] as const) {
        await repo.insert(scope, task(id, at, status));
        await repo.insertStats(scope, id, [{ checkName: 'LOGGING_DISABLED_CHECK', total: 1, skipped: 0, succeeded: 0, failed: 0, canceled: 0 }]);
        await store.db.run("INSERT INTO mitigation_targets (account_id, region, kind, task_id, target_id, check_name, state) VALUES (?, ?, 'audit', ?, 'f1', 'LOGGING_DISABLED_CHECK', 'DONE')", [scope.accountId, scope.region, id]);
        await repo.insertExecutions({ ...scope, kind: 'audit', taskId: id }, [{ targetId: 'f1', actionIndex: 0, actionName: 'a', actionId: 'x', status: 'COMPLETED', startTime: at, endTime: at }]);
      }
      const purged = await purgeOld(store, now);
      assert.equal(purged.tasks, 1);
      assert.equal(await repo.get({ ...scope, kind: 'audit', taskId: 'old' }), undefined);
      assert.ok(await repo.get({ ...scope, kind: 'audit', taskId: 'old-running' }));
      assert.ok(await repo.get({ ...scope, kind: 'audit', taskId: 'recent' }));
      for (const table of ['mitigation_task_stats', 'mitigation_targets', 'mitigation_executions']) {
        const rows = await store.db.all<{ task_id: string }>(`SELECT task_id FROM ${table} ORDER BY task_id`);
        assert.deepEqual(rows.map((r) => r.task_id), ['old-running', 'recent'], table);
      }
    });
  });
}
