// Scheduled audits run by the server itself on its (injected) clock, and again after a restart on
// the same database: an in-process server with a ManualClock, both backends.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CreateScheduledAuditCommand, DescribeAuditTaskCommand, ListAuditFindingsCommand, ListAuditTasksCommand, type IoTClient } from '@aws-sdk/client-iot';
import { createServer, ManualClock } from '../../src/index.js';
import { BACKENDS, iot } from '../harness.js';
import { enableChecks, inProcess, type InProcess } from './audit-config-helpers.js';

const DAY = 86_400_000;

/** Waits (the runner polls about once a second) until `n` scheduled audits have COMPLETED. */
async function scheduledDone(client: IoTClient, now: Date, n: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const { tasks } = await client.send(new ListAuditTasksCommand({ startTime: new Date(now.getTime() - 10 * DAY), endTime: now, taskType: 'SCHEDULED_AUDIT_TASK' }));
    const done = (tasks ?? []).filter((t) => t.taskStatus === 'COMPLETED');
    if (done.length >= n) return done.map((t) => t.taskId!);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`fewer than ${n} scheduled audits completed`);
}

for (const backend of BACKENDS) {
  describe(`scheduled audits run on the server's clock (${backend})`, () => {
    let w: InProcess | undefined;
    after(async () => w?.cleanup());

    test('a daily audit runs when its time comes, and after a restart', async () => {
      const t0 = new Date('2026-03-10T08:30:00Z');
      w = await inProcess(backend, t0);
      await enableChecks(w.client, ['LOGGING_DISABLED_CHECK']);
      await w.client.send(new CreateScheduledAuditCommand({ scheduledAuditName: 'nightly', frequency: 'DAILY', targetCheckNames: ['LOGGING_DISABLED_CHECK'] }));

      w.clock.advance(DAY - 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      const early = await w.client.send(new ListAuditTasksCommand({ startTime: new Date(t0.getTime() - DAY), endTime: w.clock.now() }));
      assert.deepEqual(early.tasks, [], 'nothing runs before its time');

      w.clock.advance(120_000);
      const [first] = await scheduledDone(w.client, w.clock.now(), 1);
      const d = await w.client.send(new DescribeAuditTaskCommand({ taskId: first }));
      assert.equal(d.taskType, 'SCHEDULED_AUDIT_TASK');
      assert.equal(d.scheduledAuditName, 'nightly');
      assert.equal(d.taskStartTime?.getTime(), t0.getTime() + DAY + 60_000, 'started by the first poll after 08:30 the next day');
      assert.equal(d.auditDetails?.LOGGING_DISABLED_CHECK?.checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.equal((await w.client.send(new ListAuditFindingsCommand({ taskId: first }))).findings?.length, 1);

      // Down for a day and a half: the restarted server runs the missed audit once.
      await w.close();
      const clock = new ManualClock(new Date(w.clock.now().getTime() + 1.5 * DAY));
      const again = await createServer({ port: 0, dataDir: w.dataDir, databaseUrl: w.databaseUrl, clock, logLevel: 'silent', skewMs: 1000 * DAY });
      const url = await again.listen();
      const client = iot(url);
      try {
        const ids = await scheduledDone(client, clock.now(), 2);
        assert.equal(ids.length, 2, 'one catch-up run, not one per missed day');
      } finally {
        client.destroy();
        await again.close();
      }
    });
  });
}
