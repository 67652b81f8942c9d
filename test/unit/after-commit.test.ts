// Work queued with afterCommit (src/store/after-commit.ts) runs once Store.transaction has
// committed, and sees the write; a rolled-back transaction drops it; outside a transaction it runs
// at once. Policy change notices (src/registry/policy-events.ts) ride on it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { afterCommit } from '../../src/store/after-commit.js';
import { Store } from '../../src/store/store.js';

const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const NOW = new Date('2026-01-01T00:00:00Z');

describe('afterCommit', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-after-commit-'));
    store = await Store.open({ dataDir: dir });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs after the commit seeing the write; not before, not on rollback', async () => {
    const seen: string[] = [];
    const write = (name: string) => store.repos.policies.get(SCOPE, name).then((p) => p?.name ?? 'missing');
    await store.transaction(async (tx) => {
      await tx.policies.insert(SCOPE, { name: 'p1', arn: 'arn:p1', defaultVersionId: '1', lastVersionId: 1, generationId: 'g', createdAt: NOW, modifiedAt: NOW });
      afterCommit(() => void write('p1').then((n) => seen.push(`after:${n}`)));
      assert.deepEqual(seen, []);
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, ['after:p1']);
    await assert.rejects(
      store.transaction(async () => {
        afterCommit(() => seen.push('rolled back'));
        throw new Error('no');
      }),
    );
    afterCommit(() => seen.push('outside'));
    assert.deepEqual(seen, ['after:p1', 'outside']);
  });
});
