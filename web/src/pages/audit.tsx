import {
  DescribeAccountAuditConfigurationCommand,
  ListAuditTasksCommand,
  CreateScheduledAuditCommand,
  DeleteScheduledAuditCommand,
  ListScheduledAuditsCommand,
  StartOnDemandAuditTaskCommand,
  UpdateAccountAuditConfigurationCommand,
  type AuditFrequency,
  type DayOfWeek,
  type DescribeAccountAuditConfigurationCommandOutput,
} from '@aws-sdk/client-iot';
import { useState } from 'preact/hooks';
import { iot, loadSession } from '../api';
import { CHECK_NAMES, CHECKS, pretty } from '../checks';
import { choices, violations } from '../model';
import { navigate } from '../router';
import { ActionResult, Empty, ErrorBox, Link, Loading, ModelField, ModelSelect, Pager, Status, fmtDate, useAction, useLoad, usePages } from '../ui';

const DAY = 86_400_000;

export function AuditPage() {
  const config = useLoad(() => iot().send(new DescribeAccountAuditConfigurationCommand({})));
  return (
    <section>
      <h1>Audit</h1>
      {config.loading && !config.data ? <Loading what="the audit configuration" /> : config.error ? <ErrorBox error={config.error} /> : (
        <>
          <Configuration config={config.data!} onSaved={config.reload} />
          <StartAudit config={config.data!} />
        </>
      )}
      <Scheduled config={config.data} />
      <History />
    </section>
  );
}

const enabledChecks = (c: DescribeAccountAuditConfigurationCommandOutput) =>
  Object.entries(c.auditCheckConfigurations ?? {}).filter(([, v]) => v.enabled).map(([k]) => k);

function Configuration({ config, onSaved }: { config: DescribeAccountAuditConfigurationCommandOutput; onSaved: () => void }) {
  const account = loadSession()?.accountId ?? '000000000000';
  const [enabled, setEnabled] = useState(() => new Set(enabledChecks(config)));
  const [roleArn, setRoleArn] = useState(config.roleArn ?? `arn:aws:iam::${account}:role/warden-audit`);
  const sns = config.auditNotificationTargetConfigurations?.SNS;
  const [topic, setTopic] = useState(sns?.targetArn ?? '');
  const [snsOn, setSnsOn] = useState(sns?.enabled ?? false);
  // Settings of the checks that take some (thresholds in days), as strings, defaults shown when unset.
  const [settings, setSettings] = useState<Record<string, Record<string, string>>>(() =>
    Object.fromEntries(CHECK_NAMES.filter((n) => CHECKS[n].settings).map((n) => [n, { ...(config.auditCheckConfigurations?.[n]?.configuration ?? {}) }])),
  );
  const save = useAction();
  const toggle = (name: string, on: boolean) => setEnabled((s) => {
    const n = new Set(s);
    if (on) n.add(name);
    else n.delete(name);
    return n;
  });
  const submit = (e: Event) => {
    e.preventDefault();
    void save.run(async () => {
      await iot().send(new UpdateAccountAuditConfigurationCommand({
        roleArn,
        auditCheckConfigurations: Object.fromEntries(CHECK_NAMES.map((n) => {
          const given = Object.entries(settings[n] ?? {}).filter(([, v]) => v.trim() !== '');
          return [n, given.length ? { enabled: enabled.has(n), configuration: Object.fromEntries(given.map(([k, v]) => [k, v.trim()])) } : { enabled: enabled.has(n) }];
        })),
        ...(topic ? { auditNotificationTargetConfigurations: { SNS: { targetArn: topic, roleArn, enabled: snsOn } } } : {}),
      }));
      onSaved();
      return `Saved: ${enabled.size} checks enabled.`;
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="config-h">
      <h2 id="config-h">Account audit configuration</h2>
      {enabledChecks(config).length === 0 && (
        <Empty><p>No check is enabled yet. Tick the checks to run (or <button type="button" onClick={() => setEnabled(new Set(CHECK_NAMES))}>enable all</button>), then <strong>Save configuration</strong> and <strong>Run audit now</strong>.</p></Empty>
      )}
      <fieldset class="checks">
        <legend>Checks</legend>
        {CHECK_NAMES.map((n) => (
          <label class="check">
            <input type="checkbox" name={n} checked={enabled.has(n)} onChange={(e) => toggle(n, e.currentTarget.checked)} />
            {pretty(n)} <span class="muted">({CHECKS[n].severity?.toLowerCase()})</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Check settings</legend>
        {CHECK_NAMES.filter((n) => CHECKS[n].settings).flatMap((n) =>
          Object.entries(CHECKS[n].settings!).map(([key, bounds]) => (
            <label>
              {pretty(n)}: {key.toLowerCase().replace(/_/g, ' ')} ({bounds.min} to {bounds.max})
              <input type="number" name={`${n}.${key}`} min={bounds.min} max={bounds.max} placeholder={`${bounds.default} (default)`} value={settings[n]?.[key] ?? ''}
                onInput={(e) => { const v = e.currentTarget.value; setSettings((s) => ({ ...s, [n]: { ...s[n], [key]: v } })); }} />
            </label>
          )),
        )}
      </fieldset>
      <ModelField operation="UpdateAccountAuditConfiguration" path="roleArn" label="Role ARN (for the audit)" wide value={roleArn} onInput={setRoleArn} />
      <fieldset>
        <legend>SNS notifications</legend>
        <ModelField operation="UpdateAccountAuditConfiguration" path="auditNotificationTargetConfigurations.SNS.targetArn" label="Topic ARN" wide value={topic} onInput={setTopic} placeholder="arn:aws:sns:us-east-1:000000000000:audit" />
        <label class="check"><input type="checkbox" checked={snsOn} onChange={(e) => setSnsOn(e.currentTarget.checked)} /> Notify when an audit ends</label>
      </fieldset>
      <button type="submit" disabled={save.busy}>Save configuration</button>
      <ActionResult a={save} />
    </form>
  );
}

function StartAudit({ config }: { config: DescribeAccountAuditConfigurationCommandOutput }) {
  const start = useAction();
  const checks = enabledChecks(config);
  return (
    <div>
      <h2>On-demand audit</h2>
      <p>Runs the {checks.length} enabled checks now.</p>
      <button type="button" disabled={start.busy || checks.length === 0} onClick={() => start.run(async () => {
        const r = await iot().send(new StartOnDemandAuditTaskCommand({ targetCheckNames: checks }));
        navigate(`/audit/tasks/${r.taskId}`);
      })}>Run audit now</button>
      <ActionResult a={start} />
    </div>
  );
}

/** The days of the month the model's DayOfMonth pattern allows, as choices. */
const MONTH_DAYS = [...Array.from({ length: 31 }, (_, i) => String(i + 1)), 'LAST'].filter((d) => violations('CreateScheduledAudit', 'dayOfMonth', d).length === 0);

function Scheduled({ config }: { config?: DescribeAccountAuditConfigurationCommandOutput }) {
  const [version, setVersion] = useState(0);
  const s = usePages(async (nextToken) => {
    const r = await iot().send(new ListScheduledAuditsCommand({ nextToken, maxResults: 25 }));
    return { items: r.scheduledAudits ?? [], nextToken: r.nextToken };
  }, [version]);
  const del = useAction();
  const [notice, setNotice] = useState<string>();
  return (
    <div>
      <h2>Scheduled audits</h2>
      {s.error ? <ErrorBox error={s.error} /> : !s.data ? <Loading what="scheduled audits" /> : s.data.items.length === 0 ? <p class="muted">No scheduled audit. Create one below: it runs the checks you pick, each day, week, two weeks or month.</p> : (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Frequency</th><th scope="col">Day</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>{s.data.items.map((a) => (
            <tr>
              <td>{a.scheduledAuditName}</td><td>{a.frequency}</td><td>{a.dayOfWeek ?? a.dayOfMonth ?? '—'}</td>
              <td><button type="button" aria-label={`Delete ${a.scheduledAuditName}`} onClick={() => confirm(`Delete the scheduled audit ${a.scheduledAuditName}?`) && del.run(async () => {
                await iot().send(new DeleteScheduledAuditCommand({ scheduledAuditName: a.scheduledAuditName! }));
                setNotice(undefined);
                setVersion((v) => v + 1);
                return `Deleted ${a.scheduledAuditName}.`;
              })}>Delete</button></td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <Pager {...s} />
      <ActionResult a={del} />
      {notice && <p class="ok" role="status">{notice}</p>}
      {config && <ScheduleForm key={`${version} ${enabledChecks(config).join()}`} enabled={enabledChecks(config)} onCreated={(m) => (setNotice(m), setVersion((v) => v + 1))} />}
    </div>
  );
}

/**
 * CreateScheduledAudit: the frequency and days are the model's enums and pattern; AWS documents that
 * WEEKLY and BIWEEKLY take a day of the week and MONTHLY a day of the month (and Warden refuses a day
 * the frequency does not use), so the form asks for the one the frequency needs.
 */
function ScheduleForm({ enabled, onCreated }: { enabled: string[]; onCreated: (message: string) => void }) {
  const op = 'CreateScheduledAudit';
  const [name, setName] = useState('');
  const [frequency, setFrequency] = useState(choices(op, 'frequency')[0]);
  const [dayOfWeek, setDayOfWeek] = useState(choices(op, 'dayOfWeek')[0]);
  const [dayOfMonth, setDayOfMonth] = useState(MONTH_DAYS[0]);
  const [checks, setChecks] = useState(() => new Set(enabled));
  const create = useAction();
  const weekly = frequency === 'WEEKLY' || frequency === 'BIWEEKLY';
  const monthly = frequency === 'MONTHLY';
  const toggle = (n: string, on: boolean) => setChecks((c) => {
    const next = new Set(c);
    if (on) next.add(n);
    else next.delete(n);
    return next;
  });
  return (
    <form class="panel" noValidate aria-labelledby="schedule-h" onSubmit={(e) => {
      e.preventDefault();
      void create.run(async () => {
        await iot().send(new CreateScheduledAuditCommand({
          scheduledAuditName: name.trim(),
          frequency: frequency as AuditFrequency,
          ...(weekly ? { dayOfWeek: dayOfWeek as DayOfWeek } : {}),
          ...(monthly ? { dayOfMonth } : {}),
          targetCheckNames: enabled.filter((n) => checks.has(n)),
        }));
        onCreated(`Created the scheduled audit ${name.trim()}.`);
      });
    }}>
      <h3 id="schedule-h">Schedule an audit</h3>
      <ModelField operation={op} path="scheduledAuditName" label="Scheduled audit name" value={name} onInput={setName} />
      <ModelSelect operation={op} path="frequency" label="Frequency" value={frequency} onChange={setFrequency} />
      {weekly && <ModelSelect operation={op} path="dayOfWeek" label="Day of the week" value={dayOfWeek} onChange={setDayOfWeek} />}
      {monthly && (
        <label>Day of the month
          <select value={dayOfMonth} onChange={(e) => setDayOfMonth(e.currentTarget.value)}>{MONTH_DAYS.map((d) => <option value={d}>{d}</option>)}</select>
        </label>
      )}
      {enabled.length === 0 ? <p class="muted">A scheduled audit runs checks that are enabled in the account audit configuration: enable some above first.</p> : (
        <fieldset class="checks">
          <legend>Checks to run</legend>
          {enabled.map((n) => (
            <label class="check"><input type="checkbox" checked={checks.has(n)} onChange={(e) => toggle(n, e.currentTarget.checked)} /> {pretty(n)}</label>
          ))}
        </fieldset>
      )}
      <button type="submit" disabled={create.busy}>Create scheduled audit</button>
      <ActionResult a={create} />
    </form>
  );
}

function History() {
  const h = usePages(async (nextToken) => {
    const now = new Date();
    const r = await iot().send(new ListAuditTasksCommand({ startTime: new Date(now.getTime() - 89 * DAY), endTime: new Date(now.getTime() + DAY), nextToken, maxResults: 25 }));
    return { items: r.tasks ?? [], nextToken: r.nextToken };
  });
  return (
    <div>
      <h2>Audit history</h2>
      {h.error ? <ErrorBox error={h.error} /> : !h.data ? <Loading what="audits" /> : h.data.items.length === 0 ? <p class="muted">No audit in the last 89 days.</p> : (
        <table>
          <thead><tr><th scope="col">Task</th><th scope="col">Type</th><th scope="col">Status</th></tr></thead>
          <tbody>{h.data.items.map((t) => <tr><td><Link to={`/audit/tasks/${t.taskId}`}>{t.taskId}</Link></td><td>{t.taskType}</td><td><Status value={t.taskStatus} /></td></tr>)}</tbody>
        </table>
      )}
      <Pager {...h} />
      <p class="muted">Times are shown in your browser's time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}); now {fmtDate(Date.now())}.</p>
    </div>
  );
}
