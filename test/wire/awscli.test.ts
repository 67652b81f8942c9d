// Mitigation-action CRUD through both AWS CLIs of the image:
//   aws           pyenv, AWS CLI v1 1.45 (botocore 1.43)
//   /usr/bin/aws  Debian, AWS CLI v2 2.9.19
// Observed differences the tests pin down: on a service error v1 exits 255 and v2 exits 254;
// with --output json v1 prints timestamps as epoch seconds and v2 as ISO-8601 strings.
// Bulk setup (30 actions) uses signed raw requests.
//
// The commands run through each CLI's own script in one long-lived Python process per CLI
// (./cli-runner.ts), a new driver per command, not as a process each (a second of start-up apiece);
// ./cli-runner.test.ts runs a sample both ways and requires the same exit code, stdout and stderr.
// The two CLIs run side by side, each against a server of its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { raw, reset, ROLE, startServer, type Running } from '../harness.js';
import { awsIot } from './aws-iot.js';
import { runCli, stopCliRunners } from './cli-runner.js';
import { actionArn, clientEnv, UUID } from './env.js';

const CLIS = [
  { name: 'AWS CLI v1 (pyenv aws)', cmd: 'aws', version: /^aws-cli\/1\./, errorExit: 255, isoTimestamps: false },
  { name: 'AWS CLI v2 (Debian /usr/bin/aws)', cmd: '/usr/bin/aws', version: /^aws-cli\/2\./, errorExit: 254, isoTimestamps: true },
];

const ROLE2 = 'arn:aws:iam::000000000000:role/warden-mitigation-2';
const GROUP_PARAMS = { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: true } };
const LOGGING_PARAMS = { enableIoTLoggingParams: { roleArnForLogging: 'arn:aws:iam::000000000000:role/logging', logLevel: 'WARN' } };
const CERT_PARAMS = { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
const CA_PARAMS = { updateCACertificateParams: { action: 'DEACTIVATE' } };


after(() => stopCliRunners());

// Both CLIs at once (a Python process each), each against a server of its own; each CLI's tests in order.
describe('both AWS CLIs side by side', { concurrency: true }, () => {
  for (const cli of CLIS) {
    describe(cli.name, { concurrency: 1 }, () => {
      let server: Running;

      before(async () => {
        server = await startServer({ backend: 'sqlite' });
      });

      after(async () => {
        await server?.cleanup();
      });

      const { aws, ok, fails } = awsIot(cli, () => server.url);

      const create = (name: string, params: object, role = ROLE, region?: string) =>
        ok(['create-mitigation-action', '--action-name', name, '--role-arn', role, '--action-params', JSON.stringify(params)], region);

      /** The CLI's rendering of a timestamp, as epoch seconds. */
      const seconds = (t: unknown): number => {
        if (cli.isoTimestamps) {
          assert.equal(typeof t, 'string', `expected an ISO timestamp, got ${JSON.stringify(t)}`);
          assert.match(t as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
          return Date.parse(t as string) / 1000;
        }
        assert.equal(typeof t, 'number', `expected epoch seconds, got ${JSON.stringify(t)}`);
        return t as number;
      };

      test('is the intended CLI version', async () => {
        const r = await runCli(cli.cmd, ['--version'], { env: clientEnv() });
        assert.equal(r.code, 0);
        assert.match((r.stdout + r.stderr).trim(), cli.version);
      });

      test('create, then describe with every field', async () => {
        const from = Date.now() / 1000;
        const c = await create('cli-group', GROUP_PARAMS);
        assert.deepEqual(Object.keys(c).sort(), ['actionArn', 'actionId']);
        assert.equal(c.actionArn, actionArn('cli-group'));
        assert.match(c.actionId, UUID);

        const d = await ok(['describe-mitigation-action', '--action-name', 'cli-group']);
        assert.equal(d.actionName, 'cli-group');
        assert.equal(d.actionType, 'ADD_THINGS_TO_THING_GROUP');
        assert.equal(d.actionArn, c.actionArn);
        assert.equal(d.actionId, c.actionId);
        assert.equal(d.roleArn, ROLE);
        assert.deepEqual(d.actionParams, GROUP_PARAMS);
        const created = seconds(d.creationDate);
        assert.ok(created >= from - 5 && created <= Date.now() / 1000 + 5, `creationDate ${created} is not now`);
        assert.equal(seconds(d.lastModifiedDate), created);

        const l = await create('cli-logging', LOGGING_PARAMS);
        const dl = await ok(['describe-mitigation-action', '--action-name', 'cli-logging']);
        assert.equal(dl.actionType, 'ENABLE_IOT_LOGGING');
        assert.equal(dl.actionId, l.actionId);
        assert.deepEqual(dl.actionParams, LOGGING_PARAMS);
      });

      test('re-create: identical is idempotent, different is ResourceAlreadyExistsException', async () => {
        const first = await create('cli-dup', CERT_PARAMS);
        const again = await create('cli-dup', CERT_PARAMS);
        assert.deepEqual(again, first, 'same actionArn and actionId');
        const msg = await fails(
          ['create-mitigation-action', '--action-name', 'cli-dup', '--role-arn', ROLE, '--action-params', JSON.stringify(CA_PARAMS)],
          'ResourceAlreadyExistsException',
          'CreateMitigationAction',
        );
        assert.match(msg, /cli-dup/);
      });

      test('update roleArn, then actionParams to another type', async () => {
        const c = await create('cli-update', CERT_PARAMS);
        const u = await ok(['update-mitigation-action', '--action-name', 'cli-update', '--role-arn', ROLE2]);
        assert.deepEqual(u, c, 'update answers the same actionArn and actionId');
        let d = await ok(['describe-mitigation-action', '--action-name', 'cli-update']);
        assert.equal(d.roleArn, ROLE2);
        assert.deepEqual(d.actionParams, CERT_PARAMS);
        assert.ok(seconds(d.lastModifiedDate) > seconds(d.creationDate), 'lastModifiedDate moved on');

        await ok(['update-mitigation-action', '--action-name', 'cli-update', '--action-params', JSON.stringify(CA_PARAMS)]);
        d = await ok(['describe-mitigation-action', '--action-name', 'cli-update']);
        assert.equal(d.actionType, 'UPDATE_CA_CERTIFICATE');
        assert.deepEqual(d.actionParams, CA_PARAMS);
        assert.equal(d.roleArn, ROLE2);

        const msg = await fails(['update-mitigation-action', '--action-name', 'cli-nope', '--role-arn', ROLE2], 'ResourceNotFoundException', 'UpdateMitigationAction');
        assert.match(msg, /cli-nope/);
      });

      test('delete: existing, then missing, both succeed silently', async () => {
        await create('cli-delete', CERT_PARAMS);
        for (let i = 0; i < 2; i++) {
          const r = await aws(['delete-mitigation-action', '--action-name', 'cli-delete']);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout.trim(), '');
        }
        await fails(['describe-mitigation-action', '--action-name', 'cli-delete'], 'ResourceNotFoundException', 'DescribeMitigationAction');
      });

      test('errors: missing, two params, bad name, maxResults 300, unimplemented', async () => {
        const [missing, two, badName, maxResults, notImpl] = await Promise.all([
          fails(['describe-mitigation-action', '--action-name', 'cli-missing'], 'ResourceNotFoundException', 'DescribeMitigationAction'),
          fails(
            ['create-mitigation-action', '--action-name', 'cli-two', '--role-arn', ROLE, '--action-params', JSON.stringify({ ...CERT_PARAMS, ...CA_PARAMS })],
            'InvalidRequestException',
            'CreateMitigationAction',
          ),
          fails(
            ['create-mitigation-action', '--action-name', 'bad!name', '--role-arn', ROLE, '--action-params', JSON.stringify(CERT_PARAMS)],
            'InvalidRequestException',
            'CreateMitigationAction',
          ),
          // Neither CLI checks the model's maximum itself, so 300 reaches the server.
          fails(['list-mitigation-actions', '--max-results', '300'], 'InvalidRequestException', 'ListMitigationActions'),
          fails(['list-jobs'], 'NotImplementedException', 'ListJobs'),
        ]);
        assert.match(missing, /cli-missing/);
        assert.match(two, /actionParams/);
        assert.match(two, /updateDeviceCertificateParams, updateCACertificateParams/);
        assert.equal(
          badName,
          "1 validation error detected: Value 'bad!name' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
        );
        assert.equal(
          maxResults,
          "1 validation error detected: Value 300 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 250",
        );
        assert.match(notImpl, /ListJobs/);
        const stored = await ok(['list-mitigation-actions']);
        assert.ok(!stored.actionIdentifiers.some((a: any) => a.actionName === 'cli-two' || a.actionName === 'bad!name'), 'failed creates store nothing');
      });

      test('regions: an us-east-1 action is invisible in eu-west-1; ARNs carry the region', async () => {
        const us = await create('cli-region', CERT_PARAMS);
        assert.equal(us.actionArn, actionArn('cli-region', 'us-east-1'));
        const msg = await fails(['describe-mitigation-action', '--action-name', 'cli-region'], 'ResourceNotFoundException', 'DescribeMitigationAction', 'eu-west-1');
        assert.match(msg, /cli-region/);
        const eu = await create('cli-region', CA_PARAMS, ROLE, 'eu-west-1');
        assert.equal(eu.actionArn, actionArn('cli-region', 'eu-west-1'));
        assert.notEqual(eu.actionId, us.actionId);
        const d = await ok(['describe-mitigation-action', '--action-name', 'cli-region'], 'eu-west-1');
        assert.equal(d.actionType, 'UPDATE_CA_CERTIFICATE');
        const listed = await ok(['list-mitigation-actions'], 'eu-west-1');
        assert.deepEqual(listed.actionIdentifiers.map((a: any) => a.actionArn), [actionArn('cli-region', 'eu-west-1')]);
        const back = await ok(['describe-mitigation-action', '--action-name', 'cli-region']);
        assert.equal(back.actionId, us.actionId, 'us-east-1 keeps its own action');
        assert.equal(back.actionType, 'UPDATE_DEVICE_CERTIFICATE');
      });

      test('list: 30 actions, the CLI follows nextToken; --no-paginate, --max-items, --page-size, --action-type', async () => {
        await reset(server.url);
        const expected: string[] = [];
        // Created out of name order; every third one is a CA action.
        for (const i of [...Array(30).keys()].reverse()) {
          const name = `cli-list-${String(i).padStart(2, '0')}`;
          expected.unshift(name);
          const body = JSON.stringify({ roleArn: ROLE, actionParams: i % 3 === 0 ? CA_PARAMS : CERT_PARAMS });
          const r = await raw(server.url, { method: 'POST', path: `/mitigationactions/actions/${name}`, body });
          assert.equal(r.status, 200, r.text);
        }
        const namesOf = (out: any): string[] => out.actionIdentifiers.map((a: any) => a.actionName);

        const all = await ok(['list-mitigation-actions']);
        assert.deepEqual(namesOf(all), expected, 'all 30 in name order over two pages of the default 25');
        assert.equal(all.NextToken, undefined);
        for (const a of all.actionIdentifiers) {
          assert.equal(a.actionArn, actionArn(a.actionName));
          seconds(a.creationDate);
        }

        const firstPage = await ok(['list-mitigation-actions', '--no-paginate']);
        assert.deepEqual(namesOf(firstPage), expected.slice(0, 25), 'the default page is 25');
        assert.equal(typeof firstPage.nextToken, 'string');

        const head = await ok(['list-mitigation-actions', '--max-items', '10']);
        assert.deepEqual(namesOf(head), expected.slice(0, 10));
        assert.equal(typeof head.NextToken, 'string');
        const rest = await ok(['list-mitigation-actions', '--starting-token', head.NextToken]);
        assert.deepEqual(namesOf(rest), expected.slice(10));
        assert.equal(rest.NextToken, undefined);

        const small = await ok(['list-mitigation-actions', '--page-size', '7']);
        assert.deepEqual(namesOf(small), expected);

        const ca = await ok(['list-mitigation-actions', '--action-type', 'UPDATE_CA_CERTIFICATE', '--page-size', '4']);
        assert.deepEqual(namesOf(ca), expected.filter((_, i) => i % 3 === 0));
      });
    });
  }
});
