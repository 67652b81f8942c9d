// Audit findings: POST /_warden/audit-findings (signed), DescribeAuditFinding and ListAuditFindings
// through @aws-sdk/client-iot, on both backends. One server per backend, with a second account.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DescribeAuditFindingCommand, ListAuditFindingsCommand, paginateListAuditFindings, type ListAuditFindingsCommandInput } from '@aws-sdk/client-iot';
import { BACKENDS, iot, raw, reset, startServer, type Running } from '../harness.js';
import {
  assertFails,
  assertInvalid,
  certFinding,
  certId,
  HEX32,
  injectFindings,
  OTHER,
  policyFinding,
  post,
  sleep,
  twoAccounts,
  UUID,
} from './findings-helpers.js';

for (const backend of BACKENDS) {
  describe(`audit findings (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const all = async (input: ListAuditFindingsCommandInput, c = client) => {
      const out = [];
      for await (const page of paginateListAuditFindings({ client: c, pageSize: 2 }, input)) out.push(...(page.findings ?? []));
      return out;
    };
    const everything = () => all({ startTime: new Date(Date.now() - 3600_000), endTime: new Date(Date.now() + 3600_000) });

    before(async () => {
      server = await startServer({ backend, args: twoAccounts() });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('injected findings are described with every field, ids generated where absent', async () => {
      await reset(server.url);
      const before = Date.now();
      const related = [{ resourceType: 'CLIENT_ID', resourceIdentifier: { clientId: 'device-7' }, additionalInfo: { CONNECTION_TIME: '1576012045745' } }];
      const r = await injectFindings(server.url, {
        findings: [
          { ...certFinding('a'.repeat(64), { relatedResources: related, isSuppressed: true }), nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'a'.repeat(64) }, additionalInfo: { EXPIRATION_TIME: '1700000000' } } },
          { ...policyFinding('open-policy'), findingId: 'my_finding-1' },
        ],
      });
      assert.match(r.taskId, HEX32);
      assert.equal(r.findingIds.length, 2);
      assert.match(r.findingIds[0], UUID);
      assert.equal(r.findingIds[1], 'my_finding-1');

      const { finding } = await client.send(new DescribeAuditFindingCommand({ findingId: r.findingIds[0] }));
      assert.equal(finding!.findingId, r.findingIds[0]);
      assert.equal(finding!.taskId, r.taskId);
      assert.equal(finding!.checkName, 'DEVICE_CERTIFICATE_EXPIRING_CHECK');
      assert.equal(finding!.severity, 'MEDIUM');
      assert.deepEqual(finding!.nonCompliantResource, {
        resourceType: 'DEVICE_CERTIFICATE',
        resourceIdentifier: { deviceCertificateId: 'a'.repeat(64) },
        additionalInfo: { EXPIRATION_TIME: '1700000000' },
      });
      assert.deepEqual(finding!.relatedResources, related);
      assert.equal(finding!.reasonForNonCompliance, 'Certificate is approaching expiration');
      assert.equal(finding!.reasonForNonComplianceCode, 'CERTIFICATE_APPROACHING_EXPIRATION');
      assert.equal(finding!.isSuppressed, true);
      assert.ok(finding!.findingTime!.getTime() >= before - 1000 && finding!.findingTime!.getTime() <= Date.now() + 1000);
      assert.equal(finding!.taskStartTime!.getTime(), finding!.findingTime!.getTime());

      const policy = (await client.send(new DescribeAuditFindingCommand({ findingId: 'my_finding-1' }))).finding!;
      assert.deepEqual(policy.nonCompliantResource, { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName: 'open-policy', policyVersionId: '1' } } });
      assert.equal(policy.isSuppressed, false);
      assert.deepEqual(policy.relatedResources, []);
    });

    test('DescribeAuditFinding of an unknown id: ResourceNotFoundException', async () => {
      await reset(server.url);
      await assertFails(client.send(new DescribeAuditFindingCommand({ findingId: 'no-such-finding' })), 'ResourceNotFoundException', 404, /no-such-finding/);
    });

    test('a given taskId creates that task, and naming it again extends it with the same start time', async () => {
      await reset(server.url);
      const first = await injectFindings(server.url, { taskId: 'nightly-audit-1', findings: [certFinding('c1')] });
      assert.equal(first.taskId, 'nightly-audit-1');
      await sleep(20);
      const second = await injectFindings(server.url, { taskId: 'nightly-audit-1', findings: [certFinding('c2'), policyFinding('p')] });
      assert.equal(second.taskId, 'nightly-audit-1');
      const found = await all({ taskId: 'nightly-audit-1' });
      assert.equal(found.length, 3);
      assert.equal(new Set(found.map((f) => f.taskStartTime!.getTime())).size, 1, 'one task start time');
      const later = found.find((f) => f.findingId === second.findingIds[0])!;
      assert.ok(later.findingTime!.getTime() > later.taskStartTime!.getTime(), 'the later finding has its own finding time');
      // Another injection without taskId makes a task of its own.
      const other = await injectFindings(server.url, { findings: [certFinding('c3')] });
      assert.notEqual(other.taskId, 'nightly-audit-1');
      assert.deepEqual((await all({ taskId: other.taskId })).map((f) => f.findingId), other.findingIds);
    });

    test('an existing or repeated findingId is refused and nothing of that request is stored', async () => {
      await reset(server.url);
      await injectFindings(server.url, { taskId: 'audit-a', findings: [{ ...certFinding('c1'), findingId: 'f-1' }] });
      assertInvalid(await post(server.url, '/_warden/audit-findings', { taskId: 'audit-a', findings: [{ ...certFinding('c2'), findingId: 'f-2' }, { ...certFinding('c3'), findingId: 'f-1' }] }), "findingId 'f-1'", 'already exists');
      assertInvalid(await post(server.url, '/_warden/audit-findings', { findings: [{ ...certFinding('c4'), findingId: 'f-9' }, { ...certFinding('c5'), findingId: 'f-9' }] }), "findingId 'f-9'", 'more than once');
      assert.deepEqual((await everything()).map((f) => f.findingId), ['f-1']);
      await assertFails(client.send(new DescribeAuditFindingCommand({ findingId: 'f-2' })), 'ResourceNotFoundException', 404);
    });

    test('every invalid body is refused naming its field, and nothing is stored', async () => {
      await reset(server.url);
      const ok = certFinding('c1');
      const cases: [unknown, string[]][] = [
        [{ findings: [{ ...ok, checkName: undefined }] }, ['findings.1.member.checkName', 'Member must not be null']],
        [{ findings: [{ ...ok, checkName: 'DEVICE_CERT_EXPIRING_CHECK' }] }, ['findings.1.member.checkName', 'API name of an audit check']],
        [{ findings: [ok, { ...ok, severity: 'SEVERE' }] }, ['findings.2.member.severity', 'enum value set: [CRITICAL, HIGH, MEDIUM, LOW]']],
        [{ findings: [{ ...ok, severity: undefined }] }, ['findings.1.member.severity', 'Member must not be null']],
        [{ findings: [{ ...ok, nonCompliantResource: undefined }] }, ['findings.1.member.nonCompliantResource', 'Member must not be null']],
        [{ findings: [{ ...ok, nonCompliantResource: { resourceType: 'THING', resourceIdentifier: { clientId: 'x' } } }] }, ['findings.1.member.nonCompliantResource.resourceType', 'enum value set']],
        [{ findings: [{ ...ok, nonCompliantResource: { resourceType: 'CLIENT_ID' } }] }, ['findings.1.member.nonCompliantResource.resourceIdentifier', 'Member must not be null']],
        [{ findings: [{ ...ok, nonCompliantResource: { resourceType: 'CLIENT_ID', resourceIdentifier: {} } }] }, ['findings.1.member.nonCompliantResource.resourceIdentifier', 'at least one member']],
        [{ findings: [{ ...ok, nonCompliantResource: { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '12' } } }] }, ['findings.1.member.nonCompliantResource.resourceIdentifier.account']],
        [{ findings: [{ ...ok, nonCompliantResource: { resourceType: 'CLIENT_ID', resourceIdentifier: { clientId: 'x' }, additionalInfo: { k: 5 } } }] }, ['findings.1.member.nonCompliantResource.additionalInfo.k', 'Member must be a string']],
        [{ findings: [{ ...ok, findingId: 'has space' }] }, ['findings.1.member.findingId', 'regular expression pattern: [a-zA-Z0-9_-]+']],
        [{ findings: [{ ...ok, findingId: 'f'.repeat(129) }] }, ['findings.1.member.findingId', 'length less than or equal to 128']],
        [{ findings: [{ ...ok, isSuppressed: 'yes' }] }, ['findings.1.member.isSuppressed', 'Member must be a boolean']],
        [{ findings: [{ ...ok, relatedResources: { resourceType: 'CLIENT_ID' } }] }, ['findings.1.member.relatedResources', 'Member must be a list']],
        [{ findings: [{ ...ok, relatedResources: [{ resourceType: 'NOPE' }] }] }, ['findings.1.member.relatedResources.1.member.resourceType']],
        [{ findings: [ok, 'finding'] }, ['findings.2.member', 'structure']],
        [{ taskId: 'audit_1', findings: [ok] }, ["at 'taskId'", 'regular expression pattern']],
        [{ taskId: 'a'.repeat(41), findings: [ok] }, ["at 'taskId'", 'length less than or equal to 40']],
        [{ findings: [] }, ["at 'findings'", 'length greater than or equal to 1']],
        [{ findings: ok }, ["at 'findings'", 'Member must be a list']],
        [{ taskId: 'x' }, ["at 'findings'", 'Member must not be null']],
        [[ok], ['body', 'JSON object']],
        ['{"findings": [', ['not valid JSON']],
      ];
      for (const [body, fragments] of cases) assertInvalid(await post(server.url, '/_warden/audit-findings', body), ...fragments);
      // Several bad entries: each is named, with the total count.
      assertInvalid(await post(server.url, '/_warden/audit-findings', { findings: [ok, { ...ok, severity: 'X' }, { ...ok, checkName: 'Y' }] }), '2 validation errors', 'findings.2.member.severity', 'findings.3.member.checkName');
      assert.deepEqual(await everything(), []);
    });

    test('the injection endpoint requires a SigV4 signature', async () => {
      const r = await raw(server.url, { method: 'POST', path: '/_warden/audit-findings', body: JSON.stringify({ findings: [certFinding('c')] }), unsigned: true });
      assert.equal(r.status, 403);
      assert.equal(r.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    });

    test('findings belong to the account and region that injected them', async () => {
      await reset(server.url);
      const mine = await injectFindings(server.url, { taskId: 'shared-name', findings: [{ ...certFinding('c1'), findingId: 'same-id' }] });
      const eu = iot(server.url, undefined, 'eu-west-1');
      const other = iot(server.url, OTHER);
      try {
        for (const c of [eu, other]) {
          await assertFails(c.send(new DescribeAuditFindingCommand({ findingId: 'same-id' })), 'ResourceNotFoundException', 404);
          assert.deepEqual(await all({ taskId: 'shared-name' }, c), []);
        }
        // The same finding id and task id are free in another scope.
        const theirs = await injectFindings(server.url, { taskId: 'shared-name', findings: [{ ...policyFinding('p'), findingId: 'same-id' }] }, { creds: OTHER });
        assert.equal(theirs.taskId, 'shared-name');
        assert.equal((await other.send(new DescribeAuditFindingCommand({ findingId: 'same-id' }))).finding!.checkName, 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK');
        assert.equal((await client.send(new DescribeAuditFindingCommand({ findingId: 'same-id' }))).finding!.checkName, 'DEVICE_CERTIFICATE_EXPIRING_CHECK');
        await injectFindings(server.url, { findings: [certFinding('c9')] }, { region: 'eu-west-1' });
        assert.deepEqual((await all({ taskId: 'shared-name' })).map((f) => f.findingId), mine.findingIds);
      } finally {
        eu.destroy();
        other.destroy();
      }
    });

    test('ListAuditFindings: taskId or a time window, never both or neither', async () => {
      const now = Date.now();
      const window = { startTime: new Date(now - 60_000), endTime: new Date(now) };
      await assertFails(client.send(new ListAuditFindingsCommand({ taskId: 't1', ...window })), 'InvalidRequestException', 400, /not both/);
      await assertFails(client.send(new ListAuditFindingsCommand({})), 'InvalidRequestException', 400, /taskId or startTime and endTime/);
      await assertFails(client.send(new ListAuditFindingsCommand({ checkName: 'LOGGING_DISABLED_CHECK' })), 'InvalidRequestException', 400, /taskId or startTime/);
      await assertFails(client.send(new ListAuditFindingsCommand({ startTime: window.startTime })), 'InvalidRequestException', 400, /endTime is required/);
      await assertFails(client.send(new ListAuditFindingsCommand({ endTime: window.endTime })), 'InvalidRequestException', 400, /startTime is required/);
      await assertFails(client.send(new ListAuditFindingsCommand({ startTime: window.endTime, endTime: window.startTime })), 'InvalidRequestException', 400, /startTime must not be after endTime/);
      await assertFails(client.send(new ListAuditFindingsCommand({ taskId: 'bad_id' })), 'InvalidRequestException', 400, /taskId/);
      await assertFails(client.send(new ListAuditFindingsCommand({ taskId: 't1', maxResults: 251 })), 'InvalidRequestException', 400, /maxResults/);
    });

    test('ListAuditFindings filters: check, resource (any key order), suppressed, time window', async () => {
      await reset(server.url);
      const t0 = Date.now();
      const a = await injectFindings(server.url, {
        taskId: 'audit-one',
        findings: [
          { ...certFinding('cert-1'), findingId: 'a1' },
          { ...certFinding('cert-2', { isSuppressed: true }), findingId: 'a2' },
          { ...policyFinding('pol', '3'), findingId: 'a3' },
          { ...policyFinding('pol', '4', { isSuppressed: true }), findingId: 'a4' },
        ],
      });
      await sleep(50);
      const t1 = Date.now();
      await sleep(5);
      await injectFindings(server.url, { findings: [{ ...certFinding('cert-1'), findingId: 'b1' }] });
      const t2 = Date.now();
      const ids = (fs: { findingId?: string }[]) => fs.map((f) => f.findingId);

      assert.deepEqual(ids(await all({ taskId: a.taskId })), ['a1', 'a2', 'a3', 'a4'], 'check name, then finding id');
      assert.deepEqual(ids(await all({ taskId: a.taskId, checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK' })), ['a3', 'a4']);
      assert.deepEqual(ids(await all({ taskId: a.taskId, checkName: 'LOGGING_DISABLED_CHECK' })), []);
      // AWS: absent lists both; true only suppressed; false only unsuppressed.
      assert.deepEqual(ids(await all({ taskId: a.taskId, listSuppressedFindings: true })), ['a2', 'a4']);
      assert.deepEqual(ids(await all({ taskId: a.taskId, listSuppressedFindings: false })), ['a1', 'a3']);
      const pol3 = { policyVersionIdentifier: { policyVersionId: '3', policyName: 'pol' } };
      assert.deepEqual(ids(await all({ taskId: a.taskId, resourceIdentifier: pol3 })), ['a3']);
      assert.deepEqual(ids(await all({ taskId: a.taskId, resourceIdentifier: { deviceCertificateId: certId('cert-2') } })), ['a2']);
      assert.deepEqual(ids(await all({ taskId: 'no-such-task' })), []);

      const window = (from: number, to: number, extra: ListAuditFindingsCommandInput = {}) => all({ startTime: new Date(from), endTime: new Date(to), ...extra });
      const newestFirst = ids(await window(t0 - 1000, t2 + 1000));
      assert.equal(newestFirst[0], 'b1', 'the newest finding comes first');
      assert.deepEqual(newestFirst.slice(1).sort(), ['a1', 'a2', 'a3', 'a4']);
      assert.deepEqual(ids(await window(t1, t2 + 1000)), ['b1']);
      assert.deepEqual((ids(await window(t0 - 1000, t1)) as string[]).sort(), ['a1', 'a2', 'a3', 'a4']);
      assert.deepEqual(ids(await window(t0 - 1000, t2 + 1000, { resourceIdentifier: { deviceCertificateId: certId('cert-1') } })), ['b1', 'a1']);
      assert.deepEqual(ids(await window(t0 - 1000, t2 + 1000, { checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', listSuppressedFindings: false })), ['b1', 'a1']);
      assert.deepEqual(ids(await window(t2 + 1000, t2 + 5000)), []);
    });

    test('ListAuditFindings pages: maxResults, opaque tokens, stable while findings are added', async () => {
      await reset(server.url);
      const findings = Array.from({ length: 7 }, (_, i) => ({ ...certFinding(`cert-${i}`), findingId: `f${i}` }));
      await injectFindings(server.url, { taskId: 'paged', findings });
      const p1 = await client.send(new ListAuditFindingsCommand({ taskId: 'paged', maxResults: 3 }));
      assert.deepEqual(p1.findings!.map((f) => f.findingId), ['f0', 'f1', 'f2']);
      assert.ok(p1.nextToken);
      // Findings added before the current position do not shift the next page.
      await injectFindings(server.url, { taskId: 'paged', findings: [{ ...certFinding('x'), findingId: 'e0' }, { ...certFinding('y'), findingId: 'f9' }] });
      const p2 = await client.send(new ListAuditFindingsCommand({ taskId: 'paged', maxResults: 3, nextToken: p1.nextToken }));
      assert.deepEqual(p2.findings!.map((f) => f.findingId), ['f3', 'f4', 'f5']);
      const p3 = await client.send(new ListAuditFindingsCommand({ taskId: 'paged', maxResults: 3, nextToken: p2.nextToken }));
      assert.deepEqual(p3.findings!.map((f) => f.findingId), ['f6', 'f9']);
      assert.equal(p3.nextToken, undefined);
      // Default page size is 25.
      await injectFindings(server.url, { taskId: 'big', findings: Array.from({ length: 30 }, (_, i) => certFinding(`c${i}`)) });
      const d = await client.send(new ListAuditFindingsCommand({ taskId: 'big' }));
      assert.equal(d.findings!.length, 25);
      assert.ok(d.nextToken);
      // A token of another list, or garbage, is refused.
      await assertFails(client.send(new ListAuditFindingsCommand({ taskId: 'paged', nextToken: 'not-a-token' })), 'InvalidRequestException', 400, /nextToken/);
      const timeToken = (await client.send(new ListAuditFindingsCommand({ startTime: new Date(0), endTime: new Date(Date.now() + 60_000), maxResults: 1 }))).nextToken;
      assert.ok(timeToken);
      await assertFails(client.send(new ListAuditFindingsCommand({ taskId: 'paged', nextToken: timeToken })), 'InvalidRequestException', 400, /nextToken/);
    });
  });
}
