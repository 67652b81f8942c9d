// Debian's Chromium through playwright-core for the console's tests: no browser download, one
// browser per test file, screenshots written under dist/console-screenshots/ (or
// WARDEN_SCREENSHOTS) and checked to be real, non-empty PNGs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { IoTClient } from '@aws-sdk/client-iot';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type WardenOptions, type WardenServer } from '../../src/index.js';
import { iot, ROOT } from '../harness.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = process.env.WARDEN_SCREENSHOTS ?? join(ROOT, 'dist', 'console-screenshots');

export function launch(): Promise<Browser> {
  // As root, Chromium runs only without its sandbox; the page is our own console on loopback.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A page on a laptop-sized window that records the page's errors (uncaught exceptions, console errors). */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { page, errors };
}

/** Signs in with the default credential from the sign-in form. */
export async function signIn(page: Page, url: string, region = 'us-east-1'): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel('Access key ID').fill('test');
  await page.getByLabel('Secret access key').fill('test');
  await page.getByLabel('Region').fill(region);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('account 000000000000').waitFor();
}

/** A full-page screenshot `name`.png; asserts it is a PNG of some size and answers its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is not a PNG`);
  assert.ok(bytes.length > 5000, `${path} is nearly empty (${bytes.length} bytes)`);
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  assert.ok(width >= 1000 && height >= 400, `${path} is ${width}x${height}`);
  return path;
}

/** What a console test file works with, filled in by useConsole's before(). */
export interface ConsoleRun {
  server: WardenServer;
  url: string;
  client: IoTClient;
  browser: Browser;
  page: Page;
  /** The page's errors so far (see openPage). */
  errors: string[];
}

/**
 * A console test file's set-up, registered in the calling suite: before its tests, a server on a
 * fresh data folder (`options` for createServer), an SDK client, then `setup` (the registry and
 * findings the tests need), then Chromium with a page, signed in unless `signIn` is false; after
 * them, all closed and the folder removed. The fields are there from the first test on.
 */
export function useConsole(prefix: string, options: WardenOptions = {}, o: { setup?: (run: ConsoleRun) => Promise<void>; signIn?: boolean; teardown?: () => Promise<void> } = {}): ConsoleRun {
  const run = {} as ConsoleRun;
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  before(async () => {
    run.server = await createServer({ port: 0, dataDir, logLevel: 'silent', ...options });
    run.url = await run.server.listen();
    run.client = iot(run.url);
    await o.setup?.(run);
    run.browser = await launch();
    ({ page: run.page, errors: run.errors } = await openPage(run.browser));
    if (o.signIn !== false) await signIn(run.page, run.url);
  });
  after(async () => {
    await o.teardown?.();
    await run.browser?.close();
    run.client?.destroy();
    await run.server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return run;
}
