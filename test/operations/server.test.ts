import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CreateMitigationActionCommand, DescribeMitigationActionCommand } from '@aws-sdk/client-iot';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { dropSchema, freshSchema, iot, PG_BASE, raw, ROLE, run, ROOT, sampleActionParams, startServer } from '../harness.js';

const warden = (args: string[]) => run(process.execPath, [join(ROOT, 'bin/warden.js'), ...args], { timeoutMs: 20000 });

describe('start-up failures are one clear line and a non-zero exit', () => {
  test('a data folder that cannot be created names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-bad-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await warden(['serve', '--no-mqtt', '--port', '0', '--data-dir', join(file, 'data')]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^warden: cannot open the SQLite database .*a-file\/data\/warden\.sqlite: /);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('a second Warden on the same data folder is refused', async () => {
    const first = await startServer();
    try {
      const r = await warden(['serve', '--no-mqtt', '--port', '0', '--data-dir', first.dataDir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /in use by another process/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    } finally {
      await first.cleanup();
    }
  });

  test('an unreachable PostgreSQL names the URL', async () => {
    const r = await warden(['serve', '--no-mqtt', '--port', '0', '--database-url', 'postgres://postgres@127.0.0.1:1/nowhere']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^warden: cannot open the PostgreSQL database postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('listening beyond loopback with only the default credential is refused', async () => {
    const r = await warden(['serve', '--no-mqtt', '--port', '0', '--host', '0.0.0.0', '--data-dir', mkdtempSync(join(tmpdir(), 'warden-'))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 with only the default credential/);
  });

  test('a bad credentials file is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-creds-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify([{ accessKeyId: 'A', secretAccessKey: 's', accountId: '12' }]));
    const r = await warden(['serve', '--no-mqtt', '--port', '0', '--data-dir', dir, '--credentials', join(dir, 'c.json')]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /c\.json entry 1: accountId must be 12 digits/);
  });

  test('help lists every option', async () => {
    const r = await warden(['serve', '--help']);
    assert.equal(r.code, 0);
    for (const opt of ['--host', '--port', '--data-dir', '--database-url', '--credentials', '--enable-reset', '--log-level']) assert.match(r.stdout, new RegExp(opt));
  });
});

describe('lifecycle', () => {
  test('SQLite data survives a restart; SIGTERM lets an in-flight request finish and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-restart-'));
    const first = await startServer({ dataDir, keep: true });
    const c1 = iot(first.url);
    await c1.send(new CreateMitigationActionCommand({ actionName: 'durable', roleArn: ROLE, actionParams: sampleActionParams }));
    c1.destroy();

    // Start a signed request, send half of its body, then SIGTERM, then the rest.
    const body = JSON.stringify({ roleArn: ROLE, actionParams: sampleActionParams });
    const u = new URL(first.url);
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'iot', sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', hostname: u.hostname, port: Number(u.port), path: '/mitigationactions/actions/inflight', headers: { host: u.host, 'content-type': 'application/json', 'content-length': String(body.length) }, body }),
    );
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/mitigationactions/actions/inflight', headers: signed.headers }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        first.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 200);
      }, 100);
    });
    const answered = await response;
    assert.equal(answered.status, 200, answered.text);
    assert.equal(await first.exited, 0);

    const second = await startServer({ dataDir });
    const c2 = iot(second.url);
    try {
      assert.equal((await c2.send(new DescribeMitigationActionCommand({ actionName: 'durable' }))).actionName, 'durable');
      assert.equal((await c2.send(new DescribeMitigationActionCommand({ actionName: 'inflight' }))).actionName, 'inflight');
    } finally {
      c2.destroy();
      await second.cleanup();
    }
  });

  test('PostgreSQL lost while serving: 503 ServiceUnavailableException, then recovery', async () => {
    // A TCP proxy in front of the real PostgreSQL lets the test cut and restore the connection.
    const pgUrl = new URL(PG_BASE);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(pgUrl.port || 5432), pgUrl.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as net.AddressInfo).port;
    const schema = freshSchema();
    const viaProxy = new URL(PG_BASE);
    viaProxy.host = `127.0.0.1:${port}`;
    viaProxy.searchParams.set('schema', schema);
    const server = await startServer({ databaseUrl: viaProxy.toString() });
    const get = () => raw(server.url, { method: 'GET', path: '/mitigationactions/actions/p' });
    try {
      const c = iot(server.url);
      await c.send(new CreateMitigationActionCommand({ actionName: 'p', roleArn: ROLE, actionParams: sampleActionParams }));
      c.destroy();
      assert.equal((await get()).status, 200);

      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
      const down = await get();
      assert.equal(down.status, 503, down.text);
      assert.equal(down.headers.get('x-amzn-errortype'), 'ServiceUnavailableException');
      const health = await fetch(`${server.url}/_warden/health`);
      assert.equal(health.status, 503);

      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await get()).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, 'serves again once the database is back');
      assert.equal((await get()).json.actionName, 'p');
    } finally {
      await server.cleanup();
      proxy.close();
      for (const s of sockets) s.destroy();
      await dropSchema(schema);
    }
  });
});
