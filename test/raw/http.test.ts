import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LATEST_VERSION } from '../../src/store/migrations/index.js';
import { raw, reset, ROLE, startServer, type RawResponse, type Running } from '../harness.js';

function isAwsError(r: RawResponse, status: number, name: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('x-amzn-errortype'), name, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.ok(r.headers.get('x-amzn-requestid'), 'every response has a request id');
  assert.equal(typeof r.json?.message, 'string', r.text);
}

const create = (url: string, name: string, body: unknown, extra: Partial<Parameters<typeof raw>[1]> = {}) =>
  raw(url, { method: 'POST', path: `/mitigationactions/actions/${name}`, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });
const describeAction = (url: string, name: string) => raw(url, { method: 'GET', path: `/mitigationactions/actions/${name}` });
const good = { roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } };

describe('raw signed HTTP: what SDKs will not send', () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => server?.cleanup());

  test('a good request: 200, JSON, epoch-second timestamps, request id', async () => {
    await reset(server.url);
    const r = await create(server.url, 'ok', good);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.headers.get('x-amzn-requestid'));
    const d = await describeAction(server.url, 'ok');
    assert.equal(typeof d.json.creationDate, 'number');
    assert.ok(Math.abs(d.json.creationDate - Date.now() / 1000) < 60);
    assert.equal(d.json.actionType, 'UPDATE_DEVICE_CERTIFICATE');
  });

  test('malformed JSON, a non-object body and wrong types answer InvalidRequestException and store nothing', async () => {
    await reset(server.url);
    const cases: [unknown, RegExp][] = [
      ['{"roleArn": "arn:aws:iam::0000', /not valid JSON/],
      ['"just a string"', /must be a JSON object/],
      ['[1, 2, 3]', /must be a JSON object/],
      [{ ...good, roleArn: 12345678901234567890 }, /at 'roleArn' failed to satisfy constraint: Member must be a string/],
      [{ ...good, actionParams: [] }, /at 'actionParams' failed to satisfy constraint: Member must be a structure/],
      [{ roleArn: ROLE, actionParams: { addThingsToThingGroupParams: { thingGroupNames: 'q' } } }, /at 'actionParams.addThingsToThingGroupParams.thingGroupNames' failed to satisfy constraint: Member must be a list/],
      [{ roleArn: ROLE, actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['q'], overrideDynamicGroups: 'yes' } } }, /overrideDynamicGroups' failed to satisfy constraint: Member must be a boolean/],
    ];
    for (const [body, message] of cases) {
      const r = await create(server.url, 'bad', body);
      isAwsError(r, 400, 'InvalidRequestException');
      assert.match(r.json.message, message);
    }
    isAwsError(await describeAction(server.url, 'bad'), 404, 'ResourceNotFoundException');
  });

  test('missing required members, length, pattern and enum are each named', async () => {
    const missing = await create(server.url, 'bad', {});
    isAwsError(missing, 400, 'InvalidRequestException');
    assert.match(missing.json.message, /^2 validation errors detected: /);
    assert.match(missing.json.message, /Value null at 'roleArn' failed to satisfy constraint: Member must not be null/);
    assert.match(missing.json.message, /Value null at 'actionParams' failed to satisfy constraint: Member must not be null/);
    const short = await create(server.url, 'bad', { ...good, roleArn: 'arn:short' });
    assert.match(short.json.message, /Value 'arn:short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/);
    const pattern = await create(server.url, 'bad%20name', good);
    isAwsError(pattern, 400, 'InvalidRequestException');
    assert.match(pattern.json.message, /Value 'bad name' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_-\]\+/);
    const long = await create(server.url, 'x'.repeat(129), good);
    assert.match(long.json.message, /at 'actionName' failed to satisfy constraint: Member must have length less than or equal to 128/);
    const enumBad = await create(server.url, 'bad', { roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'ACTIVATE' } } });
    assert.match(enumBad.json.message, /Value 'ACTIVATE' at 'actionParams.updateDeviceCertificateParams.action' failed to satisfy constraint: Member must satisfy enum value set: \[DEACTIVATE\]/);
    const tags = await create(server.url, 'bad', { ...good, tags: [{ Key: '', Value: 'v' }] });
    assert.match(tags.json.message, /at 'tags.1.member.Key' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    const page = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', query: { maxResults: 'lots' } });
    isAwsError(page, 400, 'InvalidRequestException');
    assert.match(page.json.message, /Value 'lots' at 'maxResults' failed to satisfy constraint: Member must be an integer/);
    const type = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', query: { actionType: 'DELETE_EVERYTHING' } });
    assert.match(type.json.message, /at 'actionType' failed to satisfy constraint: Member must satisfy enum value set/);
  });

  test('unknown body members are ignored', async () => {
    await reset(server.url);
    const r = await create(server.url, 'extra', { ...good, colour: 'blue', actionParams: { ...good.actionParams, note: 1 } });
    assert.equal(r.status, 200, r.text);
    const d = await describeAction(server.url, 'extra');
    assert.deepEqual(d.json.actionParams, good.actionParams);
  });

  test('a body over 1 MiB answers a clear 400', async () => {
    const big = JSON.stringify({ ...good, padding: 'x'.repeat(1024 * 1024) });
    const r = await create(server.url, 'big', big);
    isAwsError(r, 400, 'InvalidRequestException');
    assert.match(r.json.message, /larger than 1048576 bytes/);
    isAwsError(await describeAction(server.url, 'big'), 404, 'ResourceNotFoundException');
  });

  test('a failed update leaves the stored action as it was', async () => {
    await reset(server.url);
    await create(server.url, 'keep', good);
    const r = await raw(server.url, {
      method: 'PATCH',
      path: '/mitigationactions/actions/keep',
      body: JSON.stringify({ roleArn: ROLE, actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' }, updateCACertificateParams: { action: 'DEACTIVATE' } } }),
    });
    isAwsError(r, 400, 'InvalidRequestException');
    const d = await describeAction(server.url, 'keep');
    assert.deepEqual(d.json.actionParams, good.actionParams);
    assert.equal(d.json.lastModifiedDate, d.json.creationDate);
  });

  test('unknown paths answer a JSON 404; unimplemented operations a JSON 501 naming the operation', async () => {
    const nowhere = await raw(server.url, { method: 'GET', path: '/no/such/thing' });
    isAwsError(nowhere, 404, 'UnknownOperationException');
    assert.match(nowhere.json.message, /GET \/no\/such\/thing/);
    const wrongMethod = await raw(server.url, { method: 'DELETE', path: '/mitigationactions/actions' });
    isAwsError(wrongMethod, 404, 'UnknownOperationException');
    const later = await raw(server.url, { method: 'GET', path: '/jobs/job1' });
    isAwsError(later, 501, 'NotImplementedException');
    assert.match(later.json.message, /DescribeJob/);
  });

  test('authentication failures: missing, unknown key, wrong secret, expired, other service', async () => {
    const missing = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', unsigned: true });
    isAwsError(missing, 403, 'MissingAuthenticationTokenException');
    const unknown = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', creds: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'test' } });
    isAwsError(unknown, 403, 'UnrecognizedClientException');
    const wrong = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', creds: { accessKeyId: 'test', secretAccessKey: 'wrong' } });
    isAwsError(wrong, 403, 'InvalidSignatureException');
    assert.match(wrong.json.message, /signature we calculated does not match/);
    const old = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', date: new Date(Date.now() - 20 * 60000) });
    isAwsError(old, 403, 'InvalidSignatureException');
    assert.match(old.json.message, /Signature expired/);
    const future = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', date: new Date(Date.now() + 20 * 60000) });
    isAwsError(future, 403, 'InvalidSignatureException');
    const s3 = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', service: 's3' });
    isAwsError(s3, 403, 'InvalidSignatureException');
    const within = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', date: new Date(Date.now() - 10 * 60000) });
    assert.equal(within.status, 200);
    const older = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', service: 'execute-api' });
    assert.equal(older.status, 200, 'the execute-api scope of older clients is accepted');
    const nowhereUnsigned = await raw(server.url, { method: 'GET', path: '/no/such/thing', unsigned: true });
    isAwsError(nowhereUnsigned, 403, 'MissingAuthenticationTokenException');
  });

  test('a label with bad percent-encoding answers 400', async () => {
    const r = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions/%E0%A4%A' });
    isAwsError(r, 400, 'InvalidRequestException');
  });

  test('malformed HTTP gets a JSON 400 and the server keeps serving', async () => {
    const u = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => s.write('THIS IS NOT HTTP\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1.1 400/);
    assert.match(reply, /x-amzn-errortype: InvalidRequestException/);
    assert.equal((await fetch(`${server.url}/_warden/health`)).status, 200);
  });

  test('/metrics counts requests by operation and status', async () => {
    await describeAction(server.url, 'metered-missing');
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /warden_requests_total\{operation="DescribeMitigationAction",status="404"\} \d+/);
    assert.match(text, /warden_request_duration_seconds_bucket\{le="0.005",operation="DescribeMitigationAction"\} \d+/);
  });

  test('health and version', async () => {
    const h = await (await fetch(`${server.url}/_warden/health`)).json();
    assert.deepEqual(h, { status: 'ok', database: 'ok', backend: 'sqlite' });
    const v = await (await fetch(`${server.url}/_warden/version`)).json();
    assert.equal(v.name, 'warden');
    assert.equal(v.apiVersion, '2015-05-28');
    assert.equal(v.schemaVersion, LATEST_VERSION);
    const r = await fetch(`${server.url}/_warden/nothing`);
    assert.equal(r.status, 404);
  });
});

describe('reset is off unless asked for', () => {
  let server: Running;
  before(async () => {
    server = await startServer({ noReset: true });
  });
  after(async () => server?.cleanup());

  test('POST /_warden/reset answers 403 and wipes nothing', async () => {
    await create(server.url, 'stays', good);
    const r = await fetch(`${server.url}/_warden/reset`, { method: 'POST' });
    assert.equal(r.status, 403);
    assert.match((await r.json()).message, /--enable-reset/);
    assert.equal((await describeAction(server.url, 'stays')).status, 200);
  });
});
