// The console's files as the server serves them under /console/ (src/console/): content types,
// caching, the index.html fallback for client routes, refusals outside the build folder, and the
// signed /_warden/identity endpoint the sign-in page calls.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer, type WardenServer } from '../../src/index.js';
import { defaultConsoleDir } from '../../src/console/index.js';
import { raw } from '../harness.js';

/** A GET sent as written (fetch and curl would normalise `..` away). */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console served by the server (built by npm run build)', () => {
  let server: WardenServer;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-serve-'));
  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent' });
    url = await server.listen();
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('/console redirects to /console/, which is the page, not cached', async () => {
    const r = await get(url, '/console?x=1');
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, '/console/?x=1');
    const page = await get(url, '/console/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body.toString(), /<div id="app"><\/div>/);
    assert.match(page.body.toString(), /src="\/console\/assets\/[^"]+\.js"/);
  });

  test('client routes answer index.html (a policy name may hold dots)', async () => {
    const index = (await get(url, '/console/')).body.toString();
    for (const path of ['/console/audit', '/console/audit/tasks/abc', '/console/policies/my.policy.v2', '/console/certificates/0123abcd']) {
      const r = await get(url, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body.toString(), index, path);
    }
  });

  test('hashed assets have their content type and are cached for a year; HEAD sends no body', async () => {
    const assets = readdirSync(join(defaultConsoleDir(), 'assets'));
    const js = assets.find((a) => a.endsWith('.js'))!;
    const css = assets.find((a) => a.endsWith('.css'))!;
    const r = await get(url, `/console/assets/${js}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(r.body.length > 10_000);
    assert.equal((await get(url, `/console/assets/${css}`)).headers['content-type'], 'text/css; charset=utf-8');
    const head = await get(url, `/console/assets/${js}`, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), r.body.length);
  });

  test('a missing asset is a JSON 404, other methods a 405, never the page', async () => {
    const r = await get(url, '/console/assets/nothing-here.js');
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-amzn-errortype'], 'ResourceNotFoundException');
    assert.match(JSON.parse(r.body.toString()).message, /no file \/console\/assets\/nothing-here\.js/);
    const post = await get(url, '/console/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal(post.headers['x-amzn-errortype'], 'MethodNotAllowedException');
  });

  test('nothing outside the build folder is served, however the path is spelled', async () => {
    for (const path of ['/console/../package.json', '/console/assets/../../../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json', '/console/%5c..%5cpackage.json', '/console/a%00.js']) {
      const r = await get(url, path);
      assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`);
      assert.doesNotMatch(r.body.toString(), /"name": "warden"/, path);
    }
    const bad = await get(url, '/console/%zz');
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'InvalidRequestException');
  });

  test('the AWS API beside it is untouched: /consoles is an AWS path', async () => {
    const r = await get(url, '/consoles');
    assert.notEqual(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(r.headers['x-amzn-errortype']);
  });

  test('GET /_warden/identity tells the signer its account and region; unsigned or wrongly signed is refused', async () => {
    const ok = await raw(url, { method: 'GET', path: '/_warden/identity', region: 'eu-west-1' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { accountId: '000000000000', region: 'eu-west-1' });
    const unsigned = await raw(url, { method: 'GET', path: '/_warden/identity', unsigned: true });
    assert.equal(unsigned.status, 403);
    const wrong = await raw(url, { method: 'GET', path: '/_warden/identity', creds: { accessKeyId: 'test', secretAccessKey: 'nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get('x-amzn-errortype')?.split(':')[0], 'InvalidSignatureException');
  });
});

describe('a server whose console is not built, or turned off', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-unbuilt-'));
  const empty = mkdtempSync(join(tmpdir(), 'warden-console-empty-'));
  let unbuilt: WardenServer;
  let off: WardenServer;
  before(async () => {
    mkdirSync(join(empty, 'assets'));
    writeFileSync(join(empty, 'assets', 'a.js'), 'export {};');
    unbuilt = await createServer({ port: 0, dataDir, logLevel: 'silent', consoleDir: empty });
    off = await createServer({ port: 0, dataDir: join(dataDir, 'off'), logLevel: 'silent', consoleDir: false });
    await unbuilt.listen();
    await off.listen();
  });
  after(async () => {
    await unbuilt?.close();
    await off?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  test('the page says how to build it; its files are still served', async () => {
    const r = await get(unbuilt.url, '/console/');
    assert.equal(r.status, 503);
    assert.match(JSON.parse(r.body.toString()).message, /npm run build/);
    assert.equal((await get(unbuilt.url, '/console/assets/a.js')).status, 200);
  });

  test('consoleDir: false leaves /console/ to the AWS pipeline', async () => {
    const r = await get(off.url, '/console/');
    assert.notEqual(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
  });
});
