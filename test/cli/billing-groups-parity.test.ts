// Parity for billing groups: the same command lines through Debian's AWS CLI v2 (/usr/bin/aws) and
// through `warden iot`, against one server; stdout and exit codes must be identical (generated ids and
// dates replaced where two creations differ). Built as test/cli/parity.test.ts is: the AWS CLI through
// test/wire/cli-runner.ts, `warden iot` in this process through iotMain.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reset, startServer, type Running } from '../harness.js';
import { stopCliRunners } from '../wire/cli-runner.js';
import { parityClis } from './parity-helpers.js';

let server: Running;
const { same, createBoth, bothOn } = parityClis(() => server.url);

const describeGroup = (n: string) => ['describe-billing-group', '--billing-group-name', n];

before(async () => {
  server = await startServer({ backend: 'sqlite' });
  await reset(server.url);
});

after(async () => {
  stopCliRunners();
  await server?.cleanup();
});

describe('billing groups: warden iot and aws iot print the same', () => {
  test('create (shorthand properties with a comma, --tags) and describe', async () => {
    await createBoth('bg', (n) => ['create-billing-group', '--billing-group-name', n, '--billing-group-properties', 'billingGroupDescription="floor 7, east"', '--tags', 'Key=cc,Value=7'], describeGroup);
    await createBoth('bg-json', (n) => ['create-billing-group', '--billing-group-name', n, '--billing-group-properties', '{"billingGroupDescription":"json"}'], describeGroup);
    await createBoth('bg-bare', (n) => ['create-billing-group', '--billing-group-name', n], describeGroup);
    await same(['list-tags-for-resource', '--resource-arn', 'arn:aws:iot:us-east-1:000000000000:billinggroup/bg-aws']);
  });

  test('list with every output, a prefix, pages and --max-items', async () => {
    for (const output of ['json', 'text', 'table', 'yaml']) await same(['list-billing-groups', '--output', output]);
    await same(['list-billing-groups', '--name-prefix-filter', 'bg-j']);
    await same(['list-billing-groups', '--page-size', '1', '--query', 'billingGroups[].groupName', '--output', 'text']);
    await same(['list-billing-groups', '--max-items', '2']);
    await same(['describe-billing-group', '--billing-group-name', 'bg-aws', '--query', '{v: version, d: billingGroupProperties.billingGroupDescription}', '--output', 'table']);
  });

  test('update, things in a group, errors', async () => {
    await bothOn('bg', (n) => ['update-billing-group', '--billing-group-name', n, '--billing-group-properties', 'billingGroupDescription=renamed', '--expected-version', '1']);
    await createBoth('bthing', (n) => ['create-thing', '--thing-name', n, '--billing-group-name', 'bg-aws'], (n) => ['describe-thing', '--thing-name', n]);
    await bothOn('bthing', (n) => ['add-thing-to-billing-group', '--thing-name', n, '--billing-group-name', 'bg-json-aws']);
    for (const output of ['json', 'text', 'table']) {
      const r = await same(['list-things-in-billing-group', '--billing-group-name', 'bg-json-aws', '--output', output]);
      assert.match(r.stdout, /bthing-aws/);
    }
    const missing = await same(['describe-billing-group', '--billing-group-name', 'no-such-group'], 254);
    assert.match(missing.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeBillingGroup operation: /);
    await same(['update-billing-group', '--billing-group-name', 'bg-aws', '--billing-group-properties', 'billingGroupDescription=x', '--expected-version', '1'], 254);
    await same(['create-billing-group', '--billing-group-name', 'no spaces'], 254);
    await same(['update-billing-group', '--billing-group-name', 'bg-aws'], 252);
  });
});
