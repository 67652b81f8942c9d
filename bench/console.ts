// npm run bench:console: the console in Debian's Chromium over a large account. Setup (not timed):
// BENCH_THINGS things (100,000) written straight into the store as CreateThing would, then
// BENCH_FINDINGS findings (500,000) under one audit through the signed POST /_warden/audit-findings,
// spread over four checks. Timed, each page loaded BENCH_LOADS times (the first with an empty
// cache): first contentful paint and the time until the first page of data is on screen, for the
// dashboard (its latest-audit table) and the audit's findings page (its findings table), and the
// registry page (things). Also the console's bundle, gzipped. Prints one JSON object.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { MAX_BODY_BYTES } from '../src/api/server.js';
import { MAX_ENTRIES } from '../src/admin/bodies.js';
import { defaultConsoleDir } from '../src/console/index.js';
import { createServer } from '../src/index.js';
import { insertTuples } from '../src/store/sql.js';
import { Store } from '../src/store/store.js';
import { ARN, SCOPE } from './audit-inputs.js';
import { EngineClient } from './engine-client.js';
import { log, round } from './procs.js';

const THINGS = Number(process.env.BENCH_THINGS ?? 100_000);
const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 500_000);
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const CHUNK = 5000;
const CHECKS = [
  { checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', severity: 'MEDIUM', resourceType: 'DEVICE_CERTIFICATE', id: (i: number) => ({ deviceCertificateId: hex64(i) }), code: 'CERTIFICATE_APPROACHING_EXPIRATION' },
  { checkName: 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', severity: 'CRITICAL', resourceType: 'DEVICE_CERTIFICATE', id: (i: number) => ({ deviceCertificateId: hex64(i + 1e9) }), code: 'CERTIFICATE_KEY_VULNERABILITY' },
  { checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', severity: 'CRITICAL', resourceType: 'IOT_POLICY', id: (i: number) => ({ policyVersionIdentifier: { policyName: `policy-${i}`, policyVersionId: '1' } }), code: 'ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS' },
  { checkName: 'DEVICE_CERTIFICATE_AGE_CHECK', severity: 'LOW', resourceType: 'DEVICE_CERTIFICATE', id: (i: number) => ({ deviceCertificateId: hex64(i + 2e9) }), code: 'CERTIFICATE_PAST_AGE_THRESHOLD' },
];

const hex64 = (i: number): string => i.toString(16).padStart(64, '0');

async function loadThings(dataDir: string): Promise<void> {
  const store = await Store.open({ dataDir });
  try {
    const now = Date.now();
    for (let from = 0; from < THINGS; from += CHUNK) {
      const things: unknown[][] = [];
      const attributes: unknown[][] = [];
      for (let i = from; i < Math.min(THINGS, from + CHUNK); i++) {
        const name = `device-${String(i).padStart(6, '0')}`;
        const attrs = { fleet: `fleet-${i % 50}` };
        things.push([SCOPE.accountId, SCOPE.region, name, randomUUID(), `${ARN}:thing/${name}`, null, 1, JSON.stringify(attrs), now, now]);
        attributes.push([SCOPE.accountId, SCOPE.region, name, 'fleet', attrs.fleet]);
      }
      await store.db.transaction(async (tx) => {
        await insertTuples(tx, 'things', ['account_id', 'region', 'name', 'thing_id', 'arn', 'thing_type_name', 'version', 'attributes', 'created_at', 'modified_at'], things);
        await insertTuples(tx, 'thing_attributes', ['account_id', 'region', 'thing_name', 'attr_name', 'attr_value'], attributes);
      });
    }
  } finally {
    await store.close();
  }
}

async function loadFindings(client: EngineClient): Promise<string> {
  let taskId: string | undefined;
  let i = 0;
  while (i < FINDINGS) {
    const head = taskId ? `{"taskId":${JSON.stringify(taskId)},"findings":[` : '{"findings":[';
    const parts: string[] = [];
    let size = head.length + 2;
    while (i < FINDINGS && parts.length < MAX_ENTRIES) {
      const c = CHECKS[i % CHECKS.length];
      const f = JSON.stringify({
        checkName: c.checkName,
        severity: c.severity,
        nonCompliantResource: { resourceType: c.resourceType, resourceIdentifier: c.id(i) },
        reasonForNonCompliance: `Finding ${i} of the console bench.`,
        reasonForNonComplianceCode: c.code,
      });
      if (size + f.length + 1 > MAX_BODY_BYTES) break;
      size += f.length + 1;
      parts.push(f);
      i++;
    }
    const r = await client.json<{ taskId: string }>({ method: 'POST', path: '/_warden/audit-findings', body: `${head}${parts.join(',')}]}` }, 'POST /_warden/audit-findings', 0);
    taskId ??= r.taskId;
    if (i % 100_000 < parts.length) log(`  ${i}/${FINDINGS} findings`);
  }
  return taskId!;
}

interface Load {
  fcpMs: number;
  firstDataMs: number;
}

/** Loads `path` in the signed-in tab and times it from navigation start. */
async function timeLoad(page: Page, url: string, ready: string): Promise<Load> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const firstDataMs = await page.evaluate(() => performance.now());
  const fcpMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const e = performance.getEntriesByName('first-contentful-paint')[0];
        if (e) return resolve(e.startTime);
        new PerformanceObserver((l) => resolve(l.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
      }),
  );
  return { fcpMs: round(fcpMs, 1), firstDataMs: round(firstDataMs, 1) };
}

function summary(loads: Load[]): { first: Load; median: Load; loads: number } {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { first: loads[0], median: { fcpMs: med(loads.map((l) => l.fcpMs)), firstDataMs: med(loads.map((l) => l.firstDataMs)) }, loads: loads.length };
}

function bundle(): { files: number; bytes: number; gzipBytes: number; gzipKiB: number } {
  const dir = defaultConsoleDir();
  const files = ['index.html', ...readdirSync(join(dir, 'assets')).map((f) => join('assets', f))];
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const b = readFileSync(join(dir, f));
    bytes += b.length;
    gzipBytes += gzipSync(b, { level: 9 }).length;
  }
  return { files: files.length, bytes, gzipBytes, gzipKiB: round(gzipBytes / 1024, 1) };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-console-'));
  const t0 = performance.now();
  log(`setup: ${THINGS} things into the store`);
  await loadThings(dataDir);
  const server = await createServer({ port: 0, dataDir, logLevel: 'silent', engine: false });
  const url = await server.listen();
  const client = new EngineClient([url], 2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    log(`setup: ${FINDINGS} findings through POST /_warden/audit-findings`);
    const taskId = await loadFindings(client);
    const setupSeconds = round((performance.now() - t0) / 1000, 1);
    log(`setup done in ${setupSeconds} s; timing in Chromium`);
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('account 000000000000').waitFor();
    const pages = {
      dashboard: { path: '/console/', ready: 'table:has(caption:text("Checks of the latest audit")) tbody tr' },
      findings: { path: `/console/audit/tasks/${taskId}`, ready: 'table.findings tbody tr' },
      registry: { path: '/console/registry', ready: 'main ul.plain li a[href^="/console/things/"]' },
    };
    const results: Record<string, ReturnType<typeof summary>> = {};
    for (const [name, p] of Object.entries(pages)) {
      const loads: Load[] = [];
      // The first load of each page starts with an empty HTTP cache (the bundle is fetched); the others reuse it, as a returning user.
      await context.clearCookies();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
      for (let k = 0; k < LOADS; k++) loads.push(await timeLoad(page, `${url}${p.path}`, p.ready));
      results[name] = summary(loads);
      log(`${name}: ${JSON.stringify(results[name].median)}`);
    }
    const rows = await page.locator('table.findings tbody tr').count();
    await page.goto(`${url}${pages.findings.path}`);
    await page.locator(pages.findings.ready).first().waitFor();
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'console',
          things: THINGS,
          findings: FINDINGS,
          setupSeconds,
          goalMs: 1000,
          dashboard: results.dashboard,
          findingsPage: { ...results.findings, rowsShown: rows || (await page.locator('table.findings tbody tr').count()) },
          registryPage: results.registry,
          bundle: { ...bundle(), goalKiB: 500 },
          chromium: browser.version(),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await browser.close();
    client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
