// One claimed batch that mixes targets an action index runs set-based (UPDATE_DEVICE_CERTIFICATE,
// ADD_THINGS_TO_THING_GROUP) with targets the rules refuse and a finding that no longer exists:
// every execution record, target state, counter, statistic and effect is what the batch run
// target by target (careful mode: a savepoint per action, the handlers for one item) gives for the
// same input. Both runs happen in a transaction that is then rolled back, on a fixed clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddThingToThingGroupCommand,
  AttachThingPrincipalCommand,
  CreateDynamicThingGroupCommand,
  CreateThingCommand,
  StartAuditMitigationActionsTaskCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { actionHandlers } from '../../src/actions/index.js';
import type { ActionRegistry, ActionSetHandler } from '../../src/actions/types.js';
import { executeTargets } from '../../src/engine/execute.js';
import { planChunk } from '../../src/engine/plan.js';
import { loadSubjects } from '../../src/engine/subjects.js';
import type { TaskKey } from '../../src/store/mitigation-tasks.js';
import { BACKENDS } from '../harness.js';
import { action, certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { inProcess, missingCertificateId, newCertificate, newGroup, type Bench } from '../unit/actions-helpers.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const OTHER_CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK';
const AT = new Date('2026-06-01T12:00:00Z');
const clock = { now: () => new Date(AT) };

class Rollback extends Error {}

/** The registry's handlers, counting the calls of their set-based forms. */
let setBasedCalls = 0;
const handlers: ActionRegistry = Object.fromEntries(
  Object.entries(actionHandlers).map(([type, h]) => {
    const many = h.many;
    if (!many) return [type, h];
    const counted: ActionSetHandler = (tx, scope, items) => (setBasedCalls++, many(tx, scope, items));
    return [type, Object.assign((...args: Parameters<typeof h>) => h(...args), { many: counted })];
  }),
) as ActionRegistry;

for (const backend of BACKENDS) {
  describe(`a mixed batch, set-based against target by target (${backend})`, () => {
    let b: Bench;
    let n = 0;
    const name = (prefix: string) => `mixed-${prefix}-${++n}`;
    before(async () => {
      b = await inProcess(backend);
    });
    after(async () => {
      await b?.close();
    });

    const thing = async (certArn?: string) => {
      const thingName = name('thing');
      await b.client.send(new CreateThingCommand({ thingName }));
      if (certArn) await b.client.send(new AttachThingPrincipalCommand({ thingName, principal: certArn }));
      return thingName;
    };
    const group = (parentGroupName?: string) => newGroup(b.client, parentGroupName);
    const join = (thingName: string, thingGroupName: string) => b.client.send(new AddThingToThingGroupCommand({ thingName, thingGroupName }));

    /** Starts a task over the findings (the engine is off) and plans all its targets. */
    const plannedTask = async (findings: unknown[], mapping: Record<string, string[]>): Promise<{ key: TaskKey; findingIds: string[] }> => {
      const { taskId: auditTaskId, findingIds } = await injectFindings(b.url, { findings });
      const taskId = name('task');
      await b.client.send(new StartAuditMitigationActionsTaskCommand({ taskId, target: { auditTaskId }, auditCheckToActionsMapping: mapping }));
      const key: TaskKey = { ...SCOPE, kind: 'audit', taskId };
      for (let done = false; !done; ) done = (await b.server.store.transaction(async (tx) => planChunk(tx, (await tx.mitigationTasks.get(key))!, 1000))) === true;
      return { key, findingIds };
    };

    /**
     * Claims every target in one batch and runs it (set-based or careful), reads back what it
     * wrote, and rolls it all back.
     */
    const runOnce = async (key: TaskKey, careful: boolean, things: string[], certificates: string[], deleted: string[]) => {
      let seen: unknown;
      await b.server.store
        .transaction(async (tx) => {
          const task = (await tx.mitigationTasks.get(key))!;
          const claimed = await tx.mitigationTasks.claimTargets(key, 1000);
          const subjects = await loadSubjects(tx, task, claimed.map((c) => c.targetId));
          for (const id of deleted) subjects.delete(id); // as if the finding had gone between planning and the batch
          await executeTargets(tx, { ...SCOPE, clock }, task, claimed, subjects, handlers, careful);
          const executions = await tx.db.all<Record<string, unknown>>(
            'SELECT target_id, action_index, action_name, action_id, thing_name, status, start_time, end_time, error_code, message FROM mitigation_executions WHERE task_id = ? ORDER BY target_id, action_index',
            [key.taskId],
          );
          const targets = await tx.db.all('SELECT target_id, check_name, state FROM mitigation_targets WHERE task_id = ? ORDER BY target_id', [key.taskId]);
          const counters = await tx.mitigationTasks.get(key);
          const stats = await tx.mitigationTasks.stats(key, key.taskId);
          const members = await tx.db.all(
            `SELECT thing_name, group_name, is_dynamic, added_at FROM thing_group_members WHERE thing_name IN (${things.map(() => '?').join(', ')}) ORDER BY thing_name, group_name`,
            things,
          );
          const certs = await tx.db.all(
            `SELECT certificate_id, status, customer_version, modified_at FROM certificates WHERE certificate_id IN (${certificates.map(() => '?').join(', ')}) ORDER BY certificate_id`,
            certificates,
          );
          seen = { executions, targets, counters, stats, members, certs };
          throw new Rollback();
        })
        .catch((e) => {
          if (!(e instanceof Rollback)) throw e;
        });
      return JSON.parse(JSON.stringify(seen)) as { executions: Record<string, unknown>[] } & Record<string, unknown>;
    };

    test('successes, refusals and a missing finding: the same records and effects either way', async () => {
      await action(b.client, 'mixed-cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const root = await group();
      const quarantine = await group(root);
      const sibling = await group(root);
      await action(b.client, 'mixed-quarantine', { addThingsToThingGroupParams: { thingGroupNames: [quarantine] } });
      const ten = await Promise.all(Array.from({ length: 10 }, () => group()));

      const certificates: string[] = [];
      const things: string[] = [];
      const findings: { finding: ReturnType<typeof certFinding>; expect: [string, string | null][] }[] = [];
      const ok: [string, string | null][] = [['COMPLETED', null], ['COMPLETED', null]];
      const device = async (status?: 'REVOKED' | 'INACTIVE', thingCount = 1) => {
        const c = await newCertificate(b.client);
        certificates.push(c.id);
        if (status) await b.client.send(new UpdateCertificateCommand({ certificateId: c.id, newStatus: status }));
        const mine = [];
        for (let i = 0; i < thingCount; i++) mine.push(await thing(c.arn));
        things.push(...mine);
        return { id: c.id, things: mine };
      };
      const add = (id: string, expect: [string, string | null][]) => findings.push({ finding: certFinding(id), expect });

      for (let i = 0; i < 4; i++) add((await device()).id, ok); // live: both actions apply
      add((await device('REVOKED')).id, [['FAILED', 'INVALID_STATE_OF_RESOURCE'], ['SKIPPED', null]]);
      add((await device('INACTIVE')).id, ok); // already INACTIVE: a success that changes nothing
      const full = await device();
      for (const g of ten) await join(full.things[0], g);
      add(full.id, [['COMPLETED', null], ['FAILED', 'INVALID_STATE_OF_RESOURCE']]); // 10 groups already
      const hierarchy = await device();
      await join(hierarchy.things[0], sibling);
      add(hierarchy.id, [['COMPLETED', null], ['FAILED', 'INVALID_STATE_OF_RESOURCE']]); // another group of quarantine's hierarchy
      const pair = await device(undefined, 2);
      for (const g of ten) await join(pair.things[1], g);
      add(pair.id, [['COMPLETED', null], ['FAILED', 'INVALID_STATE_OF_RESOURCE']]); // one of its two things is full: neither joins
      add(missingCertificateId(), [['FAILED', 'RESOURCE_NOT_FOUND'], ['SKIPPED', null]]);
      const bare = await newCertificate(b.client);
      certificates.push(bare.id);
      add(bare.id, ok); // no thing attached: a success that says so
      const shared = await device();
      add(shared.id, ok);
      add(shared.id, ok); // the same certificate twice: the second finds it INACTIVE and its thing in quarantine
      add((await device()).id, [['FAILED', 'RESOURCE_NOT_FOUND'], ['SKIPPED', null]]); // its finding is gone

      const { key, findingIds } = await plannedTask(findings.map((f) => f.finding), { [CHECK]: ['mixed-cert-off', 'mixed-quarantine'] });
      const gone = findingIds.at(-1)!;

      setBasedCalls = 0;
      const setBased = await runOnce(key, false, things, certificates, [gone]);
      assert.equal(setBasedCalls, 2, 'one set-based call per action index');
      const careful = await runOnce(key, true, things, certificates, [gone]);
      assert.equal(setBasedCalls, 2, 'none in careful mode');
      assert.deepEqual(setBased, careful);

      // And what that is: each finding's statuses and error codes as listed above.
      findingIds.forEach((id, i) => {
        const got = setBased.executions.filter((e) => e.target_id === id).map((e) => [e.status, e.error_code]);
        assert.deepEqual(got, findings[i].expect, `executions of finding ${i} (${id})`);
      });
      assert.equal(setBased.executions.length, 2 * findings.length);
      const messages = setBased.executions.filter((e) => e.status === 'FAILED').map((e) => e.message as string);
      assert.ok(messages.some((m) => /is REVOKED; a revoked certificate cannot change to INACTIVE/.test(m)));
      assert.ok(messages.some((m) => /already in 10 thing groups, the most allowed/.test(m)));
      assert.ok(messages.some((m) => /of the same hierarchy/.test(m)));
      assert.ok(messages.some((m) => /does not exist in us-east-1/.test(m)));
      assert.ok(messages.some((m) => new RegExp(`The finding ${gone} no longer exists`).test(m)));
      const members = setBased.members as { thing_name: string; group_name: string }[];
      assert.ok(!members.some((m) => m.thing_name === pair.things[0] && m.group_name === quarantine), 'a refused join writes none of its memberships');
      assert.equal(members.filter((m) => m.thing_name === shared.things[0] && m.group_name === quarantine).length, 1);
      const certs = setBased.certs as { certificate_id: string; status: string; customer_version: number }[];
      assert.equal(certs.find((c) => c.certificate_id === shared.id)!.status, 'INACTIVE');
    });

    test('a type at two indices of the batch (so target by target) and override of a dynamic group: the same either way', async () => {
      const quarantine = await group();
      await action(b.client, 'mixed-jail', { addThingsToThingGroupParams: { thingGroupNames: [quarantine], overrideDynamicGroups: true } });
      await action(b.client, 'mixed-off-2', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      const dynamic = name('dynamic');
      await b.client.send(new CreateDynamicThingGroupCommand({ thingGroupName: dynamic, queryString: 'attributes.kind:mixed' }));
      const statics = await Promise.all(Array.from({ length: 9 }, () => group()));
      const c = await newCertificate(b.client);
      const thingName = name('thing');
      await b.client.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { kind: 'mixed' } } }));
      await b.client.send(new AttachThingPrincipalCommand({ thingName, principal: c.arn }));
      for (const g of statics) await join(thingName, g);
      const other = await newCertificate(b.client);
      const { key } = await plannedTask([certFinding(c.id), certFinding(c.id, OTHER_CHECK), certFinding(other.id, OTHER_CHECK)], {
        [CHECK]: ['mixed-off-2', 'mixed-jail'],
        [OTHER_CHECK]: ['mixed-jail', 'mixed-off-2'],
      });
      setBasedCalls = 0;
      const setBased = await runOnce(key, false, [thingName], [c.id, other.id], []);
      assert.equal(setBasedCalls, 0, 'target by target');
      const careful = await runOnce(key, true, [thingName], [c.id, other.id], []);
      assert.deepEqual(setBased, careful);
      assert.ok(setBased.executions.every((e) => e.status === 'COMPLETED'), JSON.stringify(setBased.executions));
      const members = (setBased.members as { group_name: string }[]).map((m) => m.group_name);
      assert.ok(members.includes(quarantine) && !members.includes(dynamic), 'the thing left its dynamic group for quarantine');
    });
  });
}
