// Shared by the audit tests (the audit check tests through check-harness.ts) and the action handler
// tests: an in-process server, by default on a ManualClock with a wide signature skew (so the clock
// can move days without breaking SigV4), the account audit configuration, and waiting for an audit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAuditTaskCommand,
  UpdateAccountAuditConfigurationCommand,
  type DescribeAuditTaskCommandOutput,
  type IoTClient,
  type UpdateAccountAuditConfigurationCommandInput,
} from '@aws-sdk/client-iot';
import { createServer, ManualClock, type Clock, type WardenOptions, type WardenServer } from '../../src/index.js';
import { dropSchema, freshSchema, iot, PG_BASE, type Backend } from '../harness.js';

export const AUDIT_ROLE = 'arn:aws:iam::000000000000:role/warden-audit';
export const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

export interface InProcess<C extends Clock = ManualClock> {
  server: WardenServer;
  url: string;
  client: IoTClient;
  clock: C;
  dataDir: string;
  databaseUrl?: string;
  /** Closes the server (keeping the data) so a test can reopen the same database. */
  close(): Promise<void>;
  /** Closes and removes the data folder or schema. */
  cleanup(): Promise<void>;
}

export interface InProcessOptions {
  /** SigV4's allowed clock difference; the wide default lets tests move the clock by days. */
  skewMs?: number;
  /** Start of the temp data folder's name, so a leftover folder says which test made it. */
  dirPrefix?: string;
  /** Further createServer options (enableReset, engine...). */
  server?: Omit<WardenOptions, 'port' | 'dataDir' | 'databaseUrl' | 'clock' | 'logLevel' | 'skewMs'>;
}

/** Starts a server on `start`: a date (a new ManualClock from it), or a clock the caller already holds. */
export function inProcess(backend: Backend, start?: Date, options?: InProcessOptions): Promise<InProcess>;
export function inProcess<C extends Clock>(backend: Backend, start: C, options?: InProcessOptions): Promise<InProcess<C>>;
export async function inProcess(backend: Backend, start: Date | Clock = new Date(), options: InProcessOptions = {}): Promise<InProcess<Clock>> {
  const clock = start instanceof Date ? new ManualClock(start) : start;
  const dataDir = mkdtempSync(join(tmpdir(), options.dirPrefix ?? 'warden-audit-config-'));
  const schema = backend === 'postgres' ? freshSchema() : undefined;
  const databaseUrl = schema ? `${PG_BASE}?schema=${schema}` : undefined;
  const removeData = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  };
  // A failed start hands the caller nothing to clean up with, so the folder and schema go here.
  const server = await createServer({ ...options.server, port: 0, dataDir, databaseUrl, clock, logLevel: 'silent', skewMs: options.skewMs ?? 1000 * 24 * 3600_000 }).catch(
    async (err: unknown) => {
      await removeData();
      throw err;
    },
  );
  const url = await server.listen().catch(async (err: unknown) => {
    await server.close();
    await removeData();
    throw err;
  });
  const client = iot(url);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    client.destroy();
    await server.close();
  };
  return {
    server,
    url,
    client,
    clock,
    dataDir,
    databaseUrl,
    close,
    async cleanup() {
      await close();
      await removeData();
    },
  };
}

/**
 * Enables `checks` (and sets the audit role) through UpdateAccountAuditConfiguration; `extra`
 * adds to the input (a notification target, say).
 */
export async function enableChecks(
  client: IoTClient,
  checks: string[],
  enabled = true,
  extra: Partial<UpdateAccountAuditConfigurationCommandInput> = {},
): Promise<void> {
  await client.send(
    new UpdateAccountAuditConfigurationCommand({
      roleArn: AUDIT_ROLE,
      auditCheckConfigurations: Object.fromEntries(checks.map((c) => [c, { enabled }])),
      ...extra,
    }),
  );
}

/** Polls DescribeAuditTask until the audit leaves IN_PROGRESS; counts never go backwards. */
export async function waitAuditTask(client: IoTClient, taskId: string, timeoutMs = 30_000): Promise<DescribeAuditTaskCommandOutput> {
  const deadline = Date.now() + timeoutMs;
  let finished = 0;
  for (;;) {
    const d = await client.send(new DescribeAuditTaskCommand({ taskId }));
    const s = d.taskStatistics!;
    const done = s.totalChecks! - s.inProgressChecks!;
    assert.ok(done >= finished, 'finished checks never go backwards');
    finished = done;
    if (d.taskStatus !== 'IN_PROGRESS') return d;
    if (Date.now() > deadline) assert.fail(`audit ${taskId} still IN_PROGRESS after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
