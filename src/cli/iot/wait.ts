// `warden iot wait audit-mitigation-task|detect-mitigation-task|audit-task <task-id>`: follows a task until it
// ends, with a progress bar per audit check (findings done of total, succeeded, failed, skipped, canceled),
// the rate and an ETA on a terminal, plain lines otherwise. Exit 0 when the task ends COMPLETED/SUCCESSFUL.
import { DescribeAuditMitigationActionsTaskCommand, DescribeAuditTaskCommand, DescribeDetectMitigationActionsTaskCommand, type IoTClient } from '@aws-sdk/client-iot';
import { UsageError, type Globals } from './args.js';
import { makeClient } from './client.js';
import { resolve } from './config.js';

interface Row {
  name: string;
  total?: number;
  succeeded: number;
  failed: number;
  skipped: number;
  canceled: number;
}
interface Snapshot {
  status: string;
  rows: Row[];
}

const KINDS: Record<string, (c: IoTClient, id: string) => Promise<Snapshot>> = {
  'audit-mitigation-task': async (c, taskId) => {
    const r = await c.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
    const rows = Object.entries(r.taskStatistics ?? {}).map(([name, s]) => ({ name, total: s.totalFindingsCount, succeeded: s.succeededFindingsCount ?? 0, failed: s.failedFindingsCount ?? 0, skipped: s.skippedFindingsCount ?? 0, canceled: s.canceledFindingsCount ?? 0 }));
    return { status: r.taskStatus ?? 'UNKNOWN', rows };
  },
  'detect-mitigation-task': async (c, taskId) => {
    const s = (await c.send(new DescribeDetectMitigationActionsTaskCommand({ taskId }))).taskSummary;
    const st = s?.taskStatistics ?? {};
    return { status: s?.taskStatus ?? 'UNKNOWN', rows: [{ name: 'actions', succeeded: st.actionsExecuted ?? 0, failed: st.actionsFailed ?? 0, skipped: st.actionsSkipped ?? 0, canceled: 0 }] };
  },
  'audit-task': async (c, taskId) => {
    const r = await c.send(new DescribeAuditTaskCommand({ taskId }));
    const rows = Object.entries(r.auditDetails ?? {}).map(([name, d]) => ({ name, total: 1, succeeded: d.checkRunStatus === 'COMPLETED_COMPLIANT' || d.checkRunStatus === 'COMPLETED_NON_COMPLIANT' ? 1 : 0, failed: d.checkRunStatus === 'FAILED' ? 1 : 0, skipped: 0, canceled: d.checkRunStatus === 'CANCELED' ? 1 : 0 }));
    return { status: r.taskStatus ?? 'UNKNOWN', rows };
  },
};

const done = (r: Row) => r.succeeded + r.failed + r.skipped + r.canceled;

export function renderProgress(s: Snapshot, elapsedMs: number, width = 30): string[] {
  const lines = [`task ${s.status}`];
  const all = s.rows.reduce((n, r) => n + done(r), 0);
  const total = s.rows.every((r) => r.total !== undefined) ? s.rows.reduce((n, r) => n + (r.total ?? 0), 0) : undefined;
  const rate = elapsedMs > 0 ? all / (elapsedMs / 1000) : 0;
  for (const r of s.rows) {
    const frac = r.total ? Math.min(1, done(r) / r.total) : s.status === 'IN_PROGRESS' ? 0 : 1;
    const bar = `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}]`;
    lines.push(`${r.name.padEnd(40)} ${bar} ${done(r)}/${r.total ?? '?'} succeeded ${r.succeeded} failed ${r.failed} skipped ${r.skipped} canceled ${r.canceled}`);
  }
  const eta = total !== undefined && rate > 0 ? `${Math.ceil((total - all) / rate)}s` : '?';
  lines.push(`${all}${total !== undefined ? `/${total}` : ''} done, ${rate.toFixed(1)}/s, ETA ${s.status === 'IN_PROGRESS' ? eta : '0s'}`);
  return lines;
}

export async function waitCommand(args: string[], globals: Globals, io: { out: (s: string) => void; err: (s: string) => void; env: NodeJS.ProcessEnv }): Promise<number> {
  const [kind, taskId] = args;
  const describe = KINDS[kind ?? ''];
  if (!describe || !taskId) throw new UsageError(`usage: warden iot wait ${Object.keys(KINDS).join('|')} <task-id>`);
  const conf = resolve({ profile: globals.profile as string | undefined, region: globals.region as string | undefined, endpointUrl: globals['endpoint-url'] as string | undefined }, io.env);
  const client = makeClient(conf, globals, io);
  const tty = !!process.stdout.isTTY;
  const started = Date.now();
  let drawn = 0;
  let last = '';
  for (;;) {
    const snap = await describe(client, taskId);
    const lines = renderProgress(snap, Date.now() - started);
    if (tty) {
      io.out(`${drawn ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      drawn = lines.length;
    } else if (lines.join('\n') !== last) {
      io.out(`${lines.join('\n')}\n`);
      last = lines.join('\n');
    }
    if (snap.status !== 'IN_PROGRESS') return snap.status === 'COMPLETED' || snap.status === 'SUCCESSFUL' ? 0 : 1;
    await new Promise((r) => setTimeout(r, Number(io.env.WARDEN_WAIT_INTERVAL_MS ?? 1000)));
  }
}
