// The dashboard's requests are bounded whatever the account holds, in Chromium: with 25 completed
// audits, the latest-audit summary and the chart share one page of ListAuditTasks and read
// DescribeAuditTask for at most 20 audits (the latest among them, read once), and the chart one page
// of ListViolationEvents, once. Only the tasks in progress are read again (every second).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createServer, type WardenServer } from '../../src/index.js';
import { certFinding, injectFindings } from '../operations/mitigation-helpers.js';
import { launch, openPage, signIn } from './browser.js';

const AUDITS = 25;

describe('console: the dashboard reads a bounded number of audits (Chromium)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-console-requests-'));
  let server: WardenServer;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const seen = new Map<string, number>();

  before(async () => {
    server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false });
    url = await server.listen();
    for (let i = 0; i < AUDITS; i++) await injectFindings(url, { findings: [certFinding(i.toString(16).padStart(64, 'a'))] });
    browser = await launch();
    ({ page, errors } = await openPage(browser));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (r.method() !== 'GET' || u.pathname.startsWith('/console') || u.pathname.startsWith('/_warden')) return;
      // REST paths of the API: /audit/tasks (ListAuditTasks), /audit/tasks/{id} (DescribeAuditTask), ...
      const op = /^\/audit\/tasks\/[^/]+$/.test(u.pathname) ? 'DescribeAuditTask' : u.pathname;
      seen.set(op, (seen.get(op) ?? 0) + 1);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('25 audits: one ListAuditTasks, at most 20 DescribeAuditTask (the latest among them), and nothing read again', async () => {
    await signIn(page, url);
    await page.getByRole('img', { name: 'Findings and violations' }).waitFor();
    await page.getByRole('table', { name: 'Checks of the latest audit' }).waitFor();
    await page.waitForTimeout(2500); // two refreshes of the tasks in progress
    assert.equal(seen.get('DescribeAuditTask'), 20, 'the chart\'s 20, the latest audit among them');
    assert.equal(seen.get('/audit/tasks'), 1, 'one ListAuditTasks page for the summary and the chart');
    assert.equal(seen.get('/violation-events'), 1);
    assert.equal(seen.get('/active-violations'), 1);
    assert.deepEqual(errors, []);
  });
});
