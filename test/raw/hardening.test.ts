// What a probe of the running server found, each answered: bounded metric labels, signed and
// account-scoped SNS messages, Host and Origin checks on /_warden/ (DNS rebinding, cross-site
// reset), no UNSIGNED-PAYLOAD, no repeated Authorization or Host, a depth limit on JSON bodies and
// dynamic-group queries, timestamps in range.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_CREDS, raw, snsMessages, startServer, type Running } from '../harness.js';
import { MAX_JSON_DEPTH } from '../../src/api/parse.js';
import { MAX_QUERY_NESTING } from '../../src/registry/fleet-query.js';
import { action, certFinding, injectFindings, waitAudit } from '../operations/mitigation-helpers.js';
import { iot } from '../harness.js';
import { StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';

/** A request with exactly the headers given (Host included), through node:http. */
function http1(url: string, o: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; type?: string; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: o.method, path: o.path, headers: o.headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['x-amzn-errortype'] as string | undefined, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Writes bytes on a fresh socket and answers what comes back before the server closes it. */
function socketExchange(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(bytes));
    let got = '';
    s.on('data', (c) => (got += c));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy());
  });
}

async function signedHeaders(url: string, method: string, path: string, body: string): Promise<Record<string, string>> {
  const u = new URL(url);
  const req = new HttpRequest({ method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, headers: { host: u.host, 'content-type': 'application/json' }, body });
  const signer = new SignatureV4({ credentials: DEFAULT_CREDS, region: 'us-east-1', service: 'iot', sha256: Hash.bind(null, 'sha256') });
  return (await signer.sign(req)).headers;
}

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

let server: Running;
before(async () => {
  server = await startServer({ backend: 'sqlite', args: ['--allowed-host', 'warden.test'] });
});
after(async () => {
  await server?.cleanup();
});

describe('metrics', () => {
  test('unknown /_warden/ paths share one label: /metrics stays small however many arrive', async () => {
    const size = async () => (await (await fetch(`${server.url}/metrics`)).text()).length;
    const before = await size();
    for (let i = 0; i < 300; i++) await fetch(`${server.url}/_warden/${'x'.repeat(500)}${i}`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /operation="warden:unmatched",status="404"\} 300/);
    assert.ok(!text.includes('x'.repeat(500)), 'a request path became a label');
    assert.ok(text.length - before < 5000, `grew by ${text.length - before} bytes`);
  });
});

describe('GET /_warden/sns/messages', () => {
  test('is signed and answers only the caller\'s account and region', async () => {
    const unsigned = await fetch(`${server.url}/_warden/sns/messages`);
    assert.equal(unsigned.status, 403);
    const client = iot(server.url);
    await action(client, 'hard-publish', { publishFindingToSnsParams: { topicArn: 'arn:aws:sns:us-east-1:000000000000:hard' } });
    const { taskId: auditTaskId } = await injectFindings(server.url, { findings: [certFinding('a'.repeat(64))] });
    await client.send(new StartAuditMitigationActionsTaskCommand({ taskId: 'hard-task', target: { auditTaskId }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['hard-publish'] } }));
    await waitAudit(client, 'hard-task');
    const mine = await snsMessages(server.url);
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.json.messages.length, 1);
    const elsewhere = await snsMessages(server.url, '', { region: 'eu-west-1' });
    assert.deepEqual(elsewhere.json, { messages: [] });
  });

  test('--open-sns-messages answers unsigned, across accounts', async () => {
    const open = await startServer({ backend: 'sqlite', args: ['--open-sns-messages'] });
    try {
      const r = await fetch(`${open.url}/_warden/sns/messages`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { messages: [] });
    } finally {
      await open.cleanup();
    }
  });
});

describe('Host and Origin on /_warden/', () => {
  const host = () => new URL(server.url).host;

  test('a cross-site reset (text/plain, foreign Origin and Host) is refused and wipes nothing', async () => {
    const r = await http1(server.url, { method: 'POST', path: '/_warden/reset', headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(r.status, 403);
    assert.equal(r.type, 'AccessDeniedException');
    assert.match(r.json.message, /Host 'evil.example' is not one of this server's names/);
  });

  test('reset from our own Host still needs a signature or content-type application/json', async () => {
    const plain = await http1(server.url, { method: 'POST', path: '/_warden/reset', headers: { host: host(), 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(plain.status, 403);
    assert.match(plain.json.message, /Reset needs a SigV4-signed request or content-type: application\/json/);
    const foreignOrigin = await http1(server.url, { method: 'POST', path: '/_warden/reset', headers: { host: host(), origin: 'https://evil.example', 'content-type': 'application/json' } });
    assert.equal(foreignOrigin.status, 403);
    assert.match(foreignOrigin.json.message, /web origin 'https:\/\/evil.example' are refused/);
    const json = await http1(server.url, { method: 'POST', path: '/_warden/reset', headers: { host: host(), 'content-type': 'application/json' } });
    assert.equal(json.status, 200);
    const signed = await raw(server.url, { method: 'POST', path: '/_warden/reset', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(signed.status, 200, signed.text);
  });

  test('every /_warden/ endpoint checks Host and Origin; names given with --allowed-host pass', async () => {
    for (const path of ['/_warden/health', '/_warden/version', '/_warden/sns/messages']) {
      assert.equal((await http1(server.url, { method: 'GET', path, headers: { host: 'rebound.example:4580' } })).status, 403, path);
    }
    const signedForeign = await http1(server.url, { method: 'POST', path: '/_warden/audit-findings', headers: { ...(await signedHeaders(server.url, 'POST', '/_warden/audit-findings', '{}')), origin: 'http://evil.example' }, body: '{}' });
    assert.equal(signedForeign.status, 403);
    assert.equal((await http1(server.url, { method: 'GET', path: '/_warden/health', headers: { host: 'warden.test:1234' } })).status, 200);
    assert.equal((await http1(server.url, { method: 'GET', path: '/_warden/health', headers: { host: host(), origin: `http://localhost:${new URL(server.url).port}` } })).status, 200);
    assert.equal((await http1(server.url, { method: 'GET', path: '/_warden/health', headers: { host: `[::1]:${new URL(server.url).port}` } })).status, 200);
  });
});

describe('signatures', () => {
  test('x-amz-content-sha256: UNSIGNED-PAYLOAD is refused', async () => {
    const r = await raw(server.url, { method: 'GET', path: '/mitigationactions/actions', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.match(r.json.message, /UNSIGNED-PAYLOAD is not accepted/);
  });

  test('a repeated Authorization or Host header is refused', async () => {
    const h = await signedHeaders(server.url, 'GET', '/mitigationactions/actions', '');
    const lines = Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const ok = await socketExchange(server.url, `GET /mitigationactions/actions HTTP/1.1\r\n${lines}connection: close\r\n\r\n`);
    assert.match(ok, /^HTTP\/1.1 200/);
    const twoAuth = await socketExchange(server.url, `GET /mitigationactions/actions HTTP/1.1\r\n${lines}authorization: AWS4-HMAC-SHA256 Credential=x\r\nconnection: close\r\n\r\n`);
    assert.match(twoAuth, /^HTTP\/1.1 400/);
    assert.match(twoAuth, /more than one authorization header/);
    const twoHost = await socketExchange(server.url, `GET /mitigationactions/actions HTTP/1.1\r\n${lines}host: other.example\r\nconnection: close\r\n\r\n`);
    assert.match(twoHost, /^HTTP\/1.1 400/);
  });
});

describe('depth limits', () => {
  test(`a JSON body nested deeper than ${MAX_JSON_DEPTH} levels is a 400 naming the limit, for the API and /_warden/`, async () => {
    const deep = `{"actionParams":${nested(4500)},"roleArn":"arn:aws:iam::000000000000:role/r"}`;
    const api = await raw(server.url, { method: 'POST', path: '/mitigationactions/actions/deep', body: deep });
    assert.equal(api.status, 400);
    assert.equal(api.headers.get('x-amzn-errortype'), 'InvalidRequestException');
    assert.match(api.json.message, /nests deeper than 64 levels/);
    for (const path of ['/_warden/audit-findings', '/_warden/violations', '/_warden/crls', '/_warden/iam-roles', '/_warden/connection-events']) {
      const r = await raw(server.url, { method: 'POST', path, body: `{"x":${nested(4500)}}` });
      assert.equal(r.status, 400, path);
      assert.match(r.json.message, /nests deeper than 64 levels/, path);
    }
    const shallow = await raw(server.url, { method: 'POST', path: '/mitigationactions/actions/shallow', body: `{"actionParams":${nested(MAX_JSON_DEPTH - 1)},"roleArn":"arn:aws:iam::000000000000:role/r"}` });
    assert.equal(shallow.status, 400);
    assert.match(shallow.json.message, /validation error/, 'just under the limit it is validated as usual');
  });

  test(`a dynamic-group query nested deeper than ${MAX_QUERY_NESTING} is InvalidQueryException`, async () => {
    const query = (n: number) => `${'('.repeat(n)}thingName:a${')'.repeat(n)}`;
    const deep = await raw(server.url, { method: 'POST', path: '/dynamic-thing-groups/deep', body: JSON.stringify({ queryString: query(5000) }) });
    assert.equal(deep.status, 400, deep.text);
    assert.equal(deep.headers.get('x-amzn-errortype'), 'InvalidQueryException');
    assert.match(deep.json.message, /nests parentheses or NOTs deeper than 64 levels/);
    const nots = await raw(server.url, { method: 'POST', path: '/dynamic-thing-groups/nots', body: JSON.stringify({ queryString: `${'NOT '.repeat(5000)}thingName:a` }) });
    assert.equal(nots.headers.get('x-amzn-errortype'), 'InvalidQueryException');
    const fine = await raw(server.url, { method: 'POST', path: '/dynamic-thing-groups/fine', body: JSON.stringify({ queryString: query(MAX_QUERY_NESTING - 1) }) });
    assert.equal(fine.status, 200, fine.text);
  });
});

describe('timestamps', () => {
  test('out-of-range timestamps are InvalidRequestException naming the member', async () => {
    for (const startTime of [1e20, -1e20, '12345678901234567890', '10000-01-01T00:00:00Z']) {
      const r = await raw(server.url, { method: 'POST', path: '/audit/findings', body: JSON.stringify({ startTime, endTime: 1_700_000_000 }) });
      assert.equal(r.status, 400, String(startTime));
      assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidRequestException');
      assert.match(r.json.message, /at 'startTime' failed to satisfy constraint: Member must be a timestamp from 0001-01-01/);
    }
    const q = await raw(server.url, { method: 'GET', path: '/audit/tasks', query: { startTime: '12345678901234567890', endTime: '2026-01-01T00:00:00Z' } });
    assert.equal(q.status, 400);
    assert.match(q.json.message, /at 'startTime'/);
    const ok = await raw(server.url, { method: 'POST', path: '/audit/findings', body: JSON.stringify({ startTime: '0001-01-01T00:00:00Z', endTime: 253402300799 }) });
    assert.equal(ok.status, 200, ok.text);
  });
});
