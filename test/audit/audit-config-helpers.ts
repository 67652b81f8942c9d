// Shared by the audit-config, suppressions and scheduled-audits tests (and, through check-harness.ts,
// the audit check tests): an in-process server on a ManualClock (by default a wide signature skew, so
// the clock can move days without breaking SigV4) and the account audit configuration they need.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateAccountAuditConfigurationCommand, type IoTClient } from '@aws-sdk/client-iot';
import { createServer, ManualClock, type WardenServer } from '../../src/index.js';
import { dropSchema, freshSchema, iot, PG_BASE, type Backend } from '../harness.js';

export const AUDIT_ROLE = 'arn:aws:iam::000000000000:role/warden-audit';
export const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

export interface InProcess {
  server: WardenServer;
  url: string;
  client: IoTClient;
  clock: ManualClock;
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
}

/** Starts a server on `start` (a date, or a clock the caller already holds). */
export async function inProcess(backend: Backend, start: Date | ManualClock = new Date(), options: InProcessOptions = {}): Promise<InProcess> {
  const clock = start instanceof ManualClock ? start : new ManualClock(start);
  const dataDir = mkdtempSync(join(tmpdir(), options.dirPrefix ?? 'warden-audit-config-'));
  const schema = backend === 'postgres' ? freshSchema() : undefined;
  const databaseUrl = schema ? `${PG_BASE}?schema=${schema}` : undefined;
  const removeData = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  };
  // A failed start hands the caller nothing to clean up with, so the folder and schema go here.
  const server = await createServer({ port: 0, dataDir, databaseUrl, clock, logLevel: 'silent', skewMs: options.skewMs ?? 1000 * 24 * 3600_000 }).catch(
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

/** Enables `checks` (and sets the audit role) through UpdateAccountAuditConfiguration. */
export async function enableChecks(client: IoTClient, checks: string[], enabled = true): Promise<void> {
  await client.send(
    new UpdateAccountAuditConfigurationCommand({
      roleArn: AUDIT_ROLE,
      auditCheckConfigurations: Object.fromEntries(checks.map((c) => [c, { enabled }])),
    }),
  );
}
