// Runs every compiled test file under dist/test with node's test runner (Node 20 has no globs).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

// The files that take a minute or more start first, so the run does not end with one of them alone.
const LONG = ['engine/crash-postgres', 'cli/skeleton-parity', 'cli/parity', 'engine/crash-sqlite'];
const longFirst = (f) => {
  const i = LONG.findIndex((l) => f.includes(`/${l}.test.js`));
  return i < 0 ? LONG.length : i;
};

const only = process.argv.slice(2);
const files = find('dist/test')
  // A compiled test whose source is gone (renamed or deleted) is stale output, not a test.
  .filter((f) => existsSync(f.replace(/^dist[\\/]/, '').replace(/\.js$/, '.ts')))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .sort((a, b) => longFirst(a) - longFirst(b));
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
