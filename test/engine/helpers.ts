// A large audit whose mitigation effects are exactly countable, and the checks that prove a task
// ran every execution exactly once (crash and two-node tests of the mitigation engine).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeAuditMitigationActionsTaskCommand,
  DescribeCertificateCommand,
  ListAuditMitigationActionsExecutionsCommand,
  ListPolicyVersionsCommand,
  RegisterCertificateWithoutCACommand,
  StartAuditMitigationActionsTaskCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PG_BASE } from '../harness.js';
import { makeSelfSigned } from '../operations/certificates-helpers.js';
import { action, injectFindings, openPolicy } from '../operations/mitigation-helpers.js';

export const CERT_CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
export const POLICY_CHECK = 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK';
export const SNS_CHECK = 'CONFLICTING_CLIENT_IDS_CHECK';
export const CERT_OFF = 'crash-cert-off';
export const BLANK = 'crash-blank-policy';
export const PUBLISH = 'crash-publish';
export const TOPIC = 'arn:aws:sns:us-east-1:000000000000:crash-findings';
const SCOPE = ['000000000000', 'us-east-1'];

/**
 * Five kinds of finding, spread over the id range so that every batch mixes them:
 * - live: DEVICE_CERTIFICATE_EXPIRING_CHECK on a registered ACTIVE certificate: [cert-off, publish], both COMPLETED;
 * - missing: the same check on a certificate id that does not exist: cert-off FAILED (RESOURCE_NOT_FOUND), publish SKIPPED;
 * - policy: IOT_POLICY_OVERLY_PERMISSIVE_CHECK on a policy of its own: [blank-policy, publish], both COMPLETED. Replacing
 *   the default version is the one effect that is not idempotent (each run adds a version), so a second run would show;
 * - sns: CONFLICTING_CLIENT_IDS_CHECK: [publish], COMPLETED;
 * - suppressed: a suppressed sns finding: no target, counted as skipped in the statistics.
 */
type Kind = 'live' | 'missing' | 'policy' | 'sns' | 'suppressed';
export const LIVE = 200;
export const MISSING = 800;
export const POLICIES = 100;
export const SUPPRESSED = 100;
const FIXED = LIVE + MISSING + POLICIES + SUPPRESSED;

/** The executions each kind of finding must have, in action order: [action, status, errorCode]. */
const EXPECTED: Record<Kind, [string, string, string | undefined][]> = {
  live: [[CERT_OFF, 'COMPLETED', undefined], [PUBLISH, 'COMPLETED', undefined]],
  missing: [[CERT_OFF, 'FAILED', 'RESOURCE_NOT_FOUND'], [PUBLISH, 'SKIPPED', undefined]],
  policy: [[BLANK, 'COMPLETED', undefined], [PUBLISH, 'COMPLETED', undefined]],
  sns: [[PUBLISH, 'COMPLETED', undefined]],
  suppressed: [],
};

export interface Fleet {
  total: number;
  auditTaskId: string;
  certificateIds: string[];
  policyNames: string[];
  kinds: Map<string, Kind>;
}

/** Findings per injection request: the largest that stays under the 1 MiB body limit. */
const PER_REQUEST = 4000;

/** A fixed pseudo-random order (mulberry32), so runs differ only in kill timing. */
function shuffled<T>(items: T[], seed = 4242): T[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Runs `make` for 0..n-1, four at a time; answers the results in completion order. */
async function fourAtATime<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) out.push(await make(i));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

const finding = (findingId: string, checkName: string, resourceType: string, resourceIdentifier: Record<string, unknown>, isSuppressed = false) => ({
  findingId,
  checkName,
  severity: 'MEDIUM',
  nonCompliantResource: { resourceType, resourceIdentifier },
  ...(isSuppressed ? { isSuppressed } : {}),
});

/** Registers the certificates, creates the policies and actions, and injects `total` findings under one audit task. */
export async function buildFleet(url: string, client: IoTClient, total: number): Promise<Fleet> {
  assert.ok(total > FIXED, `at least ${FIXED + 1} findings`);
  const certificateIds = await fourAtATime(LIVE, async () => {
    const out = await client.send(new RegisterCertificateWithoutCACommand({ certificatePem: await makeSelfSigned(), status: 'ACTIVE' }));
    return out.certificateId!;
  });
  const policyNames = await fourAtATime(POLICIES, async (i) => {
    await openPolicy(client, `crash-policy-${i}`);
    return `crash-policy-${i}`;
  });
  await action(client, CERT_OFF, { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
  await action(client, BLANK, { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } });
  await action(client, PUBLISH, { publishFindingToSnsParams: { topicArn: TOPIC } });
  const counts: [Kind, number][] = [['live', LIVE], ['missing', MISSING], ['policy', POLICIES], ['suppressed', SUPPRESSED], ['sns', total - FIXED]];
  const kinds = shuffled(counts.flatMap(([kind, n]) => Array<Kind>(n).fill(kind)));
  const byId = new Map<string, Kind>();
  const next = { live: 0, policy: 0 };
  const findings = kinds.map((kind, i) => {
    const id = `f${String(i).padStart(7, '0')}`;
    byId.set(id, kind);
    if (kind === 'live') return finding(id, CERT_CHECK, 'DEVICE_CERTIFICATE', { deviceCertificateId: certificateIds[next.live++] });
    if (kind === 'missing') return finding(id, CERT_CHECK, 'DEVICE_CERTIFICATE', { deviceCertificateId: createHash('sha256').update(`missing-${i}`).digest('hex') });
    if (kind === 'policy') return finding(id, POLICY_CHECK, 'IOT_POLICY', { policyVersionIdentifier: { policyName: policyNames[next.policy++], policyVersionId: '1' } });
    return finding(id, SNS_CHECK, 'CLIENT_ID', { clientId: `client-${i}` }, kind === 'suppressed');
  });
  let auditTaskId: string | undefined;
  for (let i = 0; i < findings.length; i += PER_REQUEST) {
    const out = await injectFindings(url, { taskId: auditTaskId, findings: findings.slice(i, i + PER_REQUEST) });
    auditTaskId = out.taskId;
  }
  return { total, auditTaskId: auditTaskId!, certificateIds, policyNames, kinds: byId };
}

export async function startTask(client: IoTClient, fleet: Fleet, taskId: string): Promise<void> {
  const out = await client.send(
    new StartAuditMitigationActionsTaskCommand({
      taskId,
      target: { auditTaskId: fleet.auditTaskId },
      auditCheckToActionsMapping: { [CERT_CHECK]: [CERT_OFF, PUBLISH], [POLICY_CHECK]: [BLANK, PUBLISH], [SNS_CHECK]: [PUBLISH] },
    }),
  );
  assert.equal(out.taskId, taskId);
}

const stat = (total: number, succeeded: number, failed: number, skipped: number) => ({
  totalFindingsCount: total,
  succeededFindingsCount: succeeded,
  failedFindingsCount: failed,
  skippedFindingsCount: skipped,
  canceledFindingsCount: 0,
});

/** The statistics Describe must show at the end. */
export function expectedStatistics(total: number): Record<string, ReturnType<typeof stat>> {
  const sns = total - LIVE - MISSING - POLICIES;
  return {
    [CERT_CHECK]: stat(LIVE + MISSING, LIVE, MISSING, 0),
    [POLICY_CHECK]: stat(POLICIES, POLICIES, 0, 0),
    [SNS_CHECK]: stat(sns, sns - SUPPRESSED, 0, SUPPRESSED),
  };
}

export interface Progress {
  status: string;
  /** Findings finished (succeeded + failed + skipped + canceled), over all checks. */
  done: number;
}

/** Reads the task's progress and checks that no check's count went backwards or above its total. */
export async function progress(client: IoTClient, taskId: string, seen: Map<string, number>): Promise<Progress> {
  const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
  let all = 0;
  for (const [check, s] of Object.entries(d.taskStatistics ?? {})) {
    const done = (s.succeededFindingsCount ?? 0) + (s.failedFindingsCount ?? 0) + (s.canceledFindingsCount ?? 0) + (s.skippedFindingsCount ?? 0);
    assert.ok(done <= s.totalFindingsCount!, `${check}: ${done} finished of ${s.totalFindingsCount}`);
    assert.ok(done >= (seen.get(check) ?? 0), `${check} went backwards: ${done} after ${seen.get(check)}`);
    seen.set(check, done);
    all += done;
  }
  return { status: d.taskStatus!, done: all };
}

/** Polls until the task has ended; answers its final status. */
export async function waitEnd(client: IoTClient, taskId: string, seen: Map<string, number>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(client, taskId, seen);
    if (p.status !== 'IN_PROGRESS') return p.status;
    if (Date.now() > deadline) assert.fail(`task ${taskId} still IN_PROGRESS after ${timeoutMs} ms (${p.done} findings done)`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The end state through the public API: status, exact statistics, a sample of findings' executions, every certificate INACTIVE, every policy with one blank version more. */
export async function verifyThroughApi(client: IoTClient, fleet: Fleet, taskId: string): Promise<void> {
  const d = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
  assert.equal(d.taskStatus, 'FAILED', 'an audit task with failed findings ends FAILED');
  assert.ok(d.endTime instanceof Date);
  assert.deepEqual(d.taskStatistics, expectedStatistics(fleet.total));
  for (const kind of Object.keys(EXPECTED) as Kind[]) {
    const sample = [...fleet.kinds].filter(([, k]) => k === kind).slice(0, 5);
    for (const [findingId] of sample) {
      const out = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId, findingId }));
      assert.deepEqual(
        out.actionsExecutions?.map((e) => [e.actionName, e.status, e.errorCode]),
        EXPECTED[kind],
        `executions of ${kind} finding ${findingId}`,
      );
    }
  }
  for (const certificateId of fleet.certificateIds) {
    const c = await client.send(new DescribeCertificateCommand({ certificateId }));
    assert.equal(c.certificateDescription?.status, 'INACTIVE', `certificate ${certificateId}`);
  }
  for (const policyName of fleet.policyNames) {
    const versions = await client.send(new ListPolicyVersionsCommand({ policyName }));
    assert.deepEqual(versions.policyVersions?.map((v) => [v.versionId, v.isDefaultVersion]).sort(), [['1', false], ['2', true]], `versions of ${policyName}`);
  }
}

/** SQL on the server's database with `?` placeholders (PostgreSQL answers BIGINT and COUNT as strings: wrap in Number). */
export interface Sql {
  all(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Opens a stopped server's SQLite file (Warden holds it exclusively while it runs). */
export function sqliteSql(dataDir: string): Sql {
  const db = new Database(join(dataDir, 'warden.sqlite'), { readonly: true });
  return { all: async (sql, params = []) => db.prepare(sql).all(...params) as Record<string, unknown>[], close: async () => void db.close() };
}

export async function pgSql(schema: string): Promise<Sql> {
  const c = new pg.Client({ connectionString: PG_BASE, options: `-c search_path=${schema}` });
  await c.connect();
  return {
    all: async (sql, params = []) => {
      let n = 0;
      return (await c.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
    },
    close: () => c.end(),
  };
}

/**
 * The end state in the database itself: every (finding, action) has exactly the one execution
 * record its kind calls for, every target is DONE, the outbox holds exactly one message (one
 * distinct message id) per publish that ran, the task's counters and statistics are exact, every
 * registered certificate is INACTIVE and every policy has exactly one version more.
 */
export async function verifyInDatabase(sql: Sql, fleet: Fleet, taskId: string): Promise<void> {
  const key = [...SCOPE, 'audit', taskId];
  const TASK = 'account_id = ? AND region = ? AND kind = ? AND task_id = ?';
  const rows = await sql.all(`SELECT target_id, action_index, action_name, status, error_code FROM mitigation_executions WHERE ${TASK} ORDER BY target_id, action_index`, key);
  const byTarget = new Map<string, [string, string, string | undefined][]>();
  for (const r of rows) {
    const list = byTarget.get(r.target_id as string) ?? [];
    assert.equal(Number(r.action_index), list.length, `action ${r.action_index} of ${r.target_id} recorded once, in order`);
    list.push([r.action_name as string, r.status as string, (r.error_code as string | null) ?? undefined]);
    byTarget.set(r.target_id as string, list);
  }
  let expectedRows = 0;
  for (const [findingId, kind] of fleet.kinds) {
    expectedRows += EXPECTED[kind].length;
    if (EXPECTED[kind].length) assert.deepEqual(byTarget.get(findingId), EXPECTED[kind], `executions of ${kind} finding ${findingId}`);
    else assert.equal(byTarget.get(findingId), undefined, `no executions for ${kind} finding ${findingId}`);
  }
  assert.equal(rows.length, expectedRows, 'execution records');

  const targets = await sql.all(`SELECT state, COUNT(*) AS n_count FROM mitigation_targets WHERE ${TASK} GROUP BY state`, key);
  assert.deepEqual(targets.map((t) => [t.state, Number(t.n_count)]), [['DONE', fleet.total - SUPPRESSED]]);

  // One message per finding whose publish COMPLETED, none for the others, each with its own id.
  const messages = await sql.all('SELECT target_id, message_id FROM sns_outbox WHERE account_id = ? AND region = ? AND task_kind = ? AND task_id = ? AND action_name = ? AND topic_arn = ?', [
    ...key, PUBLISH, TOPIC,
  ]);
  const [all] = await sql.all('SELECT COUNT(*) AS n FROM sns_outbox WHERE account_id = ? AND region = ? AND task_kind = ? AND task_id = ?', key);
  assert.equal(Number(all.n), messages.length, 'no message for another action or topic');
  const messageIds = new Set(messages.map((m) => m.message_id));
  const perTarget = new Map<string, number>();
  for (const m of messages) perTarget.set(m.target_id as string, (perTarget.get(m.target_id as string) ?? 0) + 1);
  let published = 0;
  for (const [findingId, kind] of fleet.kinds) {
    const expected = EXPECTED[kind].some(([a, status]) => a === PUBLISH && status === 'COMPLETED') ? 1 : 0;
    published += expected;
    assert.equal(perTarget.get(findingId) ?? 0, expected, `messages for ${kind} finding ${findingId}`);
  }
  assert.equal(messages.length, published, 'outbox messages');
  assert.equal(messageIds.size, published, 'distinct message ids');

  const [task] = await sql.all(
    `SELECT status, target_count, done_count, failed_targets, awaiting, executed, failed_executions, skipped_executions FROM mitigation_tasks WHERE ${TASK}`,
    key,
  );
  const counters = Object.fromEntries(Object.entries(task).map(([k, v]) => [k, k === 'status' ? v : Number(v)]));
  const executions = [...fleet.kinds.values()].flatMap((kind) => EXPECTED[kind].map(([, status]) => status));
  const count = (...statuses: string[]) => executions.filter((st) => statuses.includes(st)).length;
  assert.deepEqual(counters, {
    status: 'FAILED',
    target_count: fleet.total - SUPPRESSED,
    done_count: fleet.total - SUPPRESSED,
    failed_targets: MISSING,
    awaiting: 0,
    executed: count('COMPLETED', 'FAILED'),
    failed_executions: count('FAILED'),
    skipped_executions: count('SKIPPED'),
  });

  const stats = await sql.all('SELECT check_name, total, succeeded, failed, skipped, canceled FROM mitigation_task_stats WHERE account_id = ? AND region = ? AND task_id = ? ORDER BY check_name', [
    ...SCOPE, taskId,
  ]);
  const want = expectedStatistics(fleet.total);
  assert.deepEqual(
    stats.map((s) => [s.check_name, Number(s.total), Number(s.succeeded), Number(s.failed), Number(s.skipped), Number(s.canceled)]),
    Object.keys(want).sort().map((c) => {
      const s = want[c];
      return [c, s.totalFindingsCount, s.succeededFindingsCount, s.failedFindingsCount, s.skippedFindingsCount, s.canceledFindingsCount];
    }),
  );

  // Each policy got exactly one new version (a second run would have added another).
  const policies = await sql.all(
    `SELECT p.default_version_id, p.last_version_id, (SELECT COUNT(*) FROM policy_versions v WHERE v.account_id = p.account_id AND v.region = p.region AND v.policy_name = p.name) AS n_versions
     FROM policies p WHERE p.account_id = ? AND p.region = ? AND p.name IN (${fleet.policyNames.map(() => '?').join(', ')})`,
    [...SCOPE, ...fleet.policyNames],
  );
  assert.equal(policies.length, POLICIES);
  for (const p of policies) assert.deepEqual([String(p.default_version_id), Number(p.last_version_id), Number(p.n_versions)], ['2', 2, 2]);

  const certs = await sql.all(
    `SELECT status, COUNT(*) AS n_count FROM certificates WHERE account_id = ? AND region = ? AND certificate_id IN (${fleet.certificateIds.map(() => '?').join(', ')}) GROUP BY status`,
    [...SCOPE, ...fleet.certificateIds],
  );
  assert.deepEqual(certs.map((c) => [c.status, Number(c.n_count)]), [['INACTIVE', LIVE]]);
}

/**
 * The local TCP ports of a process's connections to PostgreSQL's port (from /proc), so a test
 * can find that process's sessions in pg_stat_activity by client_port.
 */
export function pgClientPorts(pid: number, pgPort = Number(new URL(PG_BASE).port || 5432)): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // the descriptor closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      const local = parseInt(f[1].split(':')[1], 16);
      const remote = parseInt(f[2].split(':')[1], 16);
      if (remote === pgPort) ports.push(local);
    }
  }
  return ports;
}
