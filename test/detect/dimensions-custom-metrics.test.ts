// Dimensions and custom metrics through @aws-sdk/client-iot on both backends: create (the retry with
// the same clientRequestToken, conflicts, quotas, tags), describe, list (pages), update, delete
// (refused while a security profile uses them), and ListSecurityProfiles' dimensionName and
// metricName filters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateCustomMetricCommand,
  CreateDimensionCommand,
  CreateSecurityProfileCommand,
  DeleteCustomMetricCommand,
  DeleteDimensionCommand,
  DeleteSecurityProfileCommand,
  DescribeCustomMetricCommand,
  DescribeDimensionCommand,
  ListCustomMetricsCommand,
  ListDimensionsCommand,
  ListSecurityProfilesCommand,
  ListTagsForResourceCommand,
  UpdateCustomMetricCommand,
  UpdateDimensionCommand,
  UpdateSecurityProfileCommand,
  type Behavior,
} from '@aws-sdk/client-iot';
import { BACKENDS, iot, reset, startServer, type Running, assertFails as failure } from '../harness.js';
import { ACCOUNT } from './fixtures.js';

const dimensionArn = (name: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:dimension/${name}`;
const metricArn = (name: string) => `arn:aws:iot:us-east-1:${ACCOUNT}:custommetric/${name}`;

for (const backend of BACKENDS) {
  describe(`dimensions and custom metrics through @aws-sdk/client-iot (${backend})`, () => {
    let server: Running;
    let client: ReturnType<typeof iot>;
    const send = <T>(c: T) => client.send(c as never) as Promise<any>;
    const dimension = (name: string, stringValues = ['admin/#'], rest: object = {}) => send(new CreateDimensionCommand({ name, type: 'TOPIC_FILTER', stringValues, ...rest }));
    const metric = (metricName: string, metricType = 'number', rest: object = {}) => send(new CreateCustomMetricCommand({ metricName, metricType: metricType as never, ...rest }));
    const profiles = async (input: object) => (await send(new ListSecurityProfilesCommand(input))).securityProfileIdentifiers.map((p: any) => p.name);

    before(async () => {
      server = await startServer({ backend });
      client = iot(server.url);
    });
    after(async () => {
      client?.destroy();
      await server?.cleanup();
    });

    test('dimensions: create, describe, update, list, tags', async () => {
      await reset(server.url);
      const c = await dimension('admin', ['admin/#', 'ops/+/status'], { tags: [{ Key: 'team', Value: 'sec' }] });
      assert.deepEqual({ name: c.name, arn: c.arn }, { name: 'admin', arn: dimensionArn('admin') });
      const d = await send(new DescribeDimensionCommand({ name: 'admin' }));
      assert.deepEqual([d.name, d.arn, d.type, d.stringValues], ['admin', dimensionArn('admin'), 'TOPIC_FILTER', ['admin/#', 'ops/+/status']]);
      assert.ok(d.creationDate instanceof Date);
      assert.equal(d.lastModifiedDate.getTime(), d.creationDate.getTime());
      await new Promise((r) => setTimeout(r, 5));
      const u = await send(new UpdateDimensionCommand({ name: 'admin', stringValues: ['admin/+'] }));
      assert.deepEqual(u.stringValues, ['admin/+']);
      assert.ok(u.lastModifiedDate.getTime() > u.creationDate.getTime());
      assert.deepEqual((await send(new DescribeDimensionCommand({ name: 'admin' }))).stringValues, ['admin/+']);
      assert.deepEqual((await send(new ListTagsForResourceCommand({ resourceArn: dimensionArn('admin') }))).tags, [{ Key: 'team', Value: 'sec' }]);
      await failure(send(new DescribeDimensionCommand({ name: 'ghost' })), 'ResourceNotFoundException', 404, /Dimension ghost does not exist/);
      await failure(send(new UpdateDimensionCommand({ name: 'ghost', stringValues: ['a'] })), 'ResourceNotFoundException', 404);
      for (const n of ['c', 'B', 'b']) await dimension(n);
      const first = await send(new ListDimensionsCommand({ maxResults: 2 }));
      assert.deepEqual(first.dimensionNames, ['B', 'admin']);
      assert.deepEqual((await send(new ListDimensionsCommand({ nextToken: first.nextToken }))).dimensionNames, ['b', 'c']);
    });

    test('dimensions: values must be MQTT topic filters; the model requires 1 to 100 values and the type TOPIC_FILTER', async () => {
      await reset(server.url);
      for (const bad of ['admin/#/more', 'a/b#', 'a+/b']) {
        await failure(dimension('d', [bad]), 'InvalidRequestException', 400, new RegExp(`stringValues ${bad.replace(/[+#]/g, '\\$&')} is not an MQTT topic filter`));
      }
      await failure(dimension('d', []), 'InvalidRequestException', 400, /stringValues/);
      await failure(send(new CreateDimensionCommand({ name: 'd', type: 'OTHER' as never, stringValues: ['a'] })), 'InvalidRequestException', 400, /type/);
      assert.deepEqual((await send(new ListDimensionsCommand({}))).dimensionNames, []);
      await dimension('d', ['#', '+', 'a/+/#']);
      await failure(send(new UpdateDimensionCommand({ name: 'd', stringValues: ['#/a'] })), 'InvalidRequestException', 400, /not an MQTT topic filter/);
      assert.deepEqual((await send(new DescribeDimensionCommand({ name: 'd' }))).stringValues, ['#', '+', 'a/+/#']);
    });

    test('dimensions: the same token and contents answer the dimension; anything else conflicts; at most 10', async () => {
      await reset(server.url);
      await dimension('d', ['a/#'], { clientRequestToken: 'tok-1' });
      assert.equal((await dimension('d', ['a/#'], { clientRequestToken: 'tok-1' })).arn, dimensionArn('d'));
      await failure(dimension('d', ['b/#'], { clientRequestToken: 'tok-1' }), 'ResourceAlreadyExistsException', 409, /Dimension d already exists/);
      await failure(dimension('d', ['a/#']), 'ResourceAlreadyExistsException', 409, /Dimension d already exists/);
      await failure(dimension('e', ['a/#'], { clientRequestToken: 'tok-1' }), 'ResourceAlreadyExistsException', 409, /tok-1 was used to create dimension d/);
      for (let i = 0; i < 9; i++) await dimension(`n${i}`);
      await failure(dimension('eleventh'), 'LimitExceededException', 410, /at most 10/);
      assert.equal((await send(new ListDimensionsCommand({}))).dimensionNames.length, 10);
    });

    test('custom metrics: create, describe, update the display name, list, tags; aws: names are reserved', async () => {
      await reset(server.url);
      const c = await metric('batteryPercentage', 'number', { displayName: 'Remaining battery percentage.', tags: [{ Key: 'k', Value: 'v' }] });
      assert.deepEqual({ n: c.metricName, a: c.metricArn }, { n: 'batteryPercentage', a: metricArn('batteryPercentage') });
      const d = await send(new DescribeCustomMetricCommand({ metricName: 'batteryPercentage' }));
      assert.deepEqual([d.metricName, d.metricArn, d.metricType, d.displayName], ['batteryPercentage', metricArn('batteryPercentage'), 'number', 'Remaining battery percentage.']);
      await new Promise((r) => setTimeout(r, 5));
      const u = await send(new UpdateCustomMetricCommand({ metricName: 'batteryPercentage', displayName: 'remaining battery percentage on device' }));
      assert.equal(u.displayName, 'remaining battery percentage on device');
      assert.equal(u.metricType, 'number');
      assert.ok(u.lastModifiedDate.getTime() > u.creationDate.getTime());
      assert.equal((await send(new DescribeCustomMetricCommand({ metricName: 'batteryPercentage' }))).displayName, 'remaining battery percentage on device');
      assert.deepEqual((await send(new ListTagsForResourceCommand({ resourceArn: metricArn('batteryPercentage') }))).tags, [{ Key: 'k', Value: 'v' }]);
      for (const [n, t] of [['ssids', 'string-list'], ['peers', 'ip-address-list'], ['codes', 'number-list']]) await metric(n, t);
      assert.deepEqual((await send(new ListCustomMetricsCommand({}))).metricNames, ['batteryPercentage', 'codes', 'peers', 'ssids']);
      const first = await send(new ListCustomMetricsCommand({ maxResults: 3 }));
      assert.deepEqual((await send(new ListCustomMetricsCommand({ nextToken: first.nextToken }))).metricNames, ['ssids']);
      await failure(metric('aws:mine'), 'InvalidRequestException', 400, /metricName aws:mine begins with aws:/);
      await failure(metric('x', 'boolean'), 'InvalidRequestException', 400, /metricType/);
      await failure(send(new DescribeCustomMetricCommand({ metricName: 'ghost' })), 'ResourceNotFoundException', 404, /Custom metric ghost does not exist/);
      await failure(send(new UpdateCustomMetricCommand({ metricName: 'ghost', displayName: 'x' })), 'ResourceNotFoundException', 404);
    });

    test('custom metrics: the same token and contents answer the metric; anything else conflicts; at most 100', async () => {
      await reset(server.url);
      await metric('m', 'number', { clientRequestToken: 'tok-1' });
      assert.equal((await metric('m', 'number', { clientRequestToken: 'tok-1' })).metricArn, metricArn('m'));
      await failure(metric('m', 'number', { clientRequestToken: 'tok-2' }), 'ResourceAlreadyExistsException', 409, /Custom metric m already exists/);
      await failure(metric('m', 'string-list', { clientRequestToken: 'tok-1' }), 'ResourceAlreadyExistsException', 409);
      await failure(metric('n', 'number', { clientRequestToken: 'tok-1' }), 'ResourceAlreadyExistsException', 409, /tok-1 was used to create custom metric m/);
      assert.deepEqual((await send(new ListCustomMetricsCommand({}))).metricNames, ['m']);
      for (let i = 1; i < 100; i++) await metric(`m${String(i).padStart(2, '0')}`);
      await failure(metric('one-more'), 'LimitExceededException', 410, /at most 100/);
      await failure(send(new DescribeCustomMetricCommand({ metricName: 'one-more' })), 'ResourceNotFoundException', 404);
    });

    test('ListSecurityProfiles filters: dimensionName and metricName (behaviors and retained metrics), not both at once', async () => {
      await reset(server.url);
      await dimension('admin');
      await metric('battery');
      const onAdmin: Behavior = { name: 'admin-in', metric: 'aws:num-messages-received', metricDimension: { dimensionName: 'admin' } };
      const onBattery: Behavior = { name: 'low', metric: 'battery', criteria: { comparisonOperator: 'less-than', value: { number: 20 } } };
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'p-dim', behaviors: [onAdmin] }));
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'p-metric', behaviors: [onBattery] }));
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'p-retain', additionalMetricsToRetainV2: [{ metric: 'battery' }, { metric: 'aws:message-byte-size', metricDimension: { dimensionName: 'admin' } }] }));
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'p-none' }));
      assert.deepEqual(await profiles({ dimensionName: 'admin' }), ['p-dim', 'p-retain']);
      assert.deepEqual(await profiles({ metricName: 'battery' }), ['p-metric', 'p-retain']);
      assert.deepEqual(await profiles({ metricName: 'aws:num-messages-received' }), ['p-dim']);
      assert.deepEqual(await profiles({ dimensionName: 'other' }), []);
      const page = await send(new ListSecurityProfilesCommand({ metricName: 'battery', maxResults: 1 }));
      assert.deepEqual((await send(new ListSecurityProfilesCommand({ metricName: 'battery', nextToken: page.nextToken }))).securityProfileIdentifiers.map((p: any) => p.name), ['p-retain']);
      await failure(send(new ListSecurityProfilesCommand({ dimensionName: 'admin', nextToken: page.nextToken })), 'InvalidRequestException', 400);
      await failure(send(new ListSecurityProfilesCommand({ dimensionName: 'admin', metricName: 'battery' })), 'InvalidRequestException', 400, /dimensionName and metricName cannot be used in the same request/);
      // An update rewrites what the profile uses.
      await send(new UpdateSecurityProfileCommand({ securityProfileName: 'p-retain', deleteAdditionalMetricsToRetain: true }));
      assert.deepEqual(await profiles({ dimensionName: 'admin' }), ['p-dim']);
      assert.deepEqual(await profiles({ metricName: 'battery' }), ['p-metric']);
    });

    test('delete: refused with InvalidRequestException while a profile uses it; allowed once no profile does; a missing one succeeds', async () => {
      await reset(server.url);
      await dimension('admin', ['admin/#'], { tags: [{ Key: 'a', Value: 'b' }] });
      await metric('battery', 'number', { tags: [{ Key: 'a', Value: 'b' }] });
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'p', behaviors: [{ name: 'admin-in', metric: 'aws:num-messages-received', metricDimension: { dimensionName: 'admin' } }] }));
      await send(new CreateSecurityProfileCommand({ securityProfileName: 'q', additionalMetricsToRetainV2: [{ metric: 'battery' }] }));
      await failure(send(new DeleteDimensionCommand({ name: 'admin' })), 'InvalidRequestException', 400, /Dimension admin is used by security profile p/);
      await failure(send(new DeleteCustomMetricCommand({ metricName: 'battery' })), 'InvalidRequestException', 400, /Custom metric battery is used by security profile q/);
      assert.ok(await send(new DescribeDimensionCommand({ name: 'admin' })));
      assert.ok(await send(new DescribeCustomMetricCommand({ metricName: 'battery' })));
      await send(new UpdateSecurityProfileCommand({ securityProfileName: 'p', deleteBehaviors: true }));
      await send(new DeleteSecurityProfileCommand({ securityProfileName: 'q' }));
      await send(new DeleteDimensionCommand({ name: 'admin' }));
      await send(new DeleteCustomMetricCommand({ metricName: 'battery' }));
      await failure(send(new DescribeDimensionCommand({ name: 'admin' })), 'ResourceNotFoundException', 404);
      await failure(send(new DescribeCustomMetricCommand({ metricName: 'battery' })), 'ResourceNotFoundException', 404);
      await failure(send(new ListTagsForResourceCommand({ resourceArn: dimensionArn('admin') })), 'ResourceNotFoundException', 404);
      await send(new DeleteDimensionCommand({ name: 'admin' }));
      await send(new DeleteCustomMetricCommand({ metricName: 'battery' }));
      // Created again, they have no tags of their old selves.
      await dimension('admin');
      assert.deepEqual((await send(new ListTagsForResourceCommand({ resourceArn: dimensionArn('admin') }))).tags, []);
    });
  });
}
