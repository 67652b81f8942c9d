import {
  CreateAuditSuppressionCommand,
  DescribeAuditTaskCommand,
  ListAuditFindingsCommand,
  StartAuditMitigationActionsTaskCommand,
  type AuditFinding,
  type ResourceIdentifier,
} from '@aws-sdk/client-iot';
import { useMemo, useState } from 'preact/hooks';
import { iot } from '../api';
import { CHECK_NAMES, CHECKS, SEVERITIES, actionsWithTypes, pretty } from '../checks';
import { navigate } from '../router';
import { ActionResult, Empty, ErrorBox, Link, Loading, Pager, Status, fmtDate, useAction, useInterval, useLoad, usePages } from '../ui';

const PAGE = 50;

/** The resource filter's kinds: the ResourceIdentifier member each fills. */
const RESOURCE_KINDS: { key: string; label: string; make: (v: string) => ResourceIdentifier }[] = [
  { key: 'deviceCertificateId', label: 'Device certificate ID', make: (v) => ({ deviceCertificateId: v }) },
  { key: 'caCertificateId', label: 'CA certificate ID', make: (v) => ({ caCertificateId: v }) },
  { key: 'policyName', label: 'Policy name', make: (v) => ({ policyVersionIdentifier: { policyName: v } }) },
  { key: 'clientId', label: 'Client ID', make: (v) => ({ clientId: v }) },
  { key: 'roleAliasArn', label: 'Role alias ARN', make: (v) => ({ roleAliasArn: v }) },
];

export function FindingsPage({ taskId, query }: { taskId: string; query: URLSearchParams }) {
  const task = useLoad(() => iot().send(new DescribeAuditTaskCommand({ taskId })), [taskId]);
  const running = task.data?.taskStatus === 'IN_PROGRESS';
  useInterval(task.reload, 1000, running);
  const [checkName, setCheck] = useState(query.get('checkName') ?? '');
  const [kind, setKind] = useState(RESOURCE_KINDS[0].key);
  const [resource, setResource] = useState('');
  const [applied, setApplied] = useState({ checkName: query.get('checkName') ?? '', kind, resource: '' });
  const [severity, setSeverity] = useState('');
  const [reason, setReason] = useState('');
  const [suppressed, setSuppressed] = useState(false);
  const findings = usePages(async (nextToken) => {
    const r = await iot().send(new ListAuditFindingsCommand({
      taskId,
      checkName: applied.checkName || undefined,
      resourceIdentifier: applied.resource ? RESOURCE_KINDS.find((k) => k.key === applied.kind)!.make(applied.resource) : undefined,
      listSuppressedFindings: suppressed,
      maxResults: PAGE,
      nextToken,
    }));
    return { items: r.findings ?? [], nextToken: r.nextToken };
  }, [taskId, applied, suppressed, running]);
  const shown = useMemo(
    () => (findings.data?.items ?? []).filter((f) => (!severity || f.severity === severity) && (!reason || f.reasonForNonComplianceCode === reason)),
    [findings.data, severity, reason],
  );
  const reasons = useMemo(() => [...new Set((findings.data?.items ?? []).map((f) => f.reasonForNonComplianceCode).filter(Boolean) as string[])].sort(), [findings.data]);
  const [selected, setSelected] = useState<Map<string, AuditFinding>>(new Map());
  const [notice, setNotice] = useState<string>();
  const toggle = (f: AuditFinding, on: boolean) => setSelected((s) => {
    const n = new Map(s);
    if (on) n.set(f.findingId!, f);
    else n.delete(f.findingId!);
    return n;
  });
  const allShownSelected = shown.length > 0 && shown.every((f) => selected.has(f.findingId!));
  const t = task.data;
  return (
    <section>
      <h1>Audit {taskId}</h1>
      {task.error ? <ErrorBox error={task.error} /> : !t ? <Loading what="the audit" /> : (
        <p>
          <Status value={t.taskStatus} /> {t.taskType === 'SCHEDULED_AUDIT_TASK' ? `scheduled (${t.scheduledAuditName})` : 'on demand'}, started {fmtDate(t.taskStartTime)}.{' '}
          Checks: {t.taskStatistics?.totalChecks ?? 0} in all, {t.taskStatistics?.compliantChecks ?? 0} compliant, {t.taskStatistics?.nonCompliantChecks ?? 0} non-compliant,{' '}
          {t.taskStatistics?.inProgressChecks ?? 0} running, {t.taskStatistics?.failedChecks ?? 0} failed.
        </p>
      )}
      <form class="filters" onSubmit={(e) => (e.preventDefault(), setApplied({ checkName, kind, resource: resource.trim() }))}>
        <label>Check
          <select value={checkName} onChange={(e) => setCheck(e.currentTarget.value)}>
            <option value="">All checks</option>
            {CHECK_NAMES.map((n) => <option value={n}>{pretty(n)}</option>)}
          </select>
        </label>
        <label>Resource kind
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {RESOURCE_KINDS.map((k) => <option value={k.key}>{k.label}</option>)}
          </select>
        </label>
        <label>Resource<input value={resource} onInput={(e) => setResource(e.currentTarget.value)} placeholder="any" /></label>
        <button type="submit">Apply filters</button>
        <label>Severity (this page)
          <select value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
            <option value="">Any</option>
            {SEVERITIES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </label>
        <label>Reason code (this page)
          <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
            <option value="">Any</option>
            {reasons.map((r) => <option value={r}>{r}</option>)}
          </select>
        </label>
        <label class="check"><input type="checkbox" checked={suppressed} onChange={(e) => setSuppressed(e.currentTarget.checked)} /> Include suppressed</label>
      </form>
      <ErrorBox error={findings.error} />
      {!findings.data ? (findings.error ? null : <Loading what="findings" />) : shown.length === 0 ? (
        <Empty><p>{running ? 'The audit is still running; findings appear as its checks end.' : 'No finding matches: every audited resource passed these checks.'}</p></Empty>
      ) : (
        <table class="findings">
          <caption>Findings {findings.pageNumber > 1 ? `(page ${findings.pageNumber})` : ''}</caption>
          <thead>
            <tr>
              <th scope="col"><input type="checkbox" aria-label="Select all findings on this page" checked={allShownSelected} onChange={(e) => shown.forEach((f) => toggle(f, e.currentTarget.checked))} /></th>
              <th scope="col">Check</th><th scope="col">Severity</th><th scope="col">Resource</th><th scope="col">Related</th><th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr>
                <td><input type="checkbox" aria-label={`Select finding ${f.findingId}`} checked={selected.has(f.findingId!)} onChange={(e) => toggle(f, e.currentTarget.checked)} /></td>
                <td>{pretty(f.checkName ?? '')}{f.isSuppressed ? <span class="muted"> (suppressed)</span> : null}</td>
                <td><span class={`sev sev-${f.severity?.toLowerCase()}`}>{f.severity}</span></td>
                <td><ResourceLink r={f.nonCompliantResource?.resourceIdentifier} type={f.nonCompliantResource?.resourceType} /></td>
                <td>{(f.relatedResources ?? []).map((r) => <div><ResourceLink r={r.resourceIdentifier} type={r.resourceType} /></div>)}</td>
                <td>{f.reasonForNonCompliance}<br /><code class="muted">{f.reasonForNonComplianceCode}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager {...findings} />
      {notice && <p class="ok" role="status">{notice}</p>}
      {selected.size > 0 && <Mitigate taskId={taskId} selected={[...selected.values()]} onSuppressed={(n) => (setNotice(`Suppressed ${n} finding(s): the audits that run from now on mark them suppressed.`), setSelected(new Map()), findings.reload())} />}
    </section>
  );
}

/** A link to the page of a finding's resource (certificate, policy, CA, thing), or its identifier as text. */
export function ResourceLink({ r, type }: { r?: ResourceIdentifier; type?: string }) {
  if (!r) return <span>—</span>;
  if (r.deviceCertificateId) return <Link to={`/certificates/${r.deviceCertificateId}`} label={`Certificate ${r.deviceCertificateId}`}>certificate {r.deviceCertificateId.slice(0, 12)}…</Link>;
  if (r.policyVersionIdentifier?.policyName) return <Link to={`/policies/${encodeURIComponent(r.policyVersionIdentifier.policyName)}`}>policy {r.policyVersionIdentifier.policyName} v{r.policyVersionIdentifier.policyVersionId}</Link>;
  if (r.caCertificateId) return <span>CA certificate {r.caCertificateId.slice(0, 12)}…</span>;
  if (r.clientId) return <span>client {r.clientId}</span>;
  if (r.roleAliasArn) return <span>role alias {r.roleAliasArn}</span>;
  if (r.iamRoleArn) return <span>IAM role {r.iamRoleArn}</span>;
  if (r.cognitoIdentityPoolId) return <span>identity pool {r.cognitoIdentityPoolId}</span>;
  if (type === 'IOT_THING' && r.clientId) return <Link to={`/things/${encodeURIComponent(r.clientId)}`}>{r.clientId}</Link>;
  if (r.account) return <span>account {r.account}</span>;
  return <code>{JSON.stringify(r)}</code>;
}

function Mitigate({ taskId, selected, onSuppressed }: { taskId: string; selected: AuditFinding[]; onSuppressed: (count: number) => void }) {
  const actions = useLoad(actionsWithTypes);
  const checks = [...new Set(selected.map((f) => f.checkName!))].sort();
  const [choice, setChoice] = useState<Record<string, string>>({});
  const start = useAction();
  const suppress = useAction();
  const list = actions.data ?? [];
  const pick = (check: string) => choice[check] ?? list.find((a) => CHECKS[check]?.actions.includes(a.actionType))?.actionName ?? '';
  return (
    <form class="panel" aria-labelledby="mitigate-h" onSubmit={(e) => {
      e.preventDefault();
      void start.run(async () => {
        const mitigationTaskId = `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        await iot().send(new StartAuditMitigationActionsTaskCommand({
          taskId: mitigationTaskId,
          target: { findingIds: selected.map((f) => f.findingId!) },
          auditCheckToActionsMapping: Object.fromEntries(checks.map((c) => [c, [pick(c)]])),
          clientRequestToken: mitigationTaskId,
        }));
        navigate(`/mitigation/tasks/${mitigationTaskId}`);
      });
    }}>
      <h2 id="mitigate-h">{selected.length} finding{selected.length === 1 ? '' : 's'} selected (audit {taskId})</h2>
      {actions.error && <ErrorBox error={actions.error} />}
      {actions.data && list.length === 0 && <p>No mitigation action exists yet: create one on <Link to="/mitigation">Mitigation</Link> first.</p>}
      {checks.map((c) => (
        <label>Action for {pretty(c)}
          <select name={`action-${c}`} value={pick(c)} onChange={(e) => setChoice((s) => ({ ...s, [c]: e.currentTarget.value }))}>
            <option value="">Choose an action</option>
            {list.map((a) => <option value={a.actionName}>{a.actionName} ({a.actionType}{CHECKS[c]?.actions.includes(a.actionType) ? '' : ', not listed for this check'})</option>)}
          </select>
        </label>
      ))}
      <button type="submit" disabled={start.busy || checks.some((c) => !pick(c))}>Start mitigation task</button>{' '}
      <button type="button" disabled={suppress.busy} onClick={() => suppress.run(async () => {
        for (const f of selected) {
          await iot().send(new CreateAuditSuppressionCommand({
            checkName: f.checkName!,
            resourceIdentifier: f.nonCompliantResource!.resourceIdentifier!,
            suppressIndefinitely: true,
            description: `Suppressed from the console (finding ${f.findingId})`,
            clientRequestToken: `${f.findingId}`.slice(0, 64),
          }));
        }
        onSuppressed(selected.length); // the panel closes: the page tells the count
      })}>Suppress selected</button>
      <ActionResult a={start} />
      <ActionResult a={suppress} />
    </form>
  );
}
