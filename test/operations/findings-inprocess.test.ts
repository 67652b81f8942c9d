// In-process server (createServer with a ManualClock), both backends: the 10,000-entry injection
// (through the endpoint's handler: 10,000 entries cannot fit the 1 MiB HTTP body limit, so HTTP
// carries the largest request that fits), and retention (purgeExpired with explicit dates).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeAuditFindingCommand, ListActiveViolationsCommand, ListAuditFindingsCommand, ListViolationEventsCommand, PutVerificationStateOnViolationCommand } from '@aws-sdk/client-iot';
import { postAuditFindings } from '../../src/admin/audit-findings.js';
import type { Context } from '../../src/context/context.js';
import { InvalidRequestException } from '../../src/generated/errors.js';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { purgeExpired } from '../../src/store/retention.js';
import { BACKENDS, dropSchema, freshSchema, iot, PG_BASE } from '../harness.js';
import { assertFails, injectFindings, injectViolations, post, violation } from './findings-helpers.js';

const DAY = 24 * 3600_000;
const MINUTE = 60_000;

/** The smallest valid finding: an account-settings one (about 160 bytes of JSON). */
const small = (i: number) => ({
  checkName: 'LOGGING_DISABLED_CHECK',
  severity: 'LOW',
  nonCompliantResource: { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: String(100000000000 + i) } },
});

for (const backend of BACKENDS) {
  describe(`in-process: bulk injection and retention (${backend})`, () => {
    const t0 = new Date();
    const clock = new ManualClock(t0);
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-findings-'));
    const schema = freshSchema();
    let server: WardenServer;
    let url: string;
    let client: ReturnType<typeof iot>;
    const context = (region = 'us-east-1'): Context => ({
      requestId: 'test',
      operation: 'warden:/_warden/audit-findings',
      accountId: '000000000000',
      region,
      store: server.store,
      clock,
      log: server.log,
      wakeEngine: () => undefined,
    });
    const countTask = async (taskId: string): Promise<number> => {
      let n = 0;
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListAuditFindingsCommand({ taskId, maxResults: 250, nextToken }));
        n += page.findings!.length;
        nextToken = page.nextToken;
      } while (nextToken);
      return n;
    };

    before(async () => {
      server = await createServer({
        port: 0,
        dataDir,
        databaseUrl: backend === 'postgres' ? `${PG_BASE}?schema=${schema}` : undefined,
        clock,
        logLevel: 'silent',
      });
      url = await server.listen();
      client = iot(url);
    });
    after(async () => {
      client?.destroy();
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(schema);
    });

    test('10,000 findings in one request are stored in one go; 10,001 are refused and nothing is stored', async (t) => {
      const findings = Array.from({ length: 10_000 }, (_, i) => small(i));
      let started = Date.now();
      const r = (await postAuditFindings({ body: { taskId: 'bulk-10k', findings }, query: new Map() }, context())) as { taskId: string; findingIds: string[] };
      const handlerMs = Date.now() - started;
      assert.equal(r.findingIds.length, 10_000);
      assert.equal(new Set(r.findingIds).size, 10_000);
      assert.equal(await countTask('bulk-10k'), 10_000);

      // Over HTTP, the largest request that fits in 1 MiB.
      const http = Array.from({ length: 6000 }, (_, i) => small(20_000 + i));
      assert.ok(JSON.stringify({ findings: http }).length < 1024 * 1024);
      started = Date.now();
      const viaHttp = await injectFindings(url, { taskId: 'bulk-http', findings: http });
      const httpMs = Date.now() - started;
      assert.equal(viaHttp.findingIds.length, 6000);
      t.diagnostic(`10,000 findings through the handler: ${handlerMs} ms; 6,000 over HTTP: ${httpMs} ms`);
      assert.ok(handlerMs < 10_000 && httpMs < 10_000, `too slow: ${handlerMs} ms, ${httpMs} ms`);

      await assert.rejects(
        postAuditFindings({ body: { taskId: 'too-many', findings: [...findings, small(10_000)] }, query: new Map() }, context()),
        (e: unknown) => e instanceof InvalidRequestException && /at 'findings' failed to satisfy constraint: Member must have length less than or equal to 10000/.test(e.message),
      );
      // An invalid last entry: the 9,999 valid ones before it are not stored either.
      const lastBad = [...findings.slice(0, 9999).map((f, i) => small(50_000 + i)), { ...small(0), severity: 'URGENT' }];
      await assert.rejects(postAuditFindings({ body: { taskId: 'bad-tail', findings: lastBad }, query: new Map() }, context()), /findings\.10000\.member\.severity/);
      assert.equal(await countTask('too-many'), 0);
      assert.equal(await countTask('bad-tail'), 0);
      // Over HTTP, a body over the limit is refused as a whole.
      const tooBig = await post(url, '/_warden/audit-findings', { taskId: 'too-big', findings: Array.from({ length: 10_000 }, (_, i) => small(i)) });
      assert.equal(tooBig.status, 400);
      assert.equal(await countTask('too-big'), 0);
    });

    test('retention: audit tasks and findings after 90 days, ended violations and events after 30', async () => {
      // At t0: an audit task (plus bulk-10k above, over the purge chunk size), an ended and an ongoing violation.
      const oldTask = await injectFindings(url, { taskId: 'old-audit', findings: [small(1)] });
      const eu = await injectFindings(url, { findings: [small(2)] }, { region: 'eu-west-1' });
      await injectViolations(url, [
        violation('t1', 'sp', { violationId: 'ended-early', active: false, violationStartTime: t0.getTime() / 1000 - 60 }),
        violation('t2', 'sp', { violationId: 'ongoing', violationStartTime: t0.getTime() / 1000 - 60 }),
      ]);
      // Five minutes later: a newer task and a violation that ends then.
      clock.advance(5 * MINUTE);
      const newTask = await injectFindings(url, { taskId: 'new-audit', findings: [small(3)] });
      await injectViolations(url, [violation('t3', 'sp', { violationId: 'ended-later', active: false })]);
      const at = (ms: number) => new Date(t0.getTime() + ms);
      const eventsOf = async () => {
        const r = await client.send(new ListViolationEventsCommand({ startTime: at(-DAY), endTime: at(DAY), maxResults: 250 }));
        return r.violationEvents!.map((e) => `${e.violationId}/${e.violationEventType}`).sort();
      };

      assert.deepEqual(await purgeExpired(server.store.repos, at(30 * DAY - MINUTE)), { findings: 0, violationRows: 0, connectionEvents: 0 });
      assert.equal((await eventsOf()).length, 5);

      // 30 days and 2 minutes after t0: what ended (or happened) at t0 is gone; what ended 5 minutes later stays.
      await purgeExpired(server.store.repos, at(30 * DAY + 2 * MINUTE));
      assert.deepEqual(await eventsOf(), ['ended-later/alarm-cleared', 'ended-later/in-alarm']);
      await assertFails(client.send(new PutVerificationStateOnViolationCommand({ violationId: 'ended-early', verificationState: 'TRUE_POSITIVE' })), 'InvalidRequestException', 400);
      await client.send(new PutVerificationStateOnViolationCommand({ violationId: 'ended-later', verificationState: 'TRUE_POSITIVE' }));
      assert.deepEqual((await client.send(new ListActiveViolationsCommand({}))).activeViolations!.map((v) => v.violationId), ['ongoing'], 'a violation still in alarm stays');
      assert.equal((await client.send(new DescribeAuditFindingCommand({ findingId: oldTask.findingIds[0] }))).finding!.taskId, 'old-audit');

      assert.deepEqual((await purgeExpired(server.store.repos, at(90 * DAY - MINUTE))).findings, 0);
      // 90 days and 2 minutes after t0: the tasks of t0 go with all their findings, in every scope.
      const purged = await purgeExpired(server.store.repos, at(90 * DAY + 2 * MINUTE));
      assert.equal(purged.findings, 10_000 + 6000 + 1 + 1);
      await assertFails(client.send(new DescribeAuditFindingCommand({ findingId: oldTask.findingIds[0] })), 'ResourceNotFoundException', 404);
      const euClient = iot(url, undefined, 'eu-west-1');
      try {
        await assertFails(euClient.send(new DescribeAuditFindingCommand({ findingId: eu.findingIds[0] })), 'ResourceNotFoundException', 404);
      } finally {
        euClient.destroy();
      }
      assert.equal(await countTask('bulk-10k'), 0);
      assert.equal(await countTask('bulk-http'), 0);
      assert.equal(await countTask(newTask.taskId), 1, 'the task of five minutes later stays');
      // The purged task id is free again: naming it starts a new task.
      const again = await injectFindings(url, { taskId: 'old-audit', findings: [small(4)] });
      assert.equal((await client.send(new DescribeAuditFindingCommand({ findingId: again.findingIds[0] }))).finding!.taskStartTime!.getTime(), clock.now().getTime());
    });
  });
}
