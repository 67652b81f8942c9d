import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetLoggingOptionsCommand, GetV2LoggingOptionsCommand, IoTServiceException, SetLoggingOptionsCommand, SetV2LoggingOptionsCommand } from '@aws-sdk/client-iot';
import { BACKENDS, DEFAULT_CREDS, iot, reset, startServer, type Running, failure } from '../harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/iot-logging';
const strip = <T extends { $metadata?: unknown }>(r: T): Omit<T, '$metadata'> => {
  const { $metadata: _, ...rest } = r;
  return rest;
};

for (const backend of BACKENDS) {
  describe(`logging options v1 and v2 through @aws-sdk/client-iot (${backend})`, () => {
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

    test('GetV2LoggingOptions before any set is NotConfiguredException (404); after a set it answers what was set', async () => {
      await reset(server.url);
      const e = await failure(client.send(new GetV2LoggingOptionsCommand({})));
      assert.equal(e.name, 'NotConfiguredException');
      assert.equal(e.$metadata.httpStatusCode, 404);
      await client.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'WARN' }));
      assert.deepEqual(strip(await client.send(new GetV2LoggingOptionsCommand({}))), { roleArn: ROLE, defaultLogLevel: 'WARN', disableAllLogs: false });
      const events = [{ eventType: 'Connect', logLevel: 'DEBUG' as const, logDestination: 'my/log-group' }];
      await client.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'ERROR', disableAllLogs: true, eventConfigurations: events }));
      assert.deepEqual(strip(await client.send(new GetV2LoggingOptionsCommand({}))), {
        roleArn: ROLE,
        defaultLogLevel: 'ERROR',
        disableAllLogs: true,
        eventConfigurations: events,
      });
      // Left out: roleArn/defaultLogLevel/disableAllLogs are replaced, eventConfigurations stays.
      await client.send(new SetV2LoggingOptionsCommand({ defaultLogLevel: 'INFO' }));
      assert.deepEqual(strip(await client.send(new GetV2LoggingOptionsCommand({}))), { defaultLogLevel: 'INFO', disableAllLogs: false, eventConfigurations: events });
    });

    test('v1 and v2 are separate settings, and each belongs to one region', async () => {
      await reset(server.url);
      assert.deepEqual(strip(await client.send(new GetLoggingOptionsCommand({}))), {}, 'v1 before any set: no members');
      await client.send(new SetLoggingOptionsCommand({ loggingOptionsPayload: { roleArn: ROLE, logLevel: 'DEBUG' } }));
      assert.deepEqual(strip(await client.send(new GetLoggingOptionsCommand({}))), { roleArn: ROLE, logLevel: 'DEBUG' });
      assert.equal((await failure(client.send(new GetV2LoggingOptionsCommand({})))).name, 'NotConfiguredException', 'setting v1 leaves v2 unset');
      await client.send(new SetV2LoggingOptionsCommand({ roleArn: ROLE, defaultLogLevel: 'DISABLED' }));
      assert.deepEqual(strip(await client.send(new GetLoggingOptionsCommand({}))), { roleArn: ROLE, logLevel: 'DEBUG' }, 'setting v2 leaves v1 alone');
      const west = iot(server.url, DEFAULT_CREDS, 'eu-west-1');
      try {
        assert.equal((await failure(west.send(new GetV2LoggingOptionsCommand({})))).name, 'NotConfiguredException');
        assert.deepEqual(strip(await west.send(new GetLoggingOptionsCommand({}))), {});
      } finally {
        west.destroy();
      }
      const bad = await failure(client.send(new SetV2LoggingOptionsCommand({ defaultLogLevel: 'LOUD' as never })));
      assert.equal(bad.name, 'InvalidRequestException');
    });
  });
}
