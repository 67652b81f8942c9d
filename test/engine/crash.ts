// Crash safety of the mitigation engine: kill -9 the server several times while a large audit
// mitigation task runs, restart it on the same data each time, and check that the task finishes
// with every execution applied exactly once and exact statistics (issue 4, "Crash safety").
// One test file per backend (crash-sqlite, crash-postgres), so the two can run side by side.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Backend, dropSchema, freshSchema, iot, PG_BASE, startServer, type Running } from '../harness.js';
import { buildFleet, pgSql, progress, sleep, sqliteSql, startTask, verifyInDatabase, verifyThroughApi, waitEnd, type Sql } from './helpers.js';

/** Findings in the audit (CRASH_FINDINGS lowers it for quick iterations). */
const FINDINGS = Number(process.env.CRASH_FINDINGS ?? 100_000);
const KILLS = 5;
const TASK = 'crash-task';

export function crashSuite(backend: Backend): void {
  describe(`mitigation engine survives kill -9 (${backend}, ${FINDINGS} findings)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-crash-'));
    const schema = backend === 'postgres' ? freshSchema() : undefined;
    const databaseUrl = schema ? `${PG_BASE}?schema=${schema}` : undefined;
    let server: Running | undefined;
    const open = () => startServer({ dataDir, databaseUrl, keep: true });

    after(async () => {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    });

    test('every execution applied exactly once and exact statistics after repeated kills', { timeout: 600_000 }, async () => {
      server = await open();
      let client = iot(server.url);
      const built = Date.now();
      const fleet = await buildFleet(server.url, client, FINDINGS);
      const started = Date.now();
      await startTask(client, fleet, TASK);

      // Kill at random moments, 0.3–1.5 s after the server is up (plus up to 40 ms after the last
      // read, so a kill does not always land just after a transaction ended). The first kills may
      // land while targets are planned; the later ones wait until executions have moved on since
      // the previous kill, so they land while batches are being executed.
      const seen = new Map<string, number>();
      const initial = (await progress(client, TASK, seen)).done; // the suppressed findings, skipped from the start
      const kills: { afterMs: number; doneBefore: number; doneAfterRestart: number }[] = [];
      let last = initial;
      for (let k = 0; k < KILLS; k++) {
        if (k >= 2) while ((await progress(client, TASK, seen)).done <= last) await sleep(50);
        const wait = 300 + Math.floor(Math.random() * 1200);
        await sleep(wait);
        const before = await progress(client, TASK, seen);
        if (before.status !== 'IN_PROGRESS') break;
        await sleep(Math.random() * 40);
        server.proc.kill('SIGKILL');
        await server.exited;
        client.destroy();
        server = await open();
        client = iot(server.url);
        const restarted = await progress(client, TASK, seen); // never behind what was read before the kill
        kills.push({ afterMs: wait, doneBefore: before.done, doneAfterRestart: restarted.done });
        last = before.done;
      }
      const status = await waitEnd(client, TASK, seen, 480_000);
      const ran = Date.now() - started;
      console.log(JSON.stringify({ backend, findings: FINDINGS, buildMs: started - built, taskMs: ran, status, kills }));
      assert.ok(kills.some((k) => k.doneBefore > initial), 'at least one kill landed while executions were running');

      await verifyThroughApi(client, fleet, TASK);
      client.destroy();
      await server.stop();
      const sql: Sql = schema ? await pgSql(schema) : sqliteSql(dataDir);
      try {
        await verifyInDatabase(sql, fleet, TASK);
      } finally {
        await sql.close();
      }
    });
  });
}
