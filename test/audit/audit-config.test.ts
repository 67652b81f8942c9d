// DescribeAccountAuditConfiguration, UpdateAccountAuditConfiguration and
// DeleteAccountAuditConfiguration through the real SDK, both backends; readAuditConfiguration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateScheduledAuditCommand,
  DeleteAccountAuditConfigurationCommand,
  DescribeAccountAuditConfigurationCommand,
  ListRelatedResourcesForAuditFindingCommand,
  ListScheduledAuditsCommand,
  type RelatedResource,
  UpdateAccountAuditConfigurationCommand,
  type UpdateAccountAuditConfigurationCommandInput,
} from '@aws-sdk/client-iot';
import { CHECK_NAMES } from '../../src/audit/checks.js';
import { readAuditConfiguration } from '../../src/audit/configuration.js';
import { assertFails, BACKENDS, iot } from '../harness.js';
import { injectFindings } from '../operations/findings-helpers.js';
import { AUDIT_ROLE, enableChecks, inProcess, SCOPE, type InProcess } from './audit-config-helpers.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:audit-results';
const SNS_ROLE = 'arn:aws:iam::000000000000:role/warden-audit-sns';

for (const backend of BACKENDS) {
  describe(`account audit configuration (${backend})`, () => {
    let w: InProcess;
    before(async () => {
      w = await inProcess(backend);
    });
    after(async () => w?.cleanup());

    const describeConfig = () => w.client.send(new DescribeAccountAuditConfigurationCommand({}));
    const update = (input: UpdateAccountAuditConfigurationCommandInput) => w.client.send(new UpdateAccountAuditConfigurationCommand(input));

    test('before any update: every known check, all disabled, no role and no notification target', async () => {
      const d = await describeConfig();
      assert.deepEqual(Object.keys(d.auditCheckConfigurations!).sort(), [...CHECK_NAMES].sort());
      assert.equal(CHECK_NAMES.length, 17);
      for (const [name, c] of Object.entries(d.auditCheckConfigurations!)) assert.equal(c.enabled, false, name);
      assert.equal(d.roleArn, undefined);
      assert.equal(d.auditNotificationTargetConfigurations, undefined);
      const cfg = await readAuditConfiguration(w.server.store.repos, SCOPE);
      assert.equal(cfg.checks.DEVICE_CERTIFICATE_AGE_CHECK.enabled, false);
      assert.deepEqual(cfg.checks.DEVICE_CERTIFICATE_AGE_CHECK.configuration, { CERT_AGE_THRESHOLD_IN_DAYS: '365' });
    });

    test('the first update must enable at least one check', async () => {
      await assertFails(update({ roleArn: AUDIT_ROLE }), 'InvalidRequestException', 400, /auditCheckConfigurations is required/);
      await assertFails(update({ auditCheckConfigurations: { LOGGING_DISABLED_CHECK: { enabled: false } } }), 'InvalidRequestException', 400, /at least one check/);
      assert.equal((await describeConfig()).auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, false);
    });

    test('an unknown check name is InvalidRequestException naming it; nothing is stored', async () => {
      await assertFails(
        update({ auditCheckConfigurations: { LOGGING_DISABLED_CHECK: { enabled: true }, NO_SUCH_CHECK: { enabled: true } } }),
        'InvalidRequestException',
        400,
        /NO_SUCH_CHECK is not an audit check name/,
      );
      // A legacy name (2019 docs) is not an API name either.
      await assertFails(update({ auditCheckConfigurations: { REVOKED_DEVICE_CERT_CHECK: { enabled: true } } }), 'InvalidRequestException', 400, /REVOKED_DEVICE_CERT_CHECK/);
      assert.equal((await describeConfig()).auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, false);
    });

    test('check configuration: each setting only on its check, whole days in range', async () => {
      const bad: [Record<string, { enabled: boolean; configuration: Record<string, string> }>, RegExp][] = [
        [{ DEVICE_CERTIFICATE_EXPIRING_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '365' } } }, /CERT_AGE_THRESHOLD_IN_DAYS does not apply to DEVICE_CERTIFICATE_EXPIRING_CHECK/],
        [{ LOGGING_DISABLED_CHECK: { enabled: true, configuration: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '30' } } }, /takes no configuration/],
        [{ DEVICE_CERTIFICATE_AGE_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '29' } } }, /from 30 to 3652; got '29'/],
        [{ DEVICE_CERTIFICATE_AGE_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '3653' } } }, /from 30 to 3652/],
        [{ DEVICE_CERTIFICATE_AGE_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '1e3' } } }, /whole number/],
        [{ DEVICE_CERTIFICATE_EXPIRING_CHECK: { enabled: true, configuration: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '0' } } }, /from 1 to 3652/],
      ];
      for (const [auditCheckConfigurations, message] of bad) {
        await assertFails(update({ roleArn: AUDIT_ROLE, auditCheckConfigurations }), 'InvalidRequestException', 400, message);
      }
    });

    test('an update stores checks, settings, role and SNS target; Describe shows them', async () => {
      await update({
        roleArn: AUDIT_ROLE,
        auditNotificationTargetConfigurations: { SNS: { targetArn: TOPIC, roleArn: SNS_ROLE, enabled: true } },
        auditCheckConfigurations: {
          LOGGING_DISABLED_CHECK: { enabled: true },
          DEVICE_CERTIFICATE_AGE_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '30' } },
          DEVICE_CERTIFICATE_EXPIRING_CHECK: { enabled: true, configuration: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '3652' } },
          IOT_POLICY_OVERLY_PERMISSIVE_CHECK: { enabled: true },
        },
      });
      const d = await describeConfig();
      assert.equal(d.roleArn, AUDIT_ROLE);
      assert.deepEqual(d.auditNotificationTargetConfigurations, { SNS: { targetArn: TOPIC, roleArn: SNS_ROLE, enabled: true } });
      assert.deepEqual(d.auditCheckConfigurations!.DEVICE_CERTIFICATE_AGE_CHECK, { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '30' } });
      assert.deepEqual(d.auditCheckConfigurations!.LOGGING_DISABLED_CHECK, { enabled: true });
      assert.equal(d.auditCheckConfigurations!.CA_CERTIFICATE_EXPIRING_CHECK.enabled, false);
      assert.equal(Object.keys(d.auditCheckConfigurations!).length, CHECK_NAMES.length);

      const cfg = await readAuditConfiguration(w.server.store.repos, SCOPE);
      assert.equal(cfg.roleArn, AUDIT_ROLE);
      assert.deepEqual(cfg.notification, { targetArn: TOPIC, roleArn: SNS_ROLE, enabled: true });
      assert.deepEqual(cfg.checks.DEVICE_CERTIFICATE_EXPIRING_CHECK, { enabled: true, configuration: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '3652' } });
      assert.deepEqual(cfg.checks.LOGGING_DISABLED_CHECK, { enabled: true, configuration: {} });
    });

    test('updates merge per check: unnamed checks keep their state, omitted members keep theirs', async () => {
      // Only the age check's setting: it stays enabled; the others are untouched.
      await update({ auditCheckConfigurations: { DEVICE_CERTIFICATE_AGE_CHECK: { configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '400' } } } });
      let d = await describeConfig();
      assert.deepEqual(d.auditCheckConfigurations!.DEVICE_CERTIFICATE_AGE_CHECK, { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '400' } });
      assert.equal(d.auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, true);
      assert.equal(d.roleArn, AUDIT_ROLE);
      // Disabling one check keeps its setting; an SNS update of one member keeps the others.
      await update({
        auditCheckConfigurations: { DEVICE_CERTIFICATE_AGE_CHECK: { enabled: false }, CA_CERTIFICATE_EXPIRING_CHECK: { enabled: true } },
        auditNotificationTargetConfigurations: { SNS: { enabled: false } },
      });
      d = await describeConfig();
      assert.deepEqual(d.auditCheckConfigurations!.DEVICE_CERTIFICATE_AGE_CHECK, { enabled: false, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '400' } });
      assert.equal(d.auditCheckConfigurations!.CA_CERTIFICATE_EXPIRING_CHECK.enabled, true);
      assert.equal(d.auditCheckConfigurations!.IOT_POLICY_OVERLY_PERMISSIVE_CHECK.enabled, true);
      assert.deepEqual(d.auditNotificationTargetConfigurations, { SNS: { targetArn: TOPIC, roleArn: SNS_ROLE, enabled: false } });
      const cfg = await readAuditConfiguration(w.server.store.repos, SCOPE);
      assert.equal(cfg.notification?.enabled, false);
    });

    test('SNS target rules: a topic ARN, and both ARNs to be enabled', async () => {
      await assertFails(
        update({ auditNotificationTargetConfigurations: { SNS: { targetArn: 'arn:aws:sqs:us-east-1:000000000000:q', roleArn: SNS_ROLE, enabled: true } } }),
        'InvalidRequestException',
        400,
        /targetArn .* is not an SNS topic ARN/,
      );
      const other = iot(w.url, undefined, 'ap-south-1');
      try {
        await assertFails(
          other.send(
            new UpdateAccountAuditConfigurationCommand({
              auditCheckConfigurations: { LOGGING_DISABLED_CHECK: { enabled: true } },
              auditNotificationTargetConfigurations: { SNS: { targetArn: TOPIC, enabled: true } },
            }),
          ),
          'InvalidRequestException',
          400,
          /needs a targetArn and a roleArn/,
        );
      } finally {
        other.destroy();
      }
    });

    test('each region has its own configuration', async () => {
      const other = iot(w.url, undefined, 'eu-west-1');
      try {
        const d = await other.send(new DescribeAccountAuditConfigurationCommand({}));
        assert.equal(d.auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, false);
        assert.equal(d.roleArn, undefined);
      } finally {
        other.destroy();
      }
      assert.equal((await describeConfig()).auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, true);
    });

    test('a check used by a scheduled audit cannot be disabled', async () => {
      await w.client.send(new CreateScheduledAuditCommand({ scheduledAuditName: 'nightly', frequency: 'DAILY', targetCheckNames: ['LOGGING_DISABLED_CHECK'] }));
      await assertFails(
        update({ auditCheckConfigurations: { LOGGING_DISABLED_CHECK: { enabled: false } } }),
        'InvalidRequestException',
        400,
        /LOGGING_DISABLED_CHECK cannot be disabled: the scheduled audit\(s\) nightly use it/,
      );
      assert.equal((await describeConfig()).auditCheckConfigurations!.LOGGING_DISABLED_CHECK.enabled, true);
    });

    test('delete: refused while scheduled audits exist unless deleteScheduledAudits; then all defaults; again is ResourceNotFound', async () => {
      await assertFails(w.client.send(new DeleteAccountAuditConfigurationCommand({})), 'InvalidRequestException', 400, /scheduled audits \(nightly\).*deleteScheduledAudits/);
      await assertFails(w.client.send(new DeleteAccountAuditConfigurationCommand({ deleteScheduledAudits: false })), 'InvalidRequestException', 400, /deleteScheduledAudits/);
      assert.equal((await describeConfig()).roleArn, AUDIT_ROLE);

      await w.client.send(new DeleteAccountAuditConfigurationCommand({ deleteScheduledAudits: true }));
      assert.deepEqual((await w.client.send(new ListScheduledAuditsCommand({}))).scheduledAudits, []);
      const d = await describeConfig();
      assert.equal(d.roleArn, undefined);
      assert.equal(d.auditNotificationTargetConfigurations, undefined);
      for (const c of Object.values(d.auditCheckConfigurations!)) assert.equal(c.enabled, false);
      await assertFails(w.client.send(new DeleteAccountAuditConfigurationCommand({})), 'ResourceNotFoundException', 404);

      // Configured again, the first-update rule applies again; the age threshold is back to its default.
      await assertFails(update({ roleArn: AUDIT_ROLE }), 'InvalidRequestException', 400, /required/);
      await enableChecks(w.client, ['DEVICE_CERTIFICATE_AGE_CHECK']);
      const cfg = await readAuditConfiguration(w.server.store.repos, SCOPE);
      assert.deepEqual(cfg.checks.DEVICE_CERTIFICATE_AGE_CHECK, { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '365' } });
      // Without deleteScheduledAudits and with none scheduled, delete works.
      await w.client.send(new DeleteAccountAuditConfigurationCommand({}));
    });
  });
}

for (const backend of BACKENDS) {
  describe(`ListRelatedResourcesForAuditFinding (${backend})`, () => {
    let w: InProcess;
    const clients = Array.from({ length: 30 }, (_, i) => ({
      resourceType: 'CLIENT_ID',
      resourceIdentifier: { clientId: `device-${String(i).padStart(2, '0')}` },
      additionalInfo: { CONNECTION_TIME: String(1_700_000_000_000 + i), DISCONNECTION_TIME: String(1_700_000_060_000 + i) },
    }));
    let shared: string;
    let lonely: string;
    before(async () => {
      w = await inProcess(backend);
      const r = await injectFindings(w.url, {
        findings: [
          {
            checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
            severity: 'CRITICAL',
            nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'a'.repeat(64) } },
            relatedResources: clients,
            reasonForNonCompliance: 'Certificate shared by one or more devices.',
            reasonForNonComplianceCode: 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES',
          },
          {
            checkName: 'LOGGING_DISABLED_CHECK',
            severity: 'LOW',
            nonCompliantResource: { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '000000000000' } },
          },
        ],
      });
      [shared, lonely] = r.findingIds;
    });
    after(async () => w?.cleanup());

    test("the finding's related resources in order, 25 by default, then the rest", async () => {
      const first = await w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: shared }));
      assert.equal(first.relatedResources!.length, 25);
      assert.ok(first.nextToken);
      const second = await w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: shared, nextToken: first.nextToken }));
      assert.equal(second.nextToken, undefined);
      assert.deepEqual([...first.relatedResources!, ...second.relatedResources!], clients);
    });

    test('pages of maxResults cover the list exactly once', async () => {
      const all: RelatedResource[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: shared, maxResults: 7, nextToken }));
        all.push(...page.relatedResources!);
        nextToken = page.nextToken;
        pages += 1;
      } while (nextToken);
      assert.equal(pages, 5);
      assert.deepEqual(all.map((r) => r.resourceIdentifier!.clientId), clients.map((c) => c.resourceIdentifier.clientId));
    });

    test('a finding without related resources: an empty list', async () => {
      const r = await w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: lonely }));
      assert.deepEqual(r.relatedResources, []);
      assert.equal(r.nextToken, undefined);
    });

    test("unknown finding: ResourceNotFoundException; another finding's token: InvalidRequestException", async () => {
      await assertFails(w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: 'no-such-finding' })), 'ResourceNotFoundException', 404);
      const first = await w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: shared, maxResults: 1 }));
      await assertFails(
        w.client.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: lonely, nextToken: first.nextToken })),
        'InvalidRequestException',
        400,
        /another finding/,
      );
      // Another region does not see the finding.
      const other = iot(w.url, undefined, 'eu-west-1');
      try {
        await assertFails(other.send(new ListRelatedResourcesForAuditFindingCommand({ findingId: shared })), 'ResourceNotFoundException', 404);
      } finally {
        other.destroy();
      }
    });
  });
}
