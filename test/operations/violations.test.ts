// Detect violations: POST /_warden/violations (signed), ListActiveViolations, ListViolationEvents and
// PutVerificationStateOnViolation through @aws-sdk/client-iot, on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ListActiveViolationsCommand,
  ListViolationEventsCommand,
  paginateListActiveViolations,
  paginateListViolationEvents,
  PutVerificationStateOnViolationCommand,
  type ListActiveViolationsCommandInput,
  type ListViolationEventsCommandInput,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, raw, reset, startServer, type Running } from '../harness.js';
import { assertFails, assertInvalid, HEX32, injectViolations, OTHER, post, staticBehavior, twoAccounts, violation } from './findings-helpers.js';

const HOUR = 3600_000;

for (const backend of BACKENDS) {
  describe(`detect violations (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const active = async (input: ListActiveViolationsCommandInput = {}, c = client) => {
      const out = [];
      for await (const page of paginateListActiveViolations({ client: c, pageSize: 2 }, input)) out.push(...(page.activeViolations ?? []));
      return out;
    };
    const events = async (input: Partial<ListViolationEventsCommandInput> = {}, c = client) => {
      const out = [];
      const window = { startTime: new Date(Date.now() - 2 * HOUR), endTime: new Date(Date.now() + HOUR) };
      for await (const page of paginateListViolationEvents({ client: c, pageSize: 2 }, { ...window, ...input })) out.push(...(page.violationEvents ?? []));
      return out;
    };
    const ids = (vs: { violationId?: string }[]) => vs.map((v) => v.violationId);

    before(async () => {
      server = await startServer({ backend, args: twoAccounts() });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('an injected violation is listed active with every field, with its in-alarm event', async () => {
      await reset(server.url);
      const start = Math.floor(Date.now() / 1000) - 600;
      const [id] = await injectViolations(server.url, [violation('thermostat-1', 'fleet-profile', { violationStartTime: start })]);
      assert.match(id, HEX32);
      const [v] = await active();
      assert.equal(v.violationId, id);
      assert.equal(v.thingName, 'thermostat-1');
      assert.equal(v.securityProfileName, 'fleet-profile');
      assert.deepEqual(v.behavior, staticBehavior('too-many-messages'));
      assert.deepEqual(v.lastViolationValue, { count: 250 });
      assert.equal(v.violationStartTime!.getTime(), start * 1000);
      assert.equal(v.lastViolationTime!.getTime(), start * 1000);
      assert.equal(v.verificationState, undefined);
      const [e] = await events();
      assert.equal(e.violationId, id);
      assert.equal(e.violationEventType, 'in-alarm');
      assert.equal(e.violationEventTime!.getTime(), start * 1000);
      assert.deepEqual(e.metricValue, { count: 250 });
      assert.equal(e.thingName, 'thermostat-1');
      assert.equal(e.securityProfileName, 'fleet-profile');
      assert.deepEqual(e.behavior, staticBehavior('too-many-messages'));
    });

    test('an inactive violation is not active and has in-alarm and alarm-cleared events; given ids are kept', async () => {
      await reset(server.url);
      const start = Math.floor(Date.now() / 1000) - 60;
      const before = Date.now();
      const got = await injectViolations(server.url, [violation('t1', 'sp', { violationId: 'cleared-1', active: false, violationStartTime: start }), violation('t2', 'sp', { violationId: 'still-on' })]);
      assert.deepEqual(got, ['cleared-1', 'still-on']);
      assert.deepEqual(ids(await active()), ['still-on']);
      const history = (await events()).filter((e) => e.violationId === 'cleared-1');
      assert.deepEqual(history.map((e) => e.violationEventType), ['alarm-cleared', 'in-alarm'], 'newest first');
      assert.ok(history[0].violationEventTime!.getTime() >= before - 1000);
      assert.equal(history[1].violationEventTime!.getTime(), start * 1000);
    });

    test('ListActiveViolations and ListViolationEvents filters', async () => {
      await reset(server.url);
      const ml = { name: 'ml-behavior', metric: 'aws:num-messages-sent', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } } };
      const stat = { name: 'p90-behavior', metric: 'aws:message-byte-size', criteria: { comparisonOperator: 'greater-than', statisticalThreshold: { statistic: 'p90' }, durationSeconds: 300 } };
      const now = Math.floor(Date.now() / 1000);
      await injectViolations(server.url, [
        violation('t1', 'sp-a', { violationId: 'v1', violationStartTime: now - 50 }),
        violation('t2', 'sp-a', { violationId: 'v2', violationStartTime: now - 40, behavior: ml }),
        violation('t1', 'sp-b', { violationId: 'v3', violationStartTime: now - 30, behavior: stat }),
        violation('t3', 'sp-b', { violationId: 'v4', violationStartTime: now - 20, suppressed: true }),
        violation('t3', 'sp-b', { violationId: 'v5', violationStartTime: now - 10, behavior: { ...staticBehavior('quiet'), suppressAlerts: true } }),
      ]);
      assert.deepEqual(ids(await active()), ['v3', 'v2', 'v1'], 'newest first; suppressed alerts left out by default');
      assert.deepEqual(ids(await active({ listSuppressedAlerts: false })), ['v3', 'v2', 'v1']);
      assert.deepEqual(ids(await active({ listSuppressedAlerts: true })), ['v5', 'v4', 'v3', 'v2', 'v1']);
      assert.deepEqual(ids(await active({ thingName: 't1' })), ['v3', 'v1']);
      assert.deepEqual(ids(await active({ securityProfileName: 'sp-b', listSuppressedAlerts: true })), ['v5', 'v4', 'v3']);
      assert.deepEqual(ids(await active({ behaviorCriteriaType: 'MACHINE_LEARNING' })), ['v2']);
      assert.deepEqual(ids(await active({ behaviorCriteriaType: 'STATISTICAL' })), ['v3']);
      assert.deepEqual(ids(await active({ behaviorCriteriaType: 'STATIC', listSuppressedAlerts: true })), ['v5', 'v4', 'v1']);
      assert.deepEqual(ids(await active({ thingName: 'nobody' })), []);
      const [mlViolation] = await active({ behaviorCriteriaType: 'MACHINE_LEARNING' });
      assert.deepEqual(mlViolation.violationEventAdditionalInfo, { confidenceLevel: 'HIGH' });
      assert.equal((await active({ listSuppressedAlerts: true })).find((v) => v.violationId === 'v5')!.behavior!.suppressAlerts, true);

      assert.deepEqual(ids(await events()), ['v3', 'v2', 'v1']);
      assert.deepEqual(ids(await events({ listSuppressedAlerts: true })), ['v5', 'v4', 'v3', 'v2', 'v1']);
      assert.deepEqual(ids(await events({ thingName: 't1' })), ['v3', 'v1']);
      assert.deepEqual(ids(await events({ securityProfileName: 'sp-a' })), ['v2', 'v1']);
      assert.deepEqual(ids(await events({ behaviorCriteriaType: 'STATISTICAL' })), ['v3']);
      const window = (from: number, to: number) => events({ startTime: new Date(from * 1000), endTime: new Date(to * 1000), listSuppressedAlerts: true });
      assert.deepEqual(ids(await window(now - 45, now - 15)), ['v4', 'v3', 'v2']);
      assert.deepEqual(ids(await window(now - 50, now - 50)), ['v1'], 'both ends inclusive');
      assert.deepEqual(ids(await window(now + 10, now + 20)), []);
    });

    test('PutVerificationStateOnViolation sets state and description on the violation and its events', async () => {
      await reset(server.url);
      const [a, b] = await injectViolations(server.url, [violation('t1', 'sp', { active: false }), violation('t2', 'sp')]);
      await client.send(new PutVerificationStateOnViolationCommand({ violationId: b, verificationState: 'FALSE_POSITIVE', verificationStateDescription: 'Firmware update burst' }));
      const [v] = await active();
      assert.equal(v.verificationState, 'FALSE_POSITIVE');
      assert.equal(v.verificationStateDescription, 'Firmware update burst');
      assert.deepEqual(ids(await active({ verificationState: 'FALSE_POSITIVE' })), [b]);
      assert.deepEqual(ids(await active({ verificationState: 'TRUE_POSITIVE' })), []);
      // Verifying an inactive violation shows on its events; UNKNOWN matches the unverified.
      await client.send(new PutVerificationStateOnViolationCommand({ violationId: a, verificationState: 'TRUE_POSITIVE' }));
      const history = await events({ verificationState: 'TRUE_POSITIVE' });
      assert.deepEqual(history.map((e) => [e.violationId, e.violationEventType, e.verificationState]), [[a, 'alarm-cleared', 'TRUE_POSITIVE'], [a, 'in-alarm', 'TRUE_POSITIVE']]);
      assert.deepEqual(ids(await events({ verificationState: 'FALSE_POSITIVE' })), [b]);
      assert.equal((await events({ verificationState: 'FALSE_POSITIVE' }))[0].verificationStateDescription, 'Firmware update burst');
      await injectViolations(server.url, [violation('t3', 'sp', { violationId: 'unverified' })]);
      assert.deepEqual(ids(await active({ verificationState: 'UNKNOWN' })), ['unverified']);
      // Setting it again replaces state and description.
      await client.send(new PutVerificationStateOnViolationCommand({ violationId: b, verificationState: 'UNKNOWN' }));
      assert.deepEqual(ids(await active({ verificationState: 'UNKNOWN' })), ['unverified', b]);
      assert.equal((await active({ thingName: 't2' }))[0].verificationStateDescription, undefined);
    });

    test('PutVerificationStateOnViolation of an unknown violation, or with a bad state: InvalidRequestException', async () => {
      await reset(server.url);
      await assertFails(client.send(new PutVerificationStateOnViolationCommand({ violationId: 'nope', verificationState: 'BENIGN_POSITIVE' })), 'InvalidRequestException', 400, /nope/);
      await assertFails(client.send(new PutVerificationStateOnViolationCommand({ violationId: 'nope', verificationState: 'MAYBE' as never })), 'InvalidRequestException', 400, /verificationState/);
    });

    test('ListViolationEvents requires a valid time window', async () => {
      await assertFails(client.send(new ListViolationEventsCommand({ startTime: new Date() } as never)), 'InvalidRequestException', 400, /endTime/);
      await assertFails(client.send(new ListViolationEventsCommand({ startTime: new Date(Date.now()), endTime: new Date(Date.now() - HOUR) })), 'InvalidRequestException', 400, /startTime must not be after endTime/);
    });

    test('pages: maxResults, opaque tokens, stable while violations are added', async () => {
      await reset(server.url);
      const now = Math.floor(Date.now() / 1000);
      await injectViolations(server.url, Array.from({ length: 5 }, (_, i) => violation(`t${i}`, 'sp', { violationId: `v${i}`, violationStartTime: now - 100 + i })));
      const p1 = await client.send(new ListActiveViolationsCommand({ maxResults: 2 }));
      assert.deepEqual(ids(p1.activeViolations!), ['v4', 'v3']);
      await injectViolations(server.url, [violation('late', 'sp', { violationId: 'v9' })]);
      const p2 = await client.send(new ListActiveViolationsCommand({ maxResults: 2, nextToken: p1.nextToken }));
      assert.deepEqual(ids(p2.activeViolations!), ['v2', 'v1']);
      const p3 = await client.send(new ListActiveViolationsCommand({ maxResults: 2, nextToken: p2.nextToken }));
      assert.deepEqual(ids(p3.activeViolations!), ['v0']);
      assert.equal(p3.nextToken, undefined);
      const window = { startTime: new Date((now - 200) * 1000), endTime: new Date((now - 50) * 1000) };
      const e1 = await client.send(new ListViolationEventsCommand({ ...window, maxResults: 3 }));
      assert.deepEqual(ids(e1.violationEvents!), ['v4', 'v3', 'v2']);
      const e2 = await client.send(new ListViolationEventsCommand({ ...window, maxResults: 3, nextToken: e1.nextToken }));
      assert.deepEqual(ids(e2.violationEvents!), ['v1', 'v0']);
      assert.equal(e2.nextToken, undefined);
      await assertFails(client.send(new ListViolationEventsCommand({ ...window, nextToken: p1.nextToken })), 'InvalidRequestException', 400, /nextToken/);
      await assertFails(client.send(new ListActiveViolationsCommand({ nextToken: 'garbage' })), 'InvalidRequestException', 400, /nextToken/);
      await injectViolations(server.url, Array.from({ length: 30 }, (_, i) => violation(`bulk${i}`, 'sp')));
      assert.equal((await client.send(new ListActiveViolationsCommand({}))).activeViolations!.length, 25, 'default page size');
    });

    test('every invalid body is refused naming its field, and nothing is stored', async () => {
      await reset(server.url);
      const ok = violation('t1', 'sp');
      await injectViolations(server.url, [{ ...ok, violationId: 'taken' }]);
      const cases: [unknown, string[]][] = [
        [{ violations: [{ ...ok, thingName: undefined }] }, ['violations.1.member.thingName', 'Member must not be null']],
        [{ violations: [ok, { ...ok, thingName: 'x'.repeat(129) }] }, ['violations.2.member.thingName', 'length less than or equal to 128']],
        [{ violations: [{ ...ok, securityProfileName: undefined }] }, ['violations.1.member.securityProfileName', 'Member must not be null']],
        [{ violations: [{ ...ok, securityProfileName: 'has space' }] }, ['violations.1.member.securityProfileName', 'regular expression pattern']],
        [{ violations: [{ ...ok, behavior: undefined }] }, ['violations.1.member.behavior', 'Member must not be null']],
        [{ violations: [{ ...ok, behavior: { metric: 'aws:num-messages-sent' } }] }, ['violations.1.member.behavior.name', 'Member must not be null']],
        [{ violations: [{ ...ok, behavior: { name: 'bad name' } }] }, ['violations.1.member.behavior.name', 'regular expression pattern']],
        [{ violations: [{ ...ok, behavior: { name: 'b', criteria: { comparisonOperator: 'bigger' } } }] }, ['violations.1.member.behavior.criteria.comparisonOperator', 'enum value set']],
        [{ violations: [{ ...ok, lastViolationValue: { count: 'many' } }] }, ['violations.1.member.lastViolationValue.count']],
        [{ violations: [{ ...ok, violationId: 'has_underscore' }] }, ['violations.1.member.violationId', 'regular expression pattern: [a-zA-Z0-9\\-]+']],
        [{ violations: [{ ...ok, violationId: 'v'.repeat(129) }] }, ['violations.1.member.violationId', 'length less than or equal to 128']],
        [{ violations: [{ ...ok, violationStartTime: 'yesterday' }] }, ['violations.1.member.violationStartTime', 'timestamp']],
        [{ violations: [{ ...ok, violationStartTime: 1000, lastViolationTime: 999 }] }, ['violations.1.member.lastViolationTime', 'not be before violationStartTime']],
        [{ violations: [{ ...ok, active: 'no' }] }, ['violations.1.member.active', 'Member must be a boolean']],
        [{ violations: [{ ...ok, suppressed: 1 }] }, ['violations.1.member.suppressed', 'Member must be a boolean']],
        [{ violations: [{ ...ok, verificationState: 'MAYBE' }] }, ['violations.1.member.verificationState', 'enum value set']],
        [{ violations: [] }, ["at 'violations'", 'length greater than or equal to 1']],
        [{}, ["at 'violations'", 'Member must not be null']],
        [{ violations: [ok, { ...ok, violationId: 'taken' }] }, ["violationId 'taken'", 'already exists']],
        [{ violations: [{ ...ok, violationId: 'twice' }, { ...ok, violationId: 'twice' }] }, ["violationId 'twice'", 'more than once']],
        ['[]', ['body', 'JSON object']],
      ];
      for (const [body, fragments] of cases) assertInvalid(await post(server.url, '/_warden/violations', body), ...fragments);
      assert.deepEqual(ids(await active({ listSuppressedAlerts: true })), ['taken']);
      assert.deepEqual(ids(await events({ listSuppressedAlerts: true })), ['taken']);
    });

    test('violations belong to the account and region that injected them; the endpoint is signed', async () => {
      await reset(server.url);
      const [mine] = await injectViolations(server.url, [violation('t1', 'sp', { violationId: 'same-id' })]);
      const eu = iot(server.url, undefined, 'eu-west-1');
      const other = iot(server.url, OTHER);
      try {
        for (const c of [eu, other]) {
          assert.deepEqual(await active({}, c), []);
          assert.deepEqual(await events({}, c), []);
          await assertFails(c.send(new PutVerificationStateOnViolationCommand({ violationId: mine, verificationState: 'TRUE_POSITIVE' })), 'InvalidRequestException', 400);
        }
        await injectViolations(server.url, [violation('t9', 'sp', { violationId: 'same-id' })], { creds: OTHER });
        assert.deepEqual((await active({}, other)).map((v) => v.thingName), ['t9']);
        assert.deepEqual((await active()).map((v) => v.thingName), ['t1']);
      } finally {
        eu.destroy();
        other.destroy();
      }
      const r = await raw(server.url, { method: 'POST', path: '/_warden/violations', body: JSON.stringify({ violations: [violation('t', 'sp')] }), unsigned: true });
      assert.equal(r.status, 403);
    });
  });
}
