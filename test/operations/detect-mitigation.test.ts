import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CancelDetectMitigationActionsTaskCommand,
  CreateThingCommand,
  DescribeDetectMitigationActionsTaskCommand,
  ListDetectMitigationActionsExecutionsCommand,
  ListDetectMitigationActionsTasksCommand,
  ListThingGroupsForThingCommand,
  StartDetectMitigationActionsTaskCommand,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running } from '../harness.js';
import { failure } from './certificates-helpers.js';
import { action, group, injectViolations, waitDetect } from './mitigation-helpers.js';

const window = () => ({ startTime: new Date(Date.now() - 3600_000), endTime: new Date(Date.now() + 3600_000) });
const violation = (thingName: string, extra: Record<string, unknown> = {}) => ({
  thingName,
  securityProfileName: 'sp1',
  behavior: { name: 'too-many-messages', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
  lastViolationValue: { count: 250 },
  ...extra,
});

for (const backend of BACKENDS) {
  describe(`detect mitigation actions tasks (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('violations by id: each violation\'s thing joins the quarantine group; SUCCESSFUL with statistics', async () => {
      await reset(server.url);
      for (const t of ['d1', 'd2']) await client.send(new CreateThingCommand({ thingName: t }));
      await group(client, 'quarantine');
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      const ids = await injectViolations(server.url, [violation('d1'), violation('d2')]);
      await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'dt1', target: { violationIds: ids }, actions: ['isolate'] }));
      const summary = await waitDetect(client, 'dt1');
      assert.equal(summary.taskStatus, 'SUCCESSFUL');
      assert.deepEqual(summary.taskStatistics, { actionsExecuted: 2, actionsSkipped: 0, actionsFailed: 0 });
      assert.deepEqual(summary.target, { violationIds: ids });
      assert.equal(summary.onlyActiveViolationsIncluded, false);
      assert.equal(summary.suppressedAlertsIncluded, false);
      for (const t of ['d1', 'd2']) {
        assert.deepEqual((await client.send(new ListThingGroupsForThingCommand({ thingName: t }))).thingGroups?.map((g) => g.groupName), ['quarantine']);
      }
      const execs = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'dt1' }));
      assert.deepEqual(execs.actionsExecutions?.map((e) => [e.thingName, e.actionName, e.status]).sort(), [['d1', 'isolate', 'SUCCESSFUL'], ['d2', 'isolate', 'SUCCESSFUL']]);
      assert.ok(execs.actionsExecutions!.every((e) => e.executionStartDate instanceof Date && e.executionEndDate instanceof Date));
      const byThing = await client.send(new ListDetectMitigationActionsExecutionsCommand({ ...window(), thingName: 'd2' }));
      assert.deepEqual(byThing.actionsExecutions?.map((e) => e.violationId), [ids[1]]);
      const listed = await client.send(new ListDetectMitigationActionsTasksCommand(window()));
      assert.deepEqual(listed.tasks?.map((t) => [t.taskId, t.taskStatus]), [['dt1', 'SUCCESSFUL']]);
    });

    test('a security profile target: active, unsuppressed violations only by default; a missing group fails the execution', async () => {
      await reset(server.url);
      for (const t of ['p1', 'p2', 'p3']) await client.send(new CreateThingCommand({ thingName: t }));
      await action(client, 'to-nowhere', { addThingsToThingGroupParams: { thingGroupNames: ['no-such-group'] } });
      await injectViolations(server.url, [violation('p1'), violation('p2', { active: false }), violation('p3', { suppressed: true })]);
      await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'dt2', target: { securityProfileName: 'sp1' }, actions: ['to-nowhere'] }));
      const summary = await waitDetect(client, 'dt2');
      assert.equal(summary.taskStatus, 'FAILED');
      assert.deepEqual(summary.taskStatistics, { actionsExecuted: 1, actionsSkipped: 0, actionsFailed: 1 });
      const execs = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'dt2' }));
      assert.deepEqual(execs.actionsExecutions?.map((e) => [e.thingName, e.status, e.errorCode]), [['p1', 'FAILED', 'RESOURCE_NOT_FOUND']]);
    });

    test('Start validates synchronously (D14, D15) and the list needs a task or a window, not both', async () => {
      await reset(server.url);
      await client.send(new CreateThingCommand({ thingName: 'x' }));
      await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
      await action(client, 'cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const [id] = await injectViolations(server.url, [violation('x')]);
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ target: { behaviorName: 'b' }, actions: ['isolate'] }, /behaviorName/],
        [{ target: { violationIds: [id], securityProfileName: 'sp1' }, actions: ['isolate'] }, /not both/],
        [{ target: { violationIds: ['nope-1'] }, actions: ['isolate'] }, /nope-1/],
        [{ target: { violationIds: [id] }, actions: ['cert-off'] }, /ADD_THINGS_TO_THING_GROUP/],
        [{ target: { violationIds: [id] }, actions: ['missing'] }, /missing/],
      ];
      for (const [i, [input, message]] of cases.entries()) {
        const e = await failure(client.send(new StartDetectMitigationActionsTaskCommand({ taskId: `bad${i}`, ...(input as object) } as never)));
        assert.equal(e.name, 'InvalidRequestException', `case ${i}`);
        assert.match(e.message, message, `case ${i}`);
      }
      assert.deepEqual((await client.send(new ListDetectMitigationActionsTasksCommand(window()))).tasks, []);
      const both = await failure(client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'x', ...window() })));
      assert.equal(both.name, 'InvalidRequestException');
      const neither = await failure(client.send(new ListDetectMitigationActionsExecutionsCommand({})));
      assert.equal(neither.name, 'InvalidRequestException');
      const missing = await failure(client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'nope' })));
      assert.equal(missing.name, 'ResourceNotFoundException');
    });
  });
}

describe('detect tasks with the engine stopped (--no-engine)', () => {
  let server: Running;
  let client: ReturnType<typeof iot>;
  before(async () => {
    server = await startServer({ args: ['--no-engine'] });
    client = iot(server.url);
  });
  after(async () => {
    client?.destroy();
    await server?.cleanup();
  });

  test('a 6th task in progress is LimitExceededException; cancel counts unrun executions as skipped (D16)', async () => {
    await client.send(new CreateThingCommand({ thingName: 'c1' }));
    await action(client, 'isolate', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } });
    await action(client, 'isolate2', { addThingsToThingGroupParams: { thingGroupNames: ['quarantine2'] } });
    const ids = await injectViolations(server.url, [violation('c1'), violation('c1')]);
    for (let i = 0; i < 5; i++) await client.send(new StartDetectMitigationActionsTaskCommand({ taskId: `c${i}`, target: { violationIds: ids }, actions: ['isolate', 'isolate2'] }));
    const e = await failure(client.send(new StartDetectMitigationActionsTaskCommand({ taskId: 'c5', target: { violationIds: ids }, actions: ['isolate'] })));
    assert.equal(e.name, 'LimitExceededException');
    await client.send(new CancelDetectMitigationActionsTaskCommand({ taskId: 'c0' }));
    const d = await client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'c0' }));
    assert.equal(d.taskSummary?.taskStatus, 'CANCELED');
    assert.ok(d.taskSummary?.taskEndTime instanceof Date);
    assert.deepEqual(d.taskSummary?.taskStatistics, { actionsExecuted: 0, actionsSkipped: 4, actionsFailed: 0 });
    const again = await failure(client.send(new CancelDetectMitigationActionsTaskCommand({ taskId: 'c0' })));
    assert.equal(again.name, 'InvalidRequestException');
  });
});
