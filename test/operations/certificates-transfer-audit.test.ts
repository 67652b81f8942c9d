// A certificate PENDING_TRANSFER is still the source's and still audited ("ACTIVE or PENDING_TRANSFER"
// in AWS's check pages), end to end on both backends: an on-demand DEVICE_CERTIFICATE_EXPIRING_CHECK
// finds it in the source account and not in the target's; UPDATE_DEVICE_CERTIFICATE on that finding
// fails with INVALID_STATE_OF_RESOURCE (UpdateCertificate's state machine refuses a certificate pending
// transfer) and leaves it pending; once the transfer is cancelled the certificate is INACTIVE and no
// longer audited.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CancelCertificateTransferCommand,
  DescribeCertificateCommand,
  ListAuditFindingsCommand,
  ListAuditMitigationActionsExecutionsCommand,
  RegisterCertificateWithoutCACommand,
  StartAuditMitigationActionsTaskCommand,
  StartOnDemandAuditTaskCommand,
  TransferCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { BACKENDS, DEFAULT_CREDS, iot, startServer, type Running } from '../harness.js';
import { enableChecks, waitAuditTask } from '../audit/audit-config-helpers.js';
import { makeSelfSigned } from './certificates-helpers.js';
import { action, waitAudit } from './mitigation-helpers.js';

const DAY = 86_400_000;
const TARGET = '222222222222';
const BOB = { accessKeyId: 'AKIDBOB', secretAccessKey: 'bob-secret' };
const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-transfer-audit-'));
  writeFileSync(
    join(dir, 'credentials.yaml'),
    `credentials:\n  - accessKeyId: test\n    secretAccessKey: test\n    accountId: "000000000000"\n  - accessKeyId: ${BOB.accessKeyId}\n    secretAccessKey: ${BOB.secretAccessKey}\n    accountId: "${TARGET}"\n`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const backend of BACKENDS) {
  describe(`a certificate pending transfer in audits and mitigation (${backend})`, () => {
    let server: Running;
    let source: IoTClient;
    let target: IoTClient;
    before(async () => {
      server = await startServer({ backend, args: ['--credentials', join(dir, 'credentials.yaml')] });
      source = iot(server.url, DEFAULT_CREDS);
      target = iot(server.url, BOB);
    });
    after(async () => {
      source?.destroy();
      target?.destroy();
      await server?.cleanup();
    });

    /** An INACTIVE device certificate that expires in 10 days. */
    const expiring = async (): Promise<string> => {
      const pem = await makeSelfSigned({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 10 * DAY) });
      return (await source.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'INACTIVE' }))).certificateId!;
    };
    const audit = async (client: IoTClient) => {
      const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: [CHECK] }));
      const done = await waitAuditTask(client, taskId!);
      assert.equal(done.taskStatus, 'COMPLETED');
      const findings = (await client.send(new ListAuditFindingsCommand({ taskId }))).findings!;
      return { taskId: taskId!, details: done.auditDetails![CHECK], findings };
    };
    const status = async (certificateId: string) => (await source.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription!.status;

    test('found while pending, mitigation refused with INVALID_STATE_OF_RESOURCE, no longer audited once cancelled', async () => {
      const pendingId = await expiring();
      await expiring(); // INACTIVE and never transferred: not audited
      await source.send(new TransferCertificateCommand({ certificateId: pendingId, targetAwsAccount: TARGET }));
      assert.equal(await status(pendingId), 'PENDING_TRANSFER');
      await enableChecks(source, [CHECK]);
      await enableChecks(target, [CHECK], true, { roleArn: `arn:aws:iam::${TARGET}:role/warden-audit` });

      const first = await audit(source);
      assert.equal(first.details.checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.equal(first.details.totalResourcesCount, 1, 'the PENDING_TRANSFER certificate is audited, the INACTIVE one is not');
      assert.equal(first.findings.length, 1);
      const [finding] = first.findings;
      assert.deepEqual(finding.nonCompliantResource!.resourceIdentifier, { deviceCertificateId: pendingId });
      assert.equal(finding.reasonForNonComplianceCode, 'CERTIFICATE_APPROACHING_EXPIRATION');

      const theirs = await audit(target);
      assert.equal(theirs.details.checkRunStatus, 'COMPLETED_COMPLIANT');
      assert.equal(theirs.details.totalResourcesCount, 0, "the target's audit does not see a certificate it has not accepted");

      await action(source, 'deactivate', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await source.send(
        new StartAuditMitigationActionsTaskCommand({ taskId: `pending-${backend}`, target: { findingIds: [finding.findingId!] }, auditCheckToActionsMapping: { [CHECK]: ['deactivate'] } }),
      );
      const task = await waitAudit(source, `pending-${backend}`);
      assert.equal(task.taskStatistics![CHECK].failedFindingsCount, 1);
      const [execution] = (await source.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: `pending-${backend}`, findingId: finding.findingId }))).actionsExecutions!;
      assert.equal(execution.status, 'FAILED');
      assert.equal(execution.errorCode, 'INVALID_STATE_OF_RESOURCE');
      assert.match(execution.message!, /PENDING_TRANSFER/);
      assert.equal(await status(pendingId), 'PENDING_TRANSFER', 'the mitigation changed nothing');

      await source.send(new CancelCertificateTransferCommand({ certificateId: pendingId }));
      const after = await audit(source);
      assert.equal(after.details.checkRunStatus, 'COMPLETED_COMPLIANT');
      assert.equal(after.details.totalResourcesCount, 0);
      assert.deepEqual(after.findings, []);
    });
  });
}
