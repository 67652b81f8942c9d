import {
  CancelDetectMitigationActionsTaskCommand,
  DescribeDetectMitigationActionsTaskCommand,
  DescribeSecurityProfileCommand,
  ListActiveViolationsCommand,
  ListDetectMitigationActionsExecutionsCommand,
  ListDetectMitigationActionsTasksCommand,
  ListMetricValuesCommand,
  ListSecurityProfilesCommand,
  ListTargetsForSecurityProfileCommand,
  ListViolationEventsCommand,
  PutVerificationStateOnViolationCommand,
  StartDetectMitigationActionsTaskCommand,
  type ActiveViolation,
} from '@aws-sdk/client-iot';
import { useMemo, useState } from 'preact/hooks';
import { iot } from '../api';
import { TimeChart } from '../chart';
import { actionsWithTypes } from '../checks';
import { navigate } from '../router';
import { ActionResult, Empty, ErrorBox, Link, Loading, Pager, Status, fmtDate, useAction, useInterval, useLoad, usePages } from '../ui';

const DAY = 86_400_000;
const enc = encodeURIComponent;
const VERIFICATION = ['UNKNOWN', 'TRUE_POSITIVE', 'BENIGN_POSITIVE', 'FALSE_POSITIVE'];

export function DetectPage({ query }: { query: URLSearchParams }) {
  const [profile, setProfile] = useState(query.get('profile') ?? '');
  const [thing, setThing] = useState(query.get('thing') ?? '');
  return (
    <section>
      <h1>Detect</h1>
      <Profiles current={profile} onPick={setProfile} />
      <Violations profile={profile} thing={thing} setThing={setThing} />
      <DetectTasks />
      <History profile={profile} thing={thing} />
    </section>
  );
}

function Profiles({ current, onPick }: { current: string; onPick: (p: string) => void }) {
  const list = usePages(async (nextToken) => {
    const r = await iot().send(new ListSecurityProfilesCommand({ nextToken, maxResults: 25 }));
    return { items: r.securityProfileIdentifiers ?? [], nextToken: r.nextToken };
  });
  const detail = useLoad(async () => {
    if (!current) return undefined;
    const [d, t] = await Promise.all([
      iot().send(new DescribeSecurityProfileCommand({ securityProfileName: current })),
      iot().send(new ListTargetsForSecurityProfileCommand({ securityProfileName: current, maxResults: 25 })),
    ]);
    return { d, targets: t.securityProfileTargets ?? [] };
  }, [current]);
  return (
    <div>
      <h2>Security profiles</h2>
      {list.error ? <ErrorBox error={list.error} /> : !list.data ? <Loading what="profiles" /> : list.data.items.length === 0 ? (
        <Empty><p>No security profile. Create one with CreateSecurityProfile (behaviors with thresholds) and attach it to a thing group with AttachSecurityProfile; devices' metrics are then evaluated against it.</p></Empty>
      ) : (
        <ul class="plain">
          {list.data.items.map((p) => <li><button type="button" class="linkish" aria-pressed={p.name === current} onClick={() => onPick(p.name === current ? '' : p.name!)}>{p.name}</button></li>)}
        </ul>
      )}
      <Pager {...list} />
      {detail.error && <ErrorBox error={detail.error} />}
      {detail.data && (
        <div class="panel">
          <h3>{current}</h3>
          <p>{detail.data.d.securityProfileDescription}</p>
          <table>
            <caption>Behaviors</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Metric</th><th scope="col">Criteria</th></tr></thead>
            <tbody>{(detail.data.d.behaviors ?? []).map((b) => <tr><td>{b.name}</td><td>{b.metric}</td><td><code>{JSON.stringify(b.criteria ?? {})}</code></td></tr>)}</tbody>
          </table>
          <p>Targets: {detail.data.targets.length === 0 ? 'none' : detail.data.targets.map((t) => t.arn).join(', ')}</p>
        </div>
      )}
    </div>
  );
}

function Violations({ profile, thing, setThing }: { profile: string; thing: string; setThing: (t: string) => void }) {
  const [thingInput, setThingInput] = useState(thing);
  const v = usePages(async (nextToken) => {
    const r = await iot().send(new ListActiveViolationsCommand({ securityProfileName: profile || undefined, thingName: thing || undefined, nextToken, maxResults: 50 }));
    return { items: r.activeViolations ?? [], nextToken: r.nextToken };
  }, [profile, thing]);
  const [selected, setSelected] = useState<Map<string, ActiveViolation>>(new Map());
  const [chartOf, setChartOf] = useState<ActiveViolation>();
  const verify = useAction();
  const toggle = (a: ActiveViolation, on: boolean) => setSelected((s) => {
    const n = new Map(s);
    if (on) n.set(a.violationId!, a);
    else n.delete(a.violationId!);
    return n;
  });
  return (
    <div>
      <h2>Active violations</h2>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), setThing(thingInput.trim()))}>
        <label>Thing name<input value={thingInput} onInput={(e) => setThingInput(e.currentTarget.value)} placeholder="any" /></label>
        <button type="submit">Filter</button>
        {profile && <span>Profile: <strong>{profile}</strong></span>}
      </form>
      {v.error ? <ErrorBox error={v.error} /> : !v.data ? <Loading what="violations" /> : v.data.items.length === 0 ? <p class="muted">No active violation{profile || thing ? ' for this filter' : ''}.</p> : (
        <table aria-label="Active violations">
          <thead><tr><th scope="col"><span class="sr">Select</span></th><th scope="col">Thing</th><th scope="col">Profile</th><th scope="col">Behavior</th><th scope="col">Last value</th><th scope="col">Since</th><th scope="col">Verification</th><th scope="col"><span class="sr">Chart</span></th></tr></thead>
          <tbody>
            {v.data.items.map((a) => (
              <tr>
                <td><input type="checkbox" aria-label={`Select violation ${a.violationId}`} checked={selected.has(a.violationId!)} onChange={(e) => toggle(a, e.currentTarget.checked)} /></td>
                <td><Link to={`/things/${enc(a.thingName!)}`}>{a.thingName}</Link></td>
                <td>{a.securityProfileName}</td>
                <td>{a.behavior?.name} <span class="muted">({a.behavior?.metric})</span></td>
                <td>{a.lastViolationValue?.count ?? a.lastViolationValue?.number ?? (a.lastViolationValue ? JSON.stringify(a.lastViolationValue) : '—')}</td>
                <td>{fmtDate(a.violationStartTime)}</td>
                <td>
                  <select aria-label={`Verification state of ${a.violationId}`} value={a.verificationState ?? 'UNKNOWN'} onChange={(e) => verify.run(async () => {
                    await iot().send(new PutVerificationStateOnViolationCommand({ violationId: a.violationId!, verificationState: e.currentTarget.value as 'UNKNOWN' }));
                    v.reload();
                  })}>{VERIFICATION.map((s) => <option value={s}>{s}</option>)}</select>
                </td>
                <td><button type="button" onClick={() => setChartOf(a)}>Chart</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...v} />
      <ActionResult a={verify} />
      {chartOf && <MetricChart v={chartOf} />}
      {selected.size > 0 && <StartDetectTask violations={[...selected.values()]} />}
    </div>
  );
}

/** The behavior's metric for the violating thing over the last day (ListMetricValues), with the threshold. */
function MetricChart({ v }: { v: ActiveViolation }) {
  const metric = v.behavior?.metric;
  const data = useLoad(async () => {
    if (!metric) return undefined;
    const now = new Date();
    const r = await iot().send(new ListMetricValuesCommand({ thingName: v.thingName!, metricName: metric, startTime: new Date(now.getTime() - DAY), endTime: now, maxResults: 250, dimensionName: v.behavior?.metricDimension?.dimensionName, dimensionValueOperator: v.behavior?.metricDimension?.operator }));
    return r.metricDatumList ?? [];
  }, [v.violationId]);
  const series = useMemo(() => {
    const pts = (data.data ?? []).map((d) => ({ t: Math.floor(new Date(d.timestamp ?? 0).getTime() / 1000), y: d.value?.count ?? d.value?.number ?? null })).sort((a, b) => a.t - b.t);
    const threshold = v.behavior?.criteria?.value?.count ?? v.behavior?.criteria?.value?.number;
    return {
      times: pts.map((p) => p.t),
      series: [
        { label: metric ?? 'metric', color: '#1d4ed8', values: pts.map((p) => (p.y === null ? null : Number(p.y))) },
        ...(threshold !== undefined ? [{ label: 'threshold', color: '#b42318', dash: true, values: pts.map(() => Number(threshold)) }] : []),
      ],
    };
  }, [data.data]);
  return (
    <div class="panel">
      <h3>{v.behavior?.name} for {v.thingName}</h3>
      {data.error ? <ErrorBox error={data.error} /> : !data.data ? <Loading what="metric values" /> : series.times.length === 0 ? <p class="muted">No retained values in the last day (the behavior needs suppressAlerts/exportMetric or a profile that retains the metric).</p> : (
        <TimeChart title={`${metric} (last day)`} times={series.times} series={series.series} />
      )}
    </div>
  );
}

function StartDetectTask({ violations }: { violations: ActiveViolation[] }) {
  const actions = useLoad(actionsWithTypes);
  const [chosen, setChosen] = useState<string>('');
  const start = useAction();
  const list = actions.data ?? [];
  const pick = chosen || list.find((a) => a.actionType === 'ADD_THINGS_TO_THING_GROUP')?.actionName || '';
  return (
    <form class="panel" aria-labelledby="detect-task-h" onSubmit={(e) => {
      e.preventDefault();
      void start.run(async () => {
        const taskId = `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        await iot().send(new StartDetectMitigationActionsTaskCommand({ taskId, target: { violationIds: violations.map((v) => v.violationId!) }, actions: [pick], includeOnlyActiveViolations: true, clientRequestToken: taskId }));
        navigate(`/detect/tasks/${taskId}`);
      });
    }}>
      <h2 id="detect-task-h">{violations.length} violation{violations.length === 1 ? '' : 's'} selected</h2>
      <label>Mitigation action
        <select value={pick} onChange={(e) => setChosen(e.currentTarget.value)}>
          <option value="">Choose an action</option>
          {list.map((a) => <option value={a.actionName}>{a.actionName} ({a.actionType})</option>)}
        </select>
      </label>
      <button type="submit" disabled={start.busy || !pick}>Start detect mitigation task</button>
      <ActionResult a={start} />
    </form>
  );
}

function DetectTasks() {
  const t = usePages(async (nextToken) => {
    const now = new Date();
    const r = await iot().send(new ListDetectMitigationActionsTasksCommand({ startTime: new Date(now.getTime() - 30 * DAY), endTime: new Date(now.getTime() + DAY), nextToken, maxResults: 25 }));
    return { items: r.tasks ?? [], nextToken: r.nextToken };
  });
  return (
    <div>
      <h2>Detect mitigation tasks</h2>
      {t.error ? <ErrorBox error={t.error} /> : !t.data ? <Loading what="tasks" /> : t.data.items.length === 0 ? <p class="muted">None in the last 30 days.</p> : (
        <table>
          <thead><tr><th scope="col">Task</th><th scope="col">Started</th><th scope="col">Status</th></tr></thead>
          <tbody>{t.data.items.map((x) => <tr><td><Link to={`/detect/tasks/${x.taskId}`}>{x.taskId}</Link></td><td>{fmtDate(x.taskStartTime)}</td><td><Status value={x.taskStatus} /></td></tr>)}</tbody>
        </table>
      )}
      <Pager {...t} />
    </div>
  );
}

function History({ profile, thing }: { profile: string; thing: string }) {
  const h = usePages(async (nextToken) => {
    const now = new Date();
    const r = await iot().send(new ListViolationEventsCommand({ startTime: new Date(now.getTime() - 14 * DAY), endTime: now, securityProfileName: profile || undefined, thingName: thing || undefined, nextToken, maxResults: 25 }));
    return { items: r.violationEvents ?? [], nextToken: r.nextToken };
  }, [profile, thing]);
  return (
    <div>
      <h2>Violation history (14 days)</h2>
      {h.error ? <ErrorBox error={h.error} /> : !h.data ? <Loading what="events" /> : h.data.items.length === 0 ? <p class="muted">No violation event.</p> : (
        <table aria-label="Violation events">
          <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Thing</th><th scope="col">Profile</th><th scope="col">Behavior</th></tr></thead>
          <tbody>{h.data.items.map((e) => <tr><td>{fmtDate(e.violationEventTime)}</td><td>{e.violationEventType}</td><td>{e.thingName}</td><td>{e.securityProfileName}</td><td>{e.behavior?.name}</td></tr>)}</tbody>
        </table>
      )}
      <Pager {...h} />
    </div>
  );
}

export function DetectTaskPage({ taskId }: { taskId: string }) {
  const task = useLoad(() => iot().send(new DescribeDetectMitigationActionsTaskCommand({ taskId })), [taskId]);
  const t = task.data?.taskSummary;
  const running = t?.taskStatus === 'IN_PROGRESS';
  useInterval(task.reload, 1000, running);
  const ex = usePages(async (nextToken) => {
    const r = await iot().send(new ListDetectMitigationActionsExecutionsCommand({ taskId, nextToken, maxResults: 50 }));
    return { items: r.actionsExecutions ?? [], nextToken: r.nextToken };
  }, [taskId], `${t?.taskStatus} ${t?.taskStatistics?.actionsExecuted}`);
  const cancel = useAction();
  return (
    <section>
      <h1>Detect mitigation task {taskId}</h1>
      {task.error ? <ErrorBox error={task.error} /> : !t ? <Loading what="the task" /> : (
        <>
          <p>Status: <Status value={t.taskStatus} /> · started {fmtDate(t.taskStartTime)}{t.taskEndTime ? ` · ended ${fmtDate(t.taskEndTime)}` : ''}</p>
          <p>Actions executed {t.taskStatistics?.actionsExecuted ?? 0}, skipped {t.taskStatistics?.actionsSkipped ?? 0}, failed {t.taskStatistics?.actionsFailed ?? 0}.</p>
          {running && <button type="button" onClick={() => cancel.run(async () => (await iot().send(new CancelDetectMitigationActionsTaskCommand({ taskId })), task.reload(), 'Cancel requested.'))}>Cancel task</button>}
          <ActionResult a={cancel} />
        </>
      )}
      <h2>Executions</h2>
      {ex.error ? <ErrorBox error={ex.error} /> : !ex.data ? <Loading what="executions" /> : (
        <table>
          <thead><tr><th scope="col">Thing</th><th scope="col">Violation</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Error</th></tr></thead>
          <tbody>{ex.data.items.map((e) => <tr><td><Link to={`/things/${enc(e.thingName!)}`}>{e.thingName}</Link></td><td><code>{e.violationId}</code></td><td>{e.actionName}</td><td><Status value={e.status} /></td><td>{e.errorCode ? `${e.errorCode}: ${e.message ?? ''}` : '—'}</td></tr>)}</tbody>
        </table>
      )}
      <Pager {...ex} />
    </section>
  );
}
