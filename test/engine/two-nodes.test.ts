// Two Warden nodes share one PostgreSQL schema and the work of one audit mitigation task; one is
// killed with SIGKILL mid-task and the other finishes it with every execution applied exactly once
// and exact statistics (issue 4, "Crash safety"). The engine holds no leases: PostgreSQL rolls back
// the dead node's open transaction as soon as its connections drop, so the targets it had claimed
// can be claimed again at once.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dropSchema, freshSchema, iot, PG_BASE, startServer, type Running } from '../harness.js';
import { buildFleet, pgClientPorts, pgSql, progress, sleep, startTask, verifyInDatabase, verifyThroughApi, waitEnd } from './helpers.js';

const FINDINGS = Number(process.env.TWO_NODE_FINDINGS ?? 20_000);
const TASK = 'two-node-task';

describe(`two nodes on one PostgreSQL schema, one killed mid-task (${FINDINGS} findings)`, () => {
  const schema = freshSchema();
  const databaseUrl = `${PG_BASE}?schema=${schema}`;
  const nodes: Running[] = [];

  after(async () => {
    for (const n of nodes) await n.cleanup(); // removes each node's empty data folder; the schema is ours to drop
    await dropSchema(schema);
  });

  test('the surviving node finishes the task exactly once', { timeout: 600_000 }, async () => {
    // One node at a time, so the second finds the schema migrated.
    const doomed = await startServer({ databaseUrl });
    nodes.push(doomed);
    const survivor = await startServer({ databaseUrl });
    nodes.push(survivor);
    const a = iot(doomed.url);
    const b = iot(survivor.url);
    const db = await pgSql(schema);
    try {
      const fleet = await buildFleet(doomed.url, a, FINDINGS);
      const started = Date.now();
      await startTask(a, fleet, TASK);

      // Both engines work on the task; wait until executions show, then a random moment more.
      const seen = new Map<string, number>();
      const initial = (await progress(b, TASK, seen)).done;
      while ((await progress(b, TASK, seen)).done <= initial) await sleep(50);
      await sleep(Math.random() * 500);
      const before = await progress(b, TASK, seen);
      assert.equal(before.status, 'IN_PROGRESS', 'the task is still running when the node is killed');

      // The doomed node's PostgreSQL sessions, found by the client ports of its connections, and
      // the targets its open transaction holds (rows whose xmax is that transaction: FOR UPDATE).
      // Kill it at a moment it is seen holding a claimed batch.
      let sessions: Record<string, unknown>[] = [];
      let claimed: Record<string, unknown>[] = [];
      for (let tries = 0; tries < 200 && claimed.length === 0; tries++) {
        const ports = pgClientPorts(doomed.proc.pid!);
        sessions = await db.all('SELECT pid, backend_xid::text AS xid FROM pg_stat_activity WHERE client_port = ANY(?::int[])', [ports]);
        const xids = sessions.filter((s) => s.xid !== null).map((s) => String(s.xid));
        claimed = await db.all(
          "SELECT target_id FROM mitigation_targets WHERE account_id = '000000000000' AND region = 'us-east-1' AND kind = 'audit' AND task_id = ? AND state = 'PENDING' AND xmax::text = ANY(?::text[])",
          [TASK, xids],
        );
      }
      assert.ok(claimed.length > 0, 'the doomed node was seen holding claimed targets');
      const pids = sessions.map((s) => Number(s.pid));

      const killedAt = Date.now();
      doomed.proc.kill('SIGKILL');
      await doomed.exited;
      a.destroy();
      let sessionsGoneMs: number | undefined;
      while (sessionsGoneMs === undefined) {
        const [left] = await db.all('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ANY(?::int[])', [pids]);
        if (Number(left.n) === 0) sessionsGoneMs = Date.now() - killedAt;
        else if (Date.now() - killedAt > 30_000) assert.fail('the dead node still has PostgreSQL sessions after 30 s');
        else await sleep(5);
      }
      let progressAfterMs: number | undefined;
      while (progressAfterMs === undefined) {
        const p = await progress(b, TASK, seen);
        if (p.done > before.done || p.status !== 'IN_PROGRESS') progressAfterMs = Date.now() - killedAt;
        else await sleep(20);
      }
      const status = await waitEnd(b, TASK, seen, 480_000);
      const finishedAfterMs = Date.now() - killedAt;
      console.log(
        JSON.stringify({
          findings: FINDINGS,
          doneAtKill: before.done,
          runningBeforeKillMs: killedAt - started,
          doomedSessions: sessions.length,
          targetsClaimedByDoomedAtKill: claimed.length,
          sessionsGoneMs,
          progressAfterMs,
          finishedAfterMs,
          status,
        }),
      );

      await verifyThroughApi(b, fleet, TASK);
      await verifyInDatabase(db, fleet, TASK);
    } finally {
      a.destroy();
      b.destroy();
      await db.close();
    }
  });
});
