// `npm test` checks the machine first (scripts/prereqs.mjs): a missing piece stops it at once, one line
// per piece with the command that installs it, instead of a suite of failures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = fileURLToPath(new URL('../../../scripts/prereqs.mjs', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

function prereqs(env: Record<string, string>) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WARDEN_NO_INSTALL: '1', ...env },
    timeout: 60_000,
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

test('a complete machine passes', () => {
  const r = prereqs({});
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /all present/);
});

test('missing pieces stop it at once, one line each with the command that installs it', () => {
  // Without the image's Python tools on PATH moto_server is gone; port 1 has no PostgreSQL.
  const r = prereqs({ PATH: '/usr/bin:/bin', WARDEN_TEST_PG: 'postgres://postgres@127.0.0.1:1/test' });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines[0], 'npm test cannot run; missing:');
  assert.ok(lines.some((l) => /^- moto_server on PATH .*: python3 -m pip install 'moto\[server\]'$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /^- PostgreSQL on 127\.0\.0\.1:1 with a database test: .*pg_ctlcluster/.test(l)), r.stderr);
  assert.ok(r.seconds < 30, `took ${r.seconds} s`);
});
