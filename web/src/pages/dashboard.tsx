import {
  DescribeAuditTaskCommand,
  ListActiveViolationsCommand,
  ListAuditMitigationActionsTasksCommand,
  DescribeAuditMitigationActionsTaskCommand,
  type TaskStatisticsForAuditCheck,
  ListAuditTasksCommand,
  ListDetectMitigationActionsTasksCommand,
  ListViolationEventsCommand,
  type AuditCheckDetails,
  type AuditTaskMetadata,
  type DescribeAuditTaskCommandOutput,
} from '@aws-sdk/client-iot';
import { useMemo } from 'preact/hooks';
import { iot } from '../api';
import { TimeChart } from '../chart';
import { CHECKS, SEVERITIES, pretty } from '../checks';
import { Empty, ErrorBox, Link, Loading, Progress, Status, fmtDate, useInterval, useLoad } from '../ui';

const DAY = 86_400_000;
/** How many past audits the chart reads: one DescribeAuditTask each (the bound README states; test/console/dashboard-requests.test.ts counts them). */
const CHART_AUDITS = 20;

/** What the summary and the chart share, read once per visit: one page of ListAuditTasks, and each DescribeAuditTask once. */
interface Audits {
  tasks: { data?: AuditTaskMetadata[]; error?: string };
  describe: (taskId: string) => Promise<DescribeAuditTaskCommandOutput>;
}

export function Dashboard() {
  const tasks = useLoad(() => recentAudits(25));
  const describe = useMemo(() => {
    const seen = new Map<string, Promise<DescribeAuditTaskCommandOutput>>();
    return (taskId: string) => {
      let d = seen.get(taskId);
      if (!d) seen.set(taskId, (d = iot().send(new DescribeAuditTaskCommand({ taskId }))));
      return d;
    };
  }, []);
  const audits: Audits = { tasks, describe };
  return (
    <section>
      <h1>Dashboard</h1>
      <LatestAudit audits={audits} />
      <div class="grid2">
        <ActiveViolations />
        <RunningTasks />
      </div>
      <History audits={audits} />
    </section>
  );
}

async function recentAudits(max: number) {
  const now = new Date();
  const r = await iot().send(new ListAuditTasksCommand({ startTime: new Date(now.getTime() - 89 * DAY), endTime: now, maxResults: max }));
  return r.tasks ?? [];
}

function LatestAudit({ audits }: { audits: Audits }) {
  const tasks = audits.tasks.data;
  const latest = useLoad(async () => {
    if (!tasks) return undefined;
    const done = tasks.find((t) => t.taskStatus === 'COMPLETED');
    if (!done?.taskId) return { running: tasks.find((t) => t.taskStatus === 'IN_PROGRESS') };
    const d = await audits.describe(done.taskId);
    return { taskId: done.taskId, task: d, running: tasks.find((t) => t.taskStatus === 'IN_PROGRESS') };
  }, [tasks]);
  if (audits.tasks.error || latest.error) return <ErrorBox error={audits.tasks.error ?? latest.error} />;
  if (!latest.data) return <Loading what="the latest audit" />;
  const { task, taskId, running } = latest.data!;
  if (!task || !taskId) {
    return (
      <Empty>
        <h2>No audit has run yet</h2>
        <p>
          Start here: open <Link to="/audit">Audit</Link>, enable the checks you want (for example expiring device
          certificates and overly permissive policies), then press <em>Run audit now</em>. Its findings appear on this page.
        </p>
        {running && <p>An audit is running now: <Link to={`/audit/tasks/${running.taskId}`}>{running.taskId}</Link>.</p>}
      </Empty>
    );
  }
  const details = Object.entries(task.auditDetails ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const bySeverity = new Map<string, number>();
  for (const [name, d] of details) {
    const sev = CHECKS[name]?.severity ?? 'UNKNOWN';
    bySeverity.set(sev, (bySeverity.get(sev) ?? 0) + (d.nonCompliantResourcesCount ?? 0) - (d.suppressedNonCompliantResourcesCount ?? 0));
  }
  return (
    <>
      <h2>Latest audit</h2>
      <p>
        <Link to={`/audit/tasks/${taskId}`}>{taskId}</Link> ({task.taskType === 'SCHEDULED_AUDIT_TASK' ? `scheduled: ${task.scheduledAuditName}` : 'on demand'}),
        started {fmtDate(task.taskStartTime)}.
      </p>
      <ul class="tiles" aria-label="Findings by severity">
        {SEVERITIES.map((s) => (
          <li class={`tile sev-${s.toLowerCase()}`}><span class="n">{bySeverity.get(s) ?? 0}</span> {s.toLowerCase()}</li>
        ))}
      </ul>
      <table>
        <caption>Checks of the latest audit</caption>
        <thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Severity</th><th scope="col">Resources</th><th scope="col">Non-compliant</th><th scope="col">Suppressed</th></tr></thead>
        <tbody>
          {details.map(([name, d]) => <CheckRow name={name} d={d} taskId={taskId} />)}
        </tbody>
      </table>
    </>
  );
}

function CheckRow({ name, d, taskId }: { name: string; d: AuditCheckDetails; taskId: string }) {
  const result = d.checkRunStatus !== 'COMPLETED_COMPLIANT' && d.checkRunStatus !== 'COMPLETED_NON_COMPLIANT' ? d.checkRunStatus : d.checkCompliant ? 'COMPLIANT' : 'NON_COMPLIANT';
  return (
    <tr>
      <th scope="row"><Link to={`/audit/tasks/${taskId}?checkName=${name}`}>{pretty(name)}</Link></th>
      <td><Status value={result} /></td>
      <td>{CHECKS[name]?.severity ?? '—'}</td>
      <td>{d.totalResourcesCount ?? 0}</td>
      <td>{d.nonCompliantResourcesCount ?? 0}</td>
      <td>{d.suppressedNonCompliantResourcesCount ?? 0}</td>
    </tr>
  );
}

function ActiveViolations() {
  const v = useLoad(() => iot().send(new ListActiveViolationsCommand({ maxResults: 250 })));
  const groups = useMemo(() => {
    const m = new Map<string, number>();
    for (const a of v.data?.activeViolations ?? []) {
      const k = `${a.securityProfileName}\u0000${a.behavior?.name ?? a.behavior?.metric ?? '?'}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m.entries()].map(([k, n]) => ({ profile: k.split('\u0000')[0], behavior: k.split('\u0000')[1], n })).sort((a, b) => b.n - a.n);
  }, [v.data]);
  return (
    <div>
      <h2>Active violations</h2>
      {v.loading && !v.data ? <Loading what="violations" /> : v.error ? <ErrorBox error={v.error} /> : groups.length === 0 ? (
        <p class="muted">No device is in alarm. Security profiles are on the <Link to="/detect">Detect</Link> page.</p>
      ) : (
        <table>
          <caption>By security profile and behavior{v.data?.nextToken ? ' (first 250 violations)' : ''}</caption>
          <thead><tr><th scope="col">Profile</th><th scope="col">Behavior</th><th scope="col">Violations</th></tr></thead>
          <tbody>{groups.map((g) => <tr><td><Link to={`/detect?profile=${encodeURIComponent(g.profile)}`}>{g.profile}</Link></td><td>{g.behavior}</td><td>{g.n}</td></tr>)}</tbody>
        </table>
      )}
    </div>
  );
}

function RunningTasks() {
  const t = useLoad(async () => {
    const now = new Date();
    const range = { startTime: new Date(now.getTime() - 30 * DAY), endTime: new Date(now.getTime() + DAY), maxResults: 25 };
    const [audit, detect] = await Promise.all([
      iot().send(new ListAuditMitigationActionsTasksCommand({ ...range, taskStatus: 'IN_PROGRESS' })),
      iot().send(new ListDetectMitigationActionsTasksCommand(range)),
    ]);
    const running = (audit.tasks ?? []).filter((x) => x.taskId);
    const described = await Promise.all(running.map((x) => iot().send(new DescribeAuditMitigationActionsTaskCommand({ taskId: x.taskId! }))));
    return {
      audit: running.map((x, i) => ({ taskId: x.taskId!, progress: auditProgress(described[i].taskStatistics) })),
      detect: (detect.tasks ?? []).filter((d) => d.taskStatus === 'IN_PROGRESS'),
    };
  });
  useInterval(t.reload, 1000);
  const none = t.data && t.data.audit.length === 0 && t.data.detect.length === 0;
  return (
    <div>
      <h2>Mitigation tasks in progress</h2>
      {!t.data ? (t.error ? <ErrorBox error={t.error} /> : <Loading what="tasks" />) : none ? (
        <p class="muted">None running. Start one from an audit's findings or from active violations; all tasks are on <Link to="/mitigation">Mitigation</Link>.</p>
      ) : (
        <ul class="plain">
          {t.data.audit.map((x) => <li><Link to={`/mitigation/tasks/${x.taskId}`}>{x.taskId}</Link> (audit) <Progress done={x.progress.done} total={x.progress.total} label={`Progress of ${x.taskId}`} /></li>)}
          {t.data.detect.map((x) => {
            const s = x.taskStatistics;
            const done = (s?.actionsExecuted ?? 0) + (s?.actionsFailed ?? 0) + (s?.actionsSkipped ?? 0);
            return <li><Link to={`/detect/tasks/${x.taskId}`}>{x.taskId}</Link> (detect): {done} actions done, {s?.actionsFailed ?? 0} failed</li>;
          })}
        </ul>
      )}
    </div>
  );
}

/** Findings done (succeeded, failed, skipped, canceled) out of all, over a task's checks. */
export function auditProgress(stats?: Record<string, TaskStatisticsForAuditCheck>): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const s of Object.values(stats ?? {})) {
    total += s.totalFindingsCount ?? 0;
    done += (s.succeededFindingsCount ?? 0) + (s.failedFindingsCount ?? 0) + (s.skippedFindingsCount ?? 0) + (s.canceledFindingsCount ?? 0);
  }
  return { done, total };
}

function History({ audits }: { audits: Audits }) {
  const tasks = audits.tasks.data;
  const h = useLoad(async () => {
    if (!tasks) return undefined;
    const completed = tasks.filter((t) => t.taskStatus === 'COMPLETED' && t.taskId).slice(0, CHART_AUDITS);
    const described = await Promise.all(completed.map((t) => audits.describe(t.taskId!)));
    const now = new Date();
    const events = await iot().send(new ListViolationEventsCommand({ startTime: new Date(now.getTime() - 30 * DAY), endTime: now, maxResults: 250 }));
    return { described, events: events.violationEvents ?? [] };
  }, [tasks]);
  const data = useMemo(() => {
    if (!h.data) return undefined;
    const points = h.data.described
      .map((d) => ({ t: Math.floor(new Date(d.taskStartTime ?? 0).getTime() / 1000), n: Object.values(d.auditDetails ?? {}).reduce((a, c) => a + (c.nonCompliantResourcesCount ?? 0), 0) }))
      .sort((a, b) => a.t - b.t);
    const dayOf = (d?: Date) => Math.floor(new Date(d ?? 0).getTime() / DAY) * 86_400;
    const byDay = new Map<number, number>();
    for (const e of h.data.events) if (e.violationEventType === 'in-alarm') byDay.set(dayOf(e.violationEventTime), (byDay.get(dayOf(e.violationEventTime)) ?? 0) + 1);
    const times = [...new Set([...points.map((p) => p.t), ...byDay.keys()])].sort((a, b) => a - b);
    const f = new Map(points.map((p) => [p.t, p.n]));
    return {
      times,
      series: [
        { label: 'non-compliant findings per audit', color: '#b42318', values: times.map((t) => f.get(t) ?? null) },
        { label: 'violations raised per day', color: '#1d4ed8', values: times.map((t) => byDay.get(t) ?? null) },
      ],
    };
  }, [h.data]);
  return (
    <div>
      <h2>Over time</h2>
      {audits.tasks.error || h.error ? <ErrorBox error={audits.tasks.error ?? h.error} /> : !data ? <Loading what="history" /> : data.times.length === 0 ? (
        <p class="muted">Nothing to draw yet: the chart shows each audit's non-compliant findings and the violations raised each day.</p>
      ) : (
        <TimeChart title="Findings and violations" times={data.times} series={data.series} />
      )}
    </div>
  );
}
