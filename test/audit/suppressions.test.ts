// Audit finding suppressions through the real SDK, both backends: create/describe/update/delete,
// their errors, listing order, filters and pages, expiry on the injected clock, and the
// activeSuppressions set the audit runner matches findings with.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAuditSuppressionCommand,
  DeleteAuditSuppressionCommand,
  DescribeAuditSuppressionCommand,
  ListAuditSuppressionsCommand,
  UpdateAuditSuppressionCommand,
  type AuditSuppression,
  type CreateAuditSuppressionCommandInput,
  type ListAuditSuppressionsCommandInput,
} from '@aws-sdk/client-iot';
import { activeSuppressions, suppressionKey } from '../../src/audit/suppressions.js';
import { assertFails, BACKENDS, iot } from '../harness.js';
import { inProcess, SCOPE, type InProcess } from './audit-config-helpers.js';

const DAY = 24 * 3600_000;
const CERT = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const cert = (n: number) => ({ deviceCertificateId: `${n}`.padStart(64, 'a') });

for (const backend of BACKENDS) {
  describe(`audit suppressions (${backend})`, () => {
    let w: InProcess;
    let t0: Date;
    before(async () => {
      w = await inProcess(backend);
      t0 = w.clock.now();
    });
    after(async () => w?.cleanup());

    const create = (input: Omit<CreateAuditSuppressionCommandInput, 'clientRequestToken'> & { clientRequestToken?: string }) =>
      w.client.send(new CreateAuditSuppressionCommand(input as CreateAuditSuppressionCommandInput));
    const describeOne = (checkName: string, resourceIdentifier: Record<string, unknown>) => w.client.send(new DescribeAuditSuppressionCommand({ checkName, resourceIdentifier }));
    const listAll = async (input: ListAuditSuppressionsCommandInput = {}, pageSize = 2): Promise<AuditSuppression[]> => {
      const out: AuditSuppression[] = [];
      let nextToken: string | undefined;
      do {
        const page = await w.client.send(new ListAuditSuppressionsCommand({ ...input, maxResults: pageSize, nextToken }));
        out.push(...page.suppressions!);
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    };

    test('create with an expiration date; describe returns it', async () => {
      const expirationDate = new Date(t0.getTime() + 7 * DAY);
      await create({ checkName: CERT, resourceIdentifier: cert(1), expirationDate, description: 'rotating next week', clientRequestToken: 'first-1' });
      const d = await describeOne(CERT, cert(1));
      assert.equal(d.checkName, CERT);
      assert.deepEqual(d.resourceIdentifier, cert(1));
      assert.equal(d.expirationDate?.getTime(), expirationDate.getTime());
      assert.equal(d.suppressIndefinitely, false);
      assert.equal(d.description, 'rotating next week');
    });

    test('a second suppression of the same check and resource is ResourceAlreadyExistsException; an identical retry succeeds', async () => {
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(1), suppressIndefinitely: true }), 'ResourceAlreadyExistsException', 409);
      const d = await describeOne(CERT, cert(1));
      // A retry carries the token that created it; the same request with a new token is a second suppression.
      await create({ checkName: CERT, resourceIdentifier: cert(1), expirationDate: d.expirationDate, description: 'rotating next week', clientRequestToken: 'first-1' });
      await assertFails(
        create({ checkName: CERT, resourceIdentifier: cert(1), expirationDate: d.expirationDate, description: 'rotating next week', clientRequestToken: 'other-1' }),
        'ResourceAlreadyExistsException',
        409,
      );
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(9), suppressIndefinitely: true, clientRequestToken: 'first-1' }), 'ResourceAlreadyExistsException', 409, /first-1/);
      // Another check on the same resource is another suppression.
      await create({ checkName: 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', resourceIdentifier: cert(1), suppressIndefinitely: true });
      assert.equal((await describeOne('DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', cert(1))).suppressIndefinitely, true);
    });

    test('bad requests: unknown check, empty identifier, both or neither end, a past date', async () => {
      const future = new Date(t0.getTime() + DAY);
      await assertFails(create({ checkName: 'NO_SUCH_CHECK', resourceIdentifier: cert(2), suppressIndefinitely: true }), 'InvalidRequestException', 400, /NO_SUCH_CHECK is not an audit check name/);
      await assertFails(create({ checkName: CERT, resourceIdentifier: {}, suppressIndefinitely: true }), 'InvalidRequestException', 400, /resourceIdentifier must set/);
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(2), suppressIndefinitely: true, expirationDate: future }), 'InvalidRequestException', 400, /not both/);
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(2) }), 'InvalidRequestException', 400, /Give expirationDate/);
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(2), suppressIndefinitely: false }), 'InvalidRequestException', 400, /Give expirationDate/);
      await assertFails(create({ checkName: CERT, resourceIdentifier: cert(2), expirationDate: new Date(t0.getTime() - DAY) }), 'InvalidRequestException', 400, /not in the future/);
      await assertFails(describeOne(CERT, cert(2)), 'ResourceNotFoundException', 404);
    });

    test('identifiers match whatever the member order', async () => {
      await create({ checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', resourceIdentifier: { policyVersionIdentifier: { policyName: 'p', policyVersionId: '1' } }, suppressIndefinitely: true });
      const d = await describeOne('IOT_POLICY_OVERLY_PERMISSIVE_CHECK', { policyVersionIdentifier: { policyVersionId: '1', policyName: 'p' } });
      assert.deepEqual(d.resourceIdentifier, { policyVersionIdentifier: { policyName: 'p', policyVersionId: '1' } });
      const keys = await activeSuppressions(w.server.store.repos, SCOPE, w.clock.now());
      assert.ok(keys.has(suppressionKey('IOT_POLICY_OVERLY_PERMISSIVE_CHECK', { policyVersionIdentifier: { policyVersionId: '1', policyName: 'p' } })));
      assert.ok(keys.has(`${CERT}\n{"deviceCertificateId":"${cert(1).deviceCertificateId}"}`));
      assert.ok(!keys.has(suppressionKey(CERT, cert(2))));
    });

    test('describe, update of a missing suppression: ResourceNotFoundException; delete of one succeeds', async () => {
      await assertFails(describeOne(CERT, cert(99)), 'ResourceNotFoundException', 404);
      await assertFails(w.client.send(new UpdateAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(99), suppressIndefinitely: true })), 'ResourceNotFoundException', 404);
      await w.client.send(new DeleteAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(99) }));
      await assertFails(w.client.send(new DeleteAuditSuppressionCommand({ checkName: 'NOPE_CHECK', resourceIdentifier: cert(99) })), 'InvalidRequestException', 400, /NOPE_CHECK/);
    });

    test('update: indefinite, then dated again; description kept unless given', async () => {
      const update = (input: Record<string, unknown>) => w.client.send(new UpdateAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(1), ...input }));
      await update({ suppressIndefinitely: true });
      let d = await describeOne(CERT, cert(1));
      assert.equal(d.suppressIndefinitely, true);
      assert.equal(d.expirationDate, undefined);
      assert.equal(d.description, 'rotating next week');

      await assertFails(update({ suppressIndefinitely: false }), 'InvalidRequestException', 400, /needs an expirationDate/);
      await assertFails(update({ suppressIndefinitely: true, expirationDate: new Date(t0.getTime() + DAY) }), 'InvalidRequestException', 400, /not both/);
      await assertFails(update({ expirationDate: new Date(t0.getTime() - 1000) }), 'InvalidRequestException', 400, /not in the future/);

      await update({ expirationDate: new Date(t0.getTime() + 3 * DAY), description: 'three days' });
      d = await describeOne(CERT, cert(1));
      assert.equal(d.suppressIndefinitely, false);
      assert.equal(d.expirationDate?.getTime(), t0.getTime() + 3 * DAY);
      assert.equal(d.description, 'three days');
    });

    test('list: by expiration date ascending (indefinite last) or descending; filters; stable pages', async () => {
      for (const [n, days] of [[10, 5], [11, 1], [12, 9]] as const) {
        await create({ checkName: CERT, resourceIdentifier: cert(n), expirationDate: new Date(t0.getTime() + days * DAY) });
      }
      // Suppressions now: cert1/CERT +3d, cert10 +5d, cert11 +1d, cert12 +9d; indefinite: cert1/KEY_QUALITY, the policy.
      const asc = await listAll();
      const dated = asc.filter((s) => !s.suppressIndefinitely);
      assert.deepEqual(
        dated.map((s) => s.resourceIdentifier!.deviceCertificateId),
        [cert(11), cert(1), cert(10), cert(12)].map((c) => c.deviceCertificateId),
      );
      assert.equal(asc.length, 6);
      assert.deepEqual(asc.slice(4).map((s) => s.suppressIndefinitely), [true, true]);
      assert.deepEqual(asc.slice(4).map((s) => s.checkName), ['DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK']);

      const desc = await listAll({ ascendingOrder: false }, 4);
      assert.deepEqual(desc, [...asc].reverse());

      const byCheck = await listAll({ checkName: CERT });
      assert.equal(byCheck.length, 4);
      assert.ok(byCheck.every((s) => s.checkName === CERT));
      const byResource = await listAll({ resourceIdentifier: cert(1) });
      assert.deepEqual(byResource.map((s) => s.checkName).sort(), [CERT, 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK']);
      assert.deepEqual(await listAll({ checkName: CERT, resourceIdentifier: cert(12) }), [asc.find((s) => s.resourceIdentifier!.deviceCertificateId === cert(12).deviceCertificateId)]);

      // A token of the ascending list does not continue the descending one.
      const first = await w.client.send(new ListAuditSuppressionsCommand({ maxResults: 1 }));
      assert.ok(first.nextToken);
      await assertFails(w.client.send(new ListAuditSuppressionsCommand({ ascendingOrder: false, nextToken: first.nextToken })), 'InvalidRequestException', 400, /nextToken/);
    });

    test('each region has its own suppressions', async () => {
      const other = iot(w.url, undefined, 'eu-central-1');
      try {
        assert.deepEqual((await other.send(new ListAuditSuppressionsCommand({}))).suppressions, []);
        await assertFails(other.send(new DescribeAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(1) })), 'ResourceNotFoundException', 404);
      } finally {
        other.destroy();
      }
    });

    test('an expired suppression is gone: not listed, not described, not active; it can be created again', async () => {
      w.clock.set(new Date(t0.getTime() + 4 * DAY)); // past cert11 (+1d) and cert1/CERT (+3d)
      await assertFails(describeOne(CERT, cert(11)), 'ResourceNotFoundException', 404);
      await assertFails(w.client.send(new UpdateAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(1), description: 'x' })), 'ResourceNotFoundException', 404);
      const listed = await listAll({ checkName: CERT });
      assert.deepEqual(listed.map((s) => s.resourceIdentifier!.deviceCertificateId), [cert(10), cert(12)].map((c) => c.deviceCertificateId));
      const keys = await activeSuppressions(w.server.store.repos, SCOPE, w.clock.now());
      assert.ok(!keys.has(suppressionKey(CERT, cert(11))));
      assert.ok(keys.has(suppressionKey(CERT, cert(10))));
      assert.equal(keys.size, 4);
      // At exactly the expiration date a suppression is no longer active.
      const at10 = (await describeOne(CERT, cert(10))).expirationDate!;
      assert.ok(!(await activeSuppressions(w.server.store.repos, SCOPE, at10)).has(suppressionKey(CERT, cert(10))));
      assert.ok((await activeSuppressions(w.server.store.repos, SCOPE, new Date(at10.getTime() - 1))).has(suppressionKey(CERT, cert(10))));

      await create({ checkName: CERT, resourceIdentifier: cert(11), suppressIndefinitely: true, description: 'again' });
      assert.equal((await describeOne(CERT, cert(11))).description, 'again');
    });

    test('delete removes a suppression from describe, list and the active set', async () => {
      await w.client.send(new DeleteAuditSuppressionCommand({ checkName: CERT, resourceIdentifier: cert(10) }));
      await assertFails(describeOne(CERT, cert(10)), 'ResourceNotFoundException', 404);
      assert.ok(!(await listAll()).some((s) => s.resourceIdentifier!.deviceCertificateId === cert(10).deviceCertificateId));
      assert.ok(!(await activeSuppressions(w.server.store.repos, SCOPE, w.clock.now())).has(suppressionKey(CERT, cert(10))));
    });
  });
}
