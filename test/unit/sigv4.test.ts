import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ServiceError } from '../../src/base/errors.js';
import { loadModel } from '../../src/api/model.js';
import { parseQuery } from '../../src/api/parse.js';
import { Router } from '../../src/api/router.js';
import { SigV4Verifier, type SignedRequest } from '../../src/api/sigv4.js';
import { ROOT } from '../harness.js';

interface Captured extends SignedRequest {
  n: number;
  amzDate: Date;
  url: string;
}

/** The 21 requests real clients sent (AWS CLI v2, boto3 1.26, JS SDK v3), signed with AKIDEXAMPLE / secret x. */
function captured(): Captured[] {
  const text = readFileSync(join(ROOT, 'test/fixtures/captured-requests.txt'), 'latin1');
  const parts = text.split(/^===== request (\d+) =====\n/m).slice(1);
  const out: Captured[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const n = Number(parts[i]);
    const block = Buffer.from(parts[i + 1], 'latin1');
    const headEnd = block.indexOf('\r\n\r\n');
    const head = block.subarray(0, headEnd).toString('latin1').split('\r\n');
    const [method, url] = head[0].split(' ');
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const c = line.indexOf(':');
      headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = block.subarray(headEnd + 4, headEnd + 4 + length);
    const q = url.indexOf('?');
    const d = headers['x-amz-date'];
    out.push({
      n,
      method,
      url,
      rawPath: q < 0 ? url : url.slice(0, q),
      query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
      headers,
      body,
      amzDate: new Date(Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15))),
    });
  }
  return out;
}

const verifier = (secret: string, now: Date) =>
  new SigV4Verifier(new Map([['AKIDEXAMPLE', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret, accountId: '123456789012' }]]), () => now);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ServiceError, String(e));
    return e.code;
  }
}

describe('SigV4 against the captured requests of real clients', () => {
  const requests = captured();

  test('there are 21 of them, with both credential scopes', () => {
    assert.equal(requests.length, 21);
    const scopes = new Set(requests.map((r) => /\/(iot|execute-api)\/aws4_request/.exec(String(r.headers.authorization))?.[1]));
    assert.deepEqual([...scopes].sort(), ['execute-api', 'iot']);
  });

  for (const r of captured()) {
    test(`request ${r.n} (${r.method} ${r.url.slice(0, 60)}) verifies with secret x at its own date`, async () => {
      const p = await verifier('x', r.amzDate).verify(r);
      assert.equal(p.accountId, '123456789012');
      assert.equal(p.region, 'us-east-1');
      assert.equal(p.accessKeyId, 'AKIDEXAMPLE');
    });
    test(`request ${r.n} fails with another secret, and outside the 15-minute window`, async () => {
      assert.equal(await code(verifier('y', r.amzDate).verify(r)), 'InvalidSignatureException');
      assert.equal(await code(verifier('x', new Date(r.amzDate.getTime() + 16 * 60000)).verify(r)), 'InvalidSignatureException');
      assert.equal(await code(verifier('x', new Date(r.amzDate.getTime() - 16 * 60000)).verify(r)), 'InvalidSignatureException');
      assert.equal(await code(verifier('x', new Date(r.amzDate.getTime() + 14 * 60000)).verify(r)), 'ok');
    });
  }

  test('a changed body, path or query fails', async () => {
    const [first] = requests;
    const v = verifier('x', first.amzDate);
    assert.equal(await code(v.verify({ ...first, body: Buffer.from(first.body.toString().replace('f1', 'f2')) })), 'InvalidSignatureException');
    assert.equal(await code(v.verify({ ...first, rawPath: '/audit/mitigationactions/tasks/t2' })), 'InvalidSignatureException');
    const withQuery = requests.find((r) => r.query.size > 0)!;
    const q = new Map(withQuery.query);
    q.set('maxResults', ['6']);
    assert.equal(await code(verifier('x', withQuery.amzDate).verify({ ...withQuery, query: q })), 'InvalidSignatureException');
  });

  test('a JS request whose x-amz-content-sha256 does not match the body fails', async () => {
    const js = requests.find((r) => r.headers['x-amz-content-sha256'] && r.body.length > 0)!;
    const tampered = { ...js, body: Buffer.concat([js.body, Buffer.from(' ')]) };
    assert.equal(await code(verifier('x', js.amzDate).verify(tampered)), 'InvalidSignatureException');
  });

  test('missing, unknown and malformed credentials get AWS error names', async () => {
    const [first] = requests;
    const v = verifier('x', first.amzDate);
    const { authorization, ...noAuth } = first.headers;
    assert.ok(authorization);
    assert.equal(await code(v.verify({ ...first, headers: noAuth })), 'MissingAuthenticationTokenException');
    const unknown = String(authorization).replace('AKIDEXAMPLE', 'AKIDOTHER');
    assert.equal(await code(v.verify({ ...first, headers: { ...first.headers, authorization: unknown } })), 'UnrecognizedClientException');
    assert.equal(await code(v.verify({ ...first, headers: { ...first.headers, authorization: 'AWS4-HMAC-SHA256 garbage' } })), 'IncompleteSignatureException');
    const otherService = String(authorization).replace('/execute-api/', '/s3/');
    assert.equal(await code(v.verify({ ...first, headers: { ...first.headers, authorization: otherService } })), 'InvalidSignatureException');
  });
});

describe('routing the captured requests by the model', () => {
  const router = new Router(loadModel());
  const expected: Record<string, string> = {
    'POST /audit/mitigationactions/tasks/t1': 'StartAuditMitigationActionsTask',
    'PUT /detect/mitigationactions/tasks/d1': 'StartDetectMitigationActionsTask',
    'GET /audit/tasks': 'ListAuditTasks',
    'GET /things/my%20thing%2F%C3%BC': 'DescribeThing',
    'PUT /things/t1/principals': 'AttachThingPrincipal',
    'POST /loggingOptions': 'SetLoggingOptions',
    'PATCH /security-profiles/sp1': 'UpdateSecurityProfile',
    'POST /keys-and-certificate': 'CreateKeysAndCertificate',
    'GET /things': 'ListThings',
  };

  test('every captured request reaches the operation its client called', () => {
    let checked = 0;
    for (const r of captured()) {
      const m = router.match(r.method, r.rawPath);
      const want = expected[`${r.method} ${r.rawPath}`];
      if (want) {
        assert.equal(m?.operation.name, want, `${r.method} ${r.rawPath}`);
        checked++;
      } else {
        assert.ok(m, `no route for ${r.method} ${r.rawPath}`);
      }
    }
    assert.ok(checked >= 18, `checked ${checked}`);
  });

  test('labels are decoded per segment after routing', () => {
    const m = router.match('GET', '/things/my%20thing%2F%C3%BC');
    assert.equal(m?.operation.name, 'DescribeThing');
    assert.deepEqual(m?.labels, { thingName: 'my thing/ü' });
  });

  test('literal segments win over labels, and nothing matches an unknown path', () => {
    assert.equal(router.match('POST', '/audit/mitigationactions/tasks/t1')?.operation.name, 'StartAuditMitigationActionsTask');
    assert.equal(router.match('PUT', '/audit/mitigationactions/tasks/t1/cancel')?.operation.name, 'CancelAuditMitigationActionsTask');
    assert.equal(router.match('GET', '/audit/mitigationactions/tasks')?.operation.name, 'ListAuditMitigationActionsTasks');
    assert.equal(router.match('GET', '/no/such/path'), undefined);
    assert.equal(router.match('DELETE', '/things'), undefined);
    assert.equal(router.match('GET', '/things/'), undefined);
  });

  test('all 272 operations are routable from their own URI template', () => {
    const model = loadModel();
    let n = 0;
    for (const op of Object.values(model.operations)) {
      const path = op.http.requestUri.replace(/\{[^}]+\}/g, 'x1');
      assert.equal(router.match(op.http.method, path)?.operation.name, op.name, `${op.http.method} ${path}`);
      n++;
    }
    assert.equal(n, 272);
  });
});

describe('SigV4 against requests signed by @smithy/signature-v4 (the JS SDK signer)', () => {
  test('200 random requests (paths with encoded labels, repeated and odd query values, bodies, both scopes) verify, and fail when one byte changes', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const { Hash } = await import('@smithy/hash-node');
    const now = new Date('2026-11-22T01:23:45Z');
    const v = verifier('x', now);
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pieces = ['a', 'my thing', 'ü', '/', '%', '+', '~', '*', "'", '(', ')', '!', '=', '&', 'ä/ö', 'x.y', '-_'];
    const word = () => Array.from({ length: 1 + rnd(3) }, () => pieces[rnd(pieces.length)]).join('');
    for (let i = 0; i < 200; i++) {
      const service = i % 2 ? 'iot' : 'execute-api';
      const path = `/things/${encodeURIComponent(word())}/x${i}`;
      const query: Record<string, string | string[]> = {};
      for (let q = rnd(4); q > 0; q--) query[word()] = rnd(3) === 0 ? [word(), word()] : word();
      const body = rnd(2) ? JSON.stringify({ v: word(), n: i }) : undefined;
      const headers: Record<string, string> = { host: '127.0.0.1:4580', 'x-amzn-principal': `arn:aws:iot:us-east-1:123456789012:cert/${i}` };
      if (body) headers['content-type'] = 'application/json';
      const signer = new SignatureV4({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, region: 'us-east-1', service, sha256: Hash.bind(null, 'sha256'), applyChecksum: i % 3 === 0 });
      const signed = await signer.sign(new HttpRequest({ method: body ? 'POST' : 'GET', path, query, headers, body }), { signingDate: now });
      const rawQuery = new Map<string, string[]>();
      for (const [k, val] of Object.entries(query)) rawQuery.set(k, Array.isArray(val) ? val : [val]);
      const request = { method: signed.method, rawPath: path, query: rawQuery, headers: signed.headers as Record<string, string>, body: Buffer.from(body ?? '') };
      const p = await v.verify(request);
      assert.equal(p.service, service);
      assert.equal(await code(v.verify({ ...request, rawPath: `${path}z` })), 'InvalidSignatureException', path);
      if (body) assert.equal(await code(v.verify({ ...request, body: Buffer.from(`${body} `) })), 'InvalidSignatureException');
    }
  });
});
