import {
  CancelAuditMitigationActionsTaskCommand,
  CreateMitigationActionCommand,
  DeleteMitigationActionCommand,
  DescribeAuditMitigationActionsTaskCommand,
  DescribeMitigationActionCommand,
  ListAuditFindingsCommand,
  ListAuditMitigationActionsExecutionsCommand,
  ListAuditMitigationActionsTasksCommand,
  ListMitigationActionsCommand,
  UpdateMitigationActionCommand,
  type AuditMitigationActionsTaskTarget,
  type MitigationActionParams,
} from '@aws-sdk/client-iot';
import { useState } from 'preact/hooks';
import { iot, loadSession } from '../api';
import { ACTION_TYPES, pretty } from '../checks';
import { choices, splitList } from '../model';
import { ActionResult, Empty, ErrorBox, Link, Loading, ModelField, ModelSelect, Pager, Progress, Status, fmtDate, useAction, useInterval, useLoad, usePages } from '../ui';
import { auditProgress } from './dashboard';

const DAY = 86_400_000;

export function MitigationPage() {
  const [editing, setEditing] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  const actions = usePages(async (nextToken) => {
    const r = await iot().send(new ListMitigationActionsCommand({ nextToken, maxResults: 25 }));
    return { items: r.actionIdentifiers ?? [], nextToken: r.nextToken };
  }, [version]);
  const del = useAction();
  const [notice, setNotice] = useState<string>();
  return (
    <section>
      <h1>Mitigation</h1>
      <h2>Mitigation actions</h2>
      {actions.error ? <ErrorBox error={actions.error} /> : !actions.data ? <Loading what="actions" /> : actions.data.items.length === 0 ? (
        <Empty><p>No mitigation action yet. Create one below: for example <em>UPDATE_DEVICE_CERTIFICATE</em> (deactivate) for expiring certificates, or <em>REPLACE_DEFAULT_POLICY_VERSION</em> (blank policy) for permissive policies.</p></Empty>
      ) : (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>
            {actions.data.items.map((a) => (
              <tr>
                <td>{a.actionName}</td><td>{fmtDate(a.creationDate)}</td>
                <td>
                  <button type="button" onClick={() => setEditing(a.actionName)} aria-label={`Edit ${a.actionName}`}>Edit</button>{' '}
                  <button type="button" aria-label={`Delete ${a.actionName}`} onClick={() => confirm(`Delete the mitigation action ${a.actionName}?`) && del.run(async () => {
                    await iot().send(new DeleteMitigationActionCommand({ actionName: a.actionName! }));
                    setVersion((v) => v + 1);
                    return `Deleted ${a.actionName}.`;
                  })}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...actions} />
      <ActionResult a={del} />
      {notice && <p class="ok" role="status">{notice}</p>}
      <ActionForm key={editing ?? `new-${version}`} name={editing} onDone={(msg) => (setNotice(msg), setEditing(undefined), setVersion((v) => v + 1))} />
      <Tasks />
    </section>
  );
}

/**
 * Create (no name) or edit an action. The fields follow the model's MitigationActionParams members:
 * choices are its enums, and text is checked against its lengths and patterns (web/src/model.ts).
 */
function ActionForm({ name, onDone }: { name?: string; onDone: (message?: string) => void }) {
  const account = loadSession()?.accountId ?? '000000000000';
  const op = name ? 'UpdateMitigationAction' : 'CreateMitigationAction';
  const existing = useLoad(async () => (name ? iot().send(new DescribeMitigationActionCommand({ actionName: name })) : undefined), [name]);
  const [actionName, setName] = useState(name ?? '');
  const [roleArn, setRole] = useState<string>();
  const [type, setType] = useState<string>();
  const [certAction, setCertAction] = useState<string>();
  const [caAction, setCaAction] = useState<string>();
  const [groups, setGroups] = useState<string>();
  const [override, setOverride] = useState<boolean>();
  const [template, setTemplate] = useState<string>();
  const [logRole, setLogRole] = useState<string>();
  const [logLevel, setLogLevel] = useState<string>();
  const [topic, setTopic] = useState<string>();
  const save = useAction();
  if (name && existing.loading) return <Loading what={`action ${name}`} />;
  const p = existing.data?.actionParams ?? {};
  const first = (path: string) => choices(op, `actionParams.${path}`)[0];
  const t = type ?? existing.data?.actionType ?? ACTION_TYPES[0];
  const role = roleArn ?? existing.data?.roleArn ?? `arn:aws:iam::${account}:role/warden-mitigation`;
  const ca = certAction ?? p.updateDeviceCertificateParams?.action ?? first('updateDeviceCertificateParams.action');
  const caa = caAction ?? p.updateCACertificateParams?.action ?? first('updateCACertificateParams.action');
  const g = groups ?? p.addThingsToThingGroupParams?.thingGroupNames?.join(', ') ?? 'quarantine';
  const ov = override ?? p.addThingsToThingGroupParams?.overrideDynamicGroups ?? false;
  const tpl = template ?? p.replaceDefaultPolicyVersionParams?.templateName ?? first('replaceDefaultPolicyVersionParams.templateName');
  const lr = logRole ?? p.enableIoTLoggingParams?.roleArnForLogging ?? `arn:aws:iam::${account}:role/warden-logging`;
  const ll = logLevel ?? p.enableIoTLoggingParams?.logLevel ?? 'ERROR';
  const tp = topic ?? p.publishFindingToSnsParams?.topicArn ?? `arn:aws:sns:${loadSession()?.region ?? 'us-east-1'}:${account}:findings`;
  // The SDK's types name the enums; the values come from the same model.
  const params = (): MitigationActionParams => {
    switch (t) {
      case 'UPDATE_DEVICE_CERTIFICATE': return { updateDeviceCertificateParams: { action: ca as 'DEACTIVATE' } };
      case 'UPDATE_CA_CERTIFICATE': return { updateCACertificateParams: { action: caa as 'DEACTIVATE' } };
      case 'ADD_THINGS_TO_THING_GROUP': return { addThingsToThingGroupParams: { thingGroupNames: splitList(g), overrideDynamicGroups: ov } };
      case 'REPLACE_DEFAULT_POLICY_VERSION': return { replaceDefaultPolicyVersionParams: { templateName: tpl as 'BLANK_POLICY' } };
      case 'ENABLE_IOT_LOGGING': return { enableIoTLoggingParams: { roleArnForLogging: lr, logLevel: ll as 'ERROR' } };
      default: return { publishFindingToSnsParams: { topicArn: tp } };
    }
  };
  const field = (path: string) => ({ operation: op, path: `actionParams.${path}` });
  return (
    <form class="panel" noValidate aria-labelledby="action-form-h" onSubmit={(e) => {
      e.preventDefault();
      void save.run(async () => {
        if (name) await iot().send(new UpdateMitigationActionCommand({ actionName: name, roleArn: role, actionParams: params() }));
        else await iot().send(new CreateMitigationActionCommand({ actionName: actionName.trim(), roleArn: role, actionParams: params() }));
        // The form starts afresh; the page tells what was done.
        onDone(`${name ? 'Updated' : 'Created'} ${name ?? actionName.trim()}.`);
      });
    }}>
      <h2 id="action-form-h">{name ? `Edit ${name}` : 'Create a mitigation action'}</h2>
      <ErrorBox error={existing.error} />
      <ModelField operation="CreateMitigationAction" path="actionName" label="Name" name="actionName" value={actionName} onInput={setName} disabled={!!name} />
      <ModelSelect operation="ListMitigationActions" path="actionType" label="Type" name="actionType" value={t} onChange={setType} disabled={!!name} />
      <ModelField operation={op} path="roleArn" label="Role ARN" name="roleArn" wide value={role} onInput={setRole} />
      {t === 'UPDATE_DEVICE_CERTIFICATE' && (
        <>
          <ModelSelect {...field('updateDeviceCertificateParams.action')} label="Certificate action" value={ca} onChange={setCertAction} />
          <p>DEACTIVATE sets the device certificate's status to <strong>INACTIVE</strong>.</p>
        </>
      )}
      {t === 'UPDATE_CA_CERTIFICATE' && (
        <>
          <ModelSelect {...field('updateCACertificateParams.action')} label="CA certificate action" value={caa} onChange={setCaAction} />
          <p>DEACTIVATE sets the CA certificate's status to <strong>INACTIVE</strong>.</p>
        </>
      )}
      {t === 'REPLACE_DEFAULT_POLICY_VERSION' && (
        <>
          <ModelSelect {...field('replaceDefaultPolicyVersionParams.templateName')} label="Policy template" value={tpl} onChange={setTemplate} />
          <p>Adds a policy version from the template (BLANK_POLICY: no statement) and makes it the default.</p>
        </>
      )}
      {t === 'ADD_THINGS_TO_THING_GROUP' && (
        <>
          <ModelField {...field('addThingsToThingGroupParams.thingGroupNames')} label="Thing groups (comma-separated)" name="thingGroupNames" value={g} onInput={setGroups} />
          <label class="check"><input type="checkbox" checked={ov} onChange={(e) => setOverride(e.currentTarget.checked)} /> Override dynamic groups</label>
        </>
      )}
      {t === 'ENABLE_IOT_LOGGING' && (
        <>
          <ModelField {...field('enableIoTLoggingParams.roleArnForLogging')} label="Role ARN for logging" wide value={lr} onInput={setLogRole} />
          <ModelSelect {...field('enableIoTLoggingParams.logLevel')} label="Log level" value={ll} onChange={setLogLevel} />
        </>
      )}
      {t === 'PUBLISH_FINDING_TO_SNS' && <ModelField {...field('publishFindingToSnsParams.topicArn')} label="Topic ARN" wide value={tp} onInput={setTopic} />}
      <button type="submit" disabled={save.busy}>{name ? 'Save action' : 'Create action'}</button>
      {name && <button type="button" onClick={() => onDone()}>Cancel edit</button>}
      <ActionResult a={save} />
    </form>
  );
}

function Tasks() {
  const tasks = usePages(async (nextToken) => {
    const now = new Date();
    const r = await iot().send(new ListAuditMitigationActionsTasksCommand({ startTime: new Date(now.getTime() - 30 * DAY), endTime: new Date(now.getTime() + DAY), nextToken, maxResults: 25 }));
    return { items: r.tasks ?? [], nextToken: r.nextToken };
  });
  return (
    <div>
      <h2>Audit mitigation tasks</h2>
      {tasks.error ? <ErrorBox error={tasks.error} /> : !tasks.data ? <Loading what="tasks" /> : tasks.data.items.length === 0 ? <p class="muted">No task in the last 30 days. Start one by selecting findings of an audit.</p> : (
        <table>
          <thead><tr><th scope="col">Task</th><th scope="col">Started</th><th scope="col">Status</th></tr></thead>
          <tbody>{tasks.data.items.map((t) => <tr><td><Link to={`/mitigation/tasks/${t.taskId}`}>{t.taskId}</Link></td><td>{fmtDate(t.startTime)}</td><td><Status value={t.taskStatus} /></td></tr>)}</tbody>
        </table>
      )}
      <Pager {...tasks} />
      <p>Detect mitigation tasks are on the <Link to="/detect">Detect</Link> page.</p>
    </div>
  );
}

export function MitigationTaskPage({ taskId }: { taskId: string }) {
  const task = useLoad(() => iot().send(new DescribeAuditMitigationActionsTaskCommand({ taskId })), [taskId]);
  const running = task.data?.taskStatus === 'IN_PROGRESS';
  useInterval(task.reload, 1000, running);
  const cancel = useAction();
  const t = task.data;
  const progress = auditProgress(t?.taskStatistics);
  return (
    <section>
      <h1>Mitigation task {taskId}</h1>
      {task.error ? <ErrorBox error={task.error} /> : !t ? <Loading what="the task" /> : (
        <>
          <p>Status: <Status value={t.taskStatus} /> · started {fmtDate(t.startTime)}{t.endTime ? ` · ended ${fmtDate(t.endTime)}` : ''}</p>
          <Progress done={progress.done} total={progress.total} label="Findings done" />
          {running && <button type="button" disabled={cancel.busy} onClick={() => cancel.run(async () => {
            await iot().send(new CancelAuditMitigationActionsTaskCommand({ taskId }));
            task.reload();
            return 'Cancel requested.';
          })}>Cancel task</button>}
          <ActionResult a={cancel} />
          <table>
            <caption>By check</caption>
            <thead><tr><th scope="col">Check</th><th scope="col">Actions</th><th scope="col">Findings</th><th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Skipped</th><th scope="col">Canceled</th></tr></thead>
            <tbody>
              {Object.entries(t.taskStatistics ?? {}).map(([c, s]) => (
                <tr><th scope="row">{pretty(c)}</th><td>{(t.auditCheckToActionsMapping?.[c] ?? []).join(', ')}</td><td>{s.totalFindingsCount ?? 0}</td><td>{s.succeededFindingsCount ?? 0}</td><td>{s.failedFindingsCount ?? 0}</td><td>{s.skippedFindingsCount ?? 0}</td><td>{s.canceledFindingsCount ?? 0}</td></tr>
              ))}
            </tbody>
          </table>
          <Executions taskId={taskId} target={t.target} checks={Object.keys(t.auditCheckToActionsMapping ?? {})} version={running ? progress.done : -1} />
        </>
      )}
    </section>
  );
}

/** Findings per page of the executions view: ListAuditMitigationActionsExecutions takes one finding, so one request each. */
const EXECUTION_FINDINGS = 25;

/**
 * The task's executions by finding (ListAuditMitigationActionsExecutions takes one): those of the
 * findings it names (25 at most), or, for a task on an audit or some of its checks, those of the
 * audit's findings of the chosen check, a page of 25 at a time (ListAuditFindings, paged on the
 * server).
 */
function Executions({ taskId, target, checks, version }: { taskId: string; target?: AuditMitigationActionsTaskTarget; checks: string[]; version: number }) {
  const named = target?.findingIds ?? [];
  const [check, setCheck] = useState(checks[0] ?? '');
  const findings = usePages(async (nextToken) => {
    if (named.length > 0) return { items: named }; // at most 25 (the model's limit on target.findingIds)
    if (!target?.auditTaskId || !check) return { items: [] as string[] };
    const r = await iot().send(new ListAuditFindingsCommand({ taskId: target.auditTaskId, checkName: check, nextToken, maxResults: EXECUTION_FINDINGS }));
    return { items: (r.findings ?? []).map((f) => f.findingId!), nextToken: r.nextToken };
  }, [taskId, named.join(), target?.auditTaskId, check]);
  const ids = findings.data?.items ?? [];
  const ex = useLoad(async () => {
    const pages = await Promise.all(ids.map((findingId) => iot().send(new ListAuditMitigationActionsExecutionsCommand({ taskId, findingId, maxResults: 25 }))));
    return pages.flatMap((p) => p.actionsExecutions ?? []);
  }, [taskId, ids.join(), version]);
  return (
    <>
      <h2>Executions</h2>
      {named.length === 0 && checks.length > 1 && (
        <label>Findings of check <select value={check} onChange={(e) => setCheck(e.currentTarget.value)}>{checks.map((c) => <option value={c}>{pretty(c)}</option>)}</select></label>
      )}
      {findings.error ? <ErrorBox error={findings.error} /> : ex.error ? <ErrorBox error={ex.error} /> : !findings.data || !ex.data ? <Loading what="executions" /> : ids.length === 0 ? <p class="muted">No finding of this task to show.</p> : (
        <table>
          <thead><tr><th scope="col">Finding</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Error</th></tr></thead>
          <tbody>{ex.data.map((e) => <tr><td><code>{e.findingId}</code></td><td>{e.actionName}</td><td><Status value={e.status} /></td><td>{e.errorCode ? `${e.errorCode}: ${e.message ?? ''}` : '—'}</td></tr>)}</tbody>
        </table>
      )}
      <Pager {...findings} />
    </>
  );
}
