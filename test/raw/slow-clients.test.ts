// Slow and greedy clients: a request whose headers trickle in is dropped after --headers-timeout-ms,
// and one client address holds at most --max-connections-per-client connections.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer, type Running } from '../harness.js';

let server: Running;
before(async () => {
  server = await startServer({ backend: 'sqlite', args: ['--headers-timeout-ms', '1000', '--max-connections-per-client', '5'] });
});
after(async () => {
  await server?.cleanup();
});

const connect = (): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const u = new URL(server.url);
    const s = net.connect(Number(u.port), u.hostname, () => resolve(s));
    s.on('error', reject);
    s.resume(); // read what comes back, so the server's FIN is seen
  });

const closed = (s: net.Socket): Promise<number> => {
  const started = Date.now();
  return new Promise((resolve) => s.once('close', () => resolve(Date.now() - started)));
};

test('headers sent a byte at a time are cut off after the headers timeout', async () => {
  const s = await connect();
  const gone = closed(s);
  const request = 'GET /_warden/health HTTP/1.1\r\nhost: 127.0.0.1\r\n' + 'x-slow: 1\r\n'.repeat(100);
  let i = 0;
  const drip = setInterval(() => {
    if (!s.destroyed && i < request.length) s.write(request[i++]);
  }, 50);
  const ms = await gone;
  clearInterval(drip);
  assert.ok(ms < 4000, `dropped after ${ms} ms`);
  assert.ok(i < request.length, 'the whole request went through');
});

test('a sixth connection from one address is closed at once; the first five still work', async () => {
  const held = await Promise.all([1, 2, 3, 4, 5].map(connect));
  await new Promise((r) => setTimeout(r, 100)); // the server has counted them
  const sixth = await connect();
  const ms = await closed(sixth);
  assert.ok(ms < 1000, `closed after ${ms} ms`);
  const answer = await new Promise<string>((resolve) => {
    let got = '';
    held[0].on('data', (c: Buffer) => (got += c));
    held[0].on('close', () => resolve(got));
    held[0].write(`GET /_warden/health HTTP/1.1\r\nhost: ${new URL(server.url).host}\r\nconnection: close\r\n\r\n`);
  });
  assert.match(answer, /^HTTP\/1.1 200/);
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 100));
  const again = await fetch(`${server.url}/_warden/health`);
  assert.equal(again.status, 200, 'closed connections are no longer counted');
});
