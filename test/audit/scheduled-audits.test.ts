// Scheduled audits through the real SDK (both backends): create/describe/list/update/delete, the
// constraint errors, the limit of five, tags; then the scheduler with explicit dates: due audits
// start exactly once, catch-up after a long gap, restart, and two nodes sharing PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateScheduledAuditCommand,
  DeleteScheduledAuditCommand,
  DescribeScheduledAuditCommand,
  ListScheduledAuditsCommand,
  UpdateScheduledAuditCommand,
  type CreateScheduledAuditCommandInput,
  type ScheduledAuditMetadata,
} from '@aws-sdk/client-iot';
import { DAY_MS } from '../../src/audit/check.js';
import { firstRunAfter, timeOfDay, WEEKDAYS } from '../../src/audit/schedule.js';
import { startDueScheduledAudits } from '../../src/audit/scheduler.js';
import { Store } from '../../src/store/store.js';
import { assertFails, BACKENDS } from '../harness.js';
import { enableChecks, inProcess, SCOPE, type InProcess } from './audit-config-helpers.js';

const LOGGING = 'LOGGING_DISABLED_CHECK';
const CA_EXPIRING = 'CA_CERTIFICATE_EXPIRING_CHECK';
const DEV_EXPIRING = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const ARN = (name: string) => `arn:aws:iot:us-east-1:000000000000:scheduledaudit/${name}`;

interface TaskRow {
  task_id: string;
  task_type: string;
  scheduled_audit_name: string;
  checks: string;
  window_start: number;
  task_start_time: number;
}

async function tasksOf(store: Store, name: string): Promise<TaskRow[]> {
  const rows = await store.db.all<TaskRow>(
    'SELECT task_id, task_type, scheduled_audit_name, checks, window_start, task_start_time FROM audit_tasks WHERE account_id = ? AND region = ? AND scheduled_audit_name = ? ORDER BY task_start_time',
    [SCOPE.accountId, SCOPE.region, name],
  );
  return rows.map((r) => ({ ...r, window_start: Number(r.window_start), task_start_time: Number(r.task_start_time) }));
}

for (const backend of BACKENDS) {
  describe(`scheduled audits: operations (${backend})`, () => {
    let w: InProcess;
    before(async () => {
      w = await inProcess(backend);
    });
    after(async () => w?.cleanup());

    const create = (input: Partial<CreateScheduledAuditCommandInput>) =>
      w.client.send(new CreateScheduledAuditCommand({ scheduledAuditName: 'a', frequency: 'DAILY', targetCheckNames: [LOGGING], ...input } as CreateScheduledAuditCommandInput));

    test('checks must be enabled in the account audit configuration', async () => {
      await assertFails(create({}), 'InvalidRequestException', 400, /LOGGING_DISABLED_CHECK is not enabled/);
      await enableChecks(w.client, [LOGGING, CA_EXPIRING, DEV_EXPIRING]);
      await assertFails(create({ targetCheckNames: [LOGGING, 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK'] }), 'InvalidRequestException', 400, /REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK is not enabled/);
      await assertFails(create({ targetCheckNames: ['NOT_A_CHECK'] }), 'InvalidRequestException', 400, /NOT_A_CHECK is not an audit check name/);
      await assertFails(create({ targetCheckNames: [] }), 'InvalidRequestException', 400, /at least one/);
    });

    test('frequency constraints: the day each frequency needs, and no other', async () => {
      await assertFails(create({ frequency: 'WEEKLY' }), 'InvalidRequestException', 400, /dayOfWeek is required when frequency is WEEKLY/);
      await assertFails(create({ frequency: 'BIWEEKLY' }), 'InvalidRequestException', 400, /dayOfWeek is required when frequency is BIWEEKLY/);
      await assertFails(create({ frequency: 'MONTHLY' }), 'InvalidRequestException', 400, /dayOfMonth is required/);
      await assertFails(create({ frequency: 'DAILY', dayOfWeek: 'MON' }), 'InvalidRequestException', 400, /dayOfWeek applies only/);
      await assertFails(create({ frequency: 'WEEKLY', dayOfWeek: 'MON', dayOfMonth: '3' }), 'InvalidRequestException', 400, /dayOfMonth applies only/);
      // The model's pattern: "1".."31" or LAST.
      await assertFails(create({ frequency: 'MONTHLY', dayOfMonth: '32' }), 'InvalidRequestException', 400, /dayOfMonth/);
      await assertFails(create({ frequency: 'MONTHLY', dayOfMonth: '0' }), 'InvalidRequestException', 400, /dayOfMonth/);
      assert.deepEqual((await w.client.send(new ListScheduledAuditsCommand({}))).scheduledAudits, []);
    });

    test('create: ARN, describe, tags, first run at the creation time of day', async () => {
      const now = w.clock.now();
      const r = await create({ scheduledAuditName: 'daily-1', targetCheckNames: [LOGGING, DEV_EXPIRING, LOGGING], tags: [{ Key: 'team', Value: 'iot' }] });
      assert.equal(r.scheduledAuditArn, ARN('daily-1'));
      const d = await w.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'daily-1' }));
      assert.deepEqual(
        { ...d, $metadata: undefined },
        { $metadata: undefined, frequency: 'DAILY', targetCheckNames: [LOGGING, DEV_EXPIRING], scheduledAuditName: 'daily-1', scheduledAuditArn: ARN('daily-1') },
      );
      const row = await w.server.store.repos.scheduledAudits.get(SCOPE, 'daily-1');
      assert.equal(row?.nextRun.getTime(), now.getTime() + DAY_MS);
      assert.equal(row?.lastRun, undefined);
      assert.deepEqual(await w.server.store.tags.list(SCOPE, ARN('daily-1')), [{ Key: 'team', Value: 'iot' }]);
      await assertFails(create({ scheduledAuditName: 'daily-1' }), 'ResourceAlreadyExistsException', 409);
      await assertFails(create({ scheduledAuditName: 'tagged', tags: [{ Key: 'aws:x', Value: '1' }] }), 'InvalidRequestException', 400, /reserved/);
    });

    test('at most five per account and region: the sixth is LimitExceededException', async () => {
      await create({ scheduledAuditName: 'weekly-1', frequency: 'WEEKLY', dayOfWeek: 'WED' });
      await create({ scheduledAuditName: 'biweekly-1', frequency: 'BIWEEKLY', dayOfWeek: 'SUN', targetCheckNames: [CA_EXPIRING] });
      await create({ scheduledAuditName: 'monthly-31', frequency: 'MONTHLY', dayOfMonth: '31' });
      await create({ scheduledAuditName: 'monthly-last', frequency: 'MONTHLY', dayOfMonth: 'LAST' });
      await assertFails(create({ scheduledAuditName: 'sixth' }), 'LimitExceededException', 410, /5 scheduled audits/);
    });

    test('list: name order, in pages', async () => {
      const all: ScheduledAuditMetadata[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await w.client.send(new ListScheduledAuditsCommand({ maxResults: 2, nextToken }));
        all.push(...page.scheduledAudits!);
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken);
      assert.equal(pages, 3);
      assert.deepEqual(all.map((a) => a.scheduledAuditName), ['biweekly-1', 'daily-1', 'monthly-31', 'monthly-last', 'weekly-1']);
      assert.deepEqual(all[0], { scheduledAuditName: 'biweekly-1', scheduledAuditArn: ARN('biweekly-1'), frequency: 'BIWEEKLY', dayOfWeek: 'SUN' });
      assert.deepEqual(all[2], { scheduledAuditName: 'monthly-31', scheduledAuditArn: ARN('monthly-31'), frequency: 'MONTHLY', dayOfMonth: '31' });
    });

    test('update: days follow the frequency; checks replaced; the next run moves only when the schedule changes', async () => {
      const update = (input: Record<string, unknown>) => w.client.send(new UpdateScheduledAuditCommand({ scheduledAuditName: 'weekly-1', ...input }));
      await assertFails(w.client.send(new UpdateScheduledAuditCommand({ scheduledAuditName: 'nope', frequency: 'DAILY' })), 'ResourceNotFoundException', 404);
      await assertFails(update({ frequency: 'MONTHLY' }), 'InvalidRequestException', 400, /dayOfMonth is required/);
      await assertFails(update({ dayOfMonth: '4' }), 'InvalidRequestException', 400, /dayOfMonth applies only/);
      await assertFails(update({ targetCheckNames: ['REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK'] }), 'InvalidRequestException', 400, /not enabled/);

      const before = (await w.server.store.repos.scheduledAudits.get(SCOPE, 'weekly-1'))!;
      assert.equal((await update({ targetCheckNames: [CA_EXPIRING, LOGGING] })).scheduledAuditArn, ARN('weekly-1'));
      let row = (await w.server.store.repos.scheduledAudits.get(SCOPE, 'weekly-1'))!;
      assert.equal(row.nextRun.getTime(), before.nextRun.getTime());
      assert.deepEqual(row.checks, [CA_EXPIRING, LOGGING]);

      w.clock.advance(3600_000);
      await update({ frequency: 'DAILY' });
      const d = await w.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'weekly-1' }));
      assert.equal(d.frequency, 'DAILY');
      assert.equal(d.dayOfWeek, undefined);
      assert.deepEqual(d.targetCheckNames, [CA_EXPIRING, LOGGING]);
      row = (await w.server.store.repos.scheduledAudits.get(SCOPE, 'weekly-1'))!;
      // Still the creation's time of day, from the first such time after the update.
      assert.equal(timeOfDay(row.nextRun.getTime()), timeOfDay(row.createdAt));
      assert.equal(row.nextRun.getTime(), firstRunAfter({ frequency: 'DAILY', timeOfDay: timeOfDay(row.createdAt) }, w.clock.now()).getTime());

      await update({ frequency: 'MONTHLY', dayOfMonth: 'LAST' });
      const m = await w.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'weekly-1' }));
      assert.equal(m.frequency, 'MONTHLY');
      assert.equal(m.dayOfMonth, 'LAST');
    });

    test('a check a scheduled audit uses stays enabled until the audit is gone', async () => {
      await assertFails(enableChecks(w.client, [CA_EXPIRING], false), 'InvalidRequestException', 400, /biweekly-1, weekly-1/);
    });

    test('delete: gone with its tags; missing is ResourceNotFoundException; room for a new one', async () => {
      await w.client.send(new DeleteScheduledAuditCommand({ scheduledAuditName: 'daily-1' }));
      await assertFails(w.client.send(new DescribeScheduledAuditCommand({ scheduledAuditName: 'daily-1' })), 'ResourceNotFoundException', 404);
      await assertFails(w.client.send(new DeleteScheduledAuditCommand({ scheduledAuditName: 'daily-1' })), 'ResourceNotFoundException', 404);
      assert.deepEqual(await w.server.store.tags.list(SCOPE, ARN('daily-1')), []);
      await create({ scheduledAuditName: 'sixth' });
      assert.equal((await w.client.send(new ListScheduledAuditsCommand({}))).scheduledAudits!.length, 5);
    });
  });

  describe(`scheduled audits: the scheduler (${backend})`, () => {
    let w: InProcess;
    let t0: Date;
    const reopen = () => Store.open({ dataDir: w.dataDir, databaseUrl: w.databaseUrl });
    before(async () => {
      w = await inProcess(backend);
      t0 = w.clock.now();
      await enableChecks(w.client, [LOGGING, CA_EXPIRING]);
      const send = (input: Partial<CreateScheduledAuditCommandInput>) =>
        w.client.send(new CreateScheduledAuditCommand({ targetCheckNames: [LOGGING], ...input } as CreateScheduledAuditCommandInput));
      await send({ scheduledAuditName: 'daily', frequency: 'DAILY' });
      await send({ scheduledAuditName: 'weekly', frequency: 'WEEKLY', dayOfWeek: WEEKDAYS[new Date(t0.getTime() + 3 * DAY_MS).getUTCDay()], targetCheckNames: [CA_EXPIRING, LOGGING] });
      await send({ scheduledAuditName: 'monthly', frequency: 'MONTHLY', dayOfMonth: 'LAST' });
    });
    after(async () => w?.cleanup());

    const row = async (name: string, store = w.server.store) => (await store.repos.scheduledAudits.get(SCOPE, name))!;

    test('nothing starts before the first run is due', async () => {
      assert.deepEqual(await startDueScheduledAudits(w.server.store, new Date(t0.getTime() + 3600_000)), []);
      assert.deepEqual(await startDueScheduledAudits(w.server.store, new Date(t0.getTime() + DAY_MS - 1)), []);
      assert.deepEqual(await tasksOf(w.server.store, 'daily'), []);
    });

    test('a due audit starts exactly once, with its checks and a 31-day window on its first run', async () => {
      const due = new Date(t0.getTime() + DAY_MS);
      const started = await startDueScheduledAudits(w.server.store, due);
      assert.equal(started.length, 1);
      assert.deepEqual(await startDueScheduledAudits(w.server.store, due), []);
      assert.deepEqual(await startDueScheduledAudits(w.server.store, new Date(due.getTime() + 3600_000)), []);
      const tasks = await tasksOf(w.server.store, 'daily');
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0].task_id, started[0]);
      assert.equal(tasks[0].task_type, 'SCHEDULED_AUDIT_TASK');
      assert.deepEqual(JSON.parse(tasks[0].checks), [LOGGING]);
      assert.equal(tasks[0].task_start_time, due.getTime());
      assert.equal(tasks[0].window_start, due.getTime() - 31 * DAY_MS);
      const r = await row('daily');
      assert.equal(r.lastRun?.getTime(), due.getTime());
      assert.equal(r.nextRun.getTime(), t0.getTime() + 2 * DAY_MS);
      // Another node claiming at the same moment finds the run already taken.
      assert.equal(await w.server.store.transaction((tx) => tx.scheduledAudits.claimDue(due)), undefined);
      assert.equal((await row('daily')).nextRun.getTime(), t0.getTime() + 2 * DAY_MS);
    });

    test('after a long gap each audit runs one catch-up audit, then resumes after now', async () => {
      const now = new Date(t0.getTime() + 70 * DAY_MS + 3600_000);
      const started = await startDueScheduledAudits(w.server.store, now);
      assert.equal(started.length, 3);
      const daily = await tasksOf(w.server.store, 'daily');
      const weekly = await tasksOf(w.server.store, 'weekly');
      const monthly = await tasksOf(w.server.store, 'monthly');
      assert.deepEqual([daily.length, weekly.length, monthly.length], [2, 1, 1]);
      // The daily audit's second run looks from 2 hours before its first one.
      assert.equal(daily[1].window_start, t0.getTime() + DAY_MS - 2 * 3600_000);
      assert.equal(weekly[0].window_start, now.getTime() - 31 * DAY_MS);
      assert.deepEqual(JSON.parse(weekly[0].checks), [CA_EXPIRING, LOGGING]);
      assert.equal((await row('daily')).nextRun.getTime(), t0.getTime() + 71 * DAY_MS);
      for (const name of ['daily', 'weekly', 'monthly']) {
        const r = await row(name);
        assert.ok(r.nextRun.getTime() > now.getTime(), name);
        assert.equal(r.lastRun?.getTime(), now.getTime());
        assert.equal(timeOfDay(r.nextRun.getTime()), timeOfDay(t0), name);
      }
      assert.deepEqual(await startDueScheduledAudits(w.server.store, now), []);
    });

    test('a run takes only the checks still enabled in the account audit configuration', async () => {
      const store = w.server.store;
      const config = (await store.repos.auditConfigurations.get(SCOPE))!;
      const checks = structuredClone(config.checks);
      checks[CA_EXPIRING].enabled = false; // as if disabled behind the API's back
      await store.repos.auditConfigurations.put(SCOPE, { ...config, checks });
      const due = (await row('weekly')).nextRun.getTime();
      await startDueScheduledAudits(store, new Date(due));
      const weekly = await tasksOf(store, 'weekly');
      assert.equal(weekly.length, 2);
      assert.deepEqual(JSON.parse(weekly[1].checks), [LOGGING]);
      checks[CA_EXPIRING].enabled = true;
      await store.repos.auditConfigurations.put(SCOPE, { ...config, checks });
    });

    test('restart: a reopened database keeps the schedules and starts what is due', async () => {
      const names = ['daily', 'weekly', 'monthly'];
      const before = await Promise.all(names.map((n) => row(n)));
      const runs = await Promise.all(names.map(async (n) => (await tasksOf(w.server.store, n)).length));
      await w.close();
      const store = await reopen();
      try {
        assert.deepEqual(await Promise.all(names.map((n) => row(n, store))), before);
        // The earliest next run: exactly the audits due then start, once each.
        const due = Math.min(...before.map((r) => r.nextRun.getTime()));
        const started = await startDueScheduledAudits(store, new Date(due));
        const expected = before.map((r) => (r.nextRun.getTime() === due ? 1 : 0));
        assert.equal(started.length, expected.reduce((a: number, b) => a + b, 0));
        assert.ok(started.length >= 1);
        assert.deepEqual(await Promise.all(names.map(async (n) => (await tasksOf(store, n)).length)), runs.map((c, i) => c + expected[i]));
        for (const n of names) assert.equal((await row(n, store)).nextRun.getTime() > due, true, n);
        assert.equal((await row('daily', store)).nextRun.getTime(), before[0].nextRun.getTime() === due ? due + DAY_MS : before[0].nextRun.getTime());
      } finally {
        await store.close();
      }
    });

    if (backend === 'postgres') {
      test('two nodes on one database: each due audit starts once', async () => {
        const [a, b] = await Promise.all([reopen(), reopen()]);
        try {
          const now = new Date(t0.getTime() + 400 * DAY_MS);
          const counts = await Promise.all(['daily', 'weekly', 'monthly'].map(async (n) => (await tasksOf(a, n)).length));
          const [fromA, fromB] = await Promise.all([startDueScheduledAudits(a, now), startDueScheduledAudits(b, now)]);
          assert.equal(fromA.length + fromB.length, 3);
          assert.equal(new Set([...fromA, ...fromB]).size, 3);
          const after = await Promise.all(['daily', 'weekly', 'monthly'].map(async (n) => (await tasksOf(a, n)).length));
          assert.deepEqual(after, counts.map((c) => c + 1));
          assert.deepEqual(await Promise.all([startDueScheduledAudits(a, now), startDueScheduledAudits(b, now)]), [[], []]);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    }
  });
}
