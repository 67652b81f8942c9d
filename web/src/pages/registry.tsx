import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListActiveViolationsCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListPrincipalThingsCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ListTargetsForPolicyCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { useEffect, useState } from 'preact/hooks';
import { iot } from '../api';
import { ActionResult, Empty, ErrorBox, Link, Loading, Pager, Status, fmtDate, useAction, useLoad, usePages } from '../ui';

const enc = encodeURIComponent;

export function RegistryPage() {
  const things = usePages(async (nextToken) => {
    const r = await iot().send(new ListThingsCommand({ nextToken, maxResults: 25 }));
    return { items: r.things ?? [], nextToken: r.nextToken };
  });
  const certs = usePages(async (marker) => {
    const r = await iot().send(new ListCertificatesCommand({ marker, pageSize: 25, ascendingOrder: true }));
    return { items: r.certificates ?? [], nextToken: r.nextMarker };
  });
  const policies = usePages(async (marker) => {
    const r = await iot().send(new ListPoliciesCommand({ marker, pageSize: 25, ascendingOrder: true }));
    return { items: r.policies ?? [], nextToken: r.nextMarker };
  });
  const groups = usePages(async (nextToken) => {
    const r = await iot().send(new ListThingGroupsCommand({ nextToken, maxResults: 25 }));
    return { items: r.thingGroups ?? [], nextToken: r.nextToken };
  });
  return (
    <section>
      <h1>Registry</h1>
      <div class="grid2">
        <div>
          <h2>Things</h2>
          {things.error ? <ErrorBox error={things.error} /> : !things.data ? <Loading what="things" /> : things.data.items.length === 0 ? <p class="muted">No thing (CreateThing).</p> : (
            <ul class="plain">{things.data.items.map((t) => <li><Link to={`/things/${enc(t.thingName!)}`}>{t.thingName}</Link></li>)}</ul>
          )}
          <Pager {...things} />
        </div>
        <div>
          <h2>Certificates</h2>
          {certs.error ? <ErrorBox error={certs.error} /> : !certs.data ? <Loading what="certificates" /> : certs.data.items.length === 0 ? <p class="muted">No certificate.</p> : (
            <ul class="plain">{certs.data.items.map((c) => <li><Link to={`/certificates/${c.certificateId}`}>{c.certificateId!.slice(0, 16)}…</Link> <Status value={c.status} /></li>)}</ul>
          )}
          <Pager {...certs} />
        </div>
        <div>
          <h2>Policies</h2>
          {policies.error ? <ErrorBox error={policies.error} /> : !policies.data ? <Loading what="policies" /> : policies.data.items.length === 0 ? <p class="muted">No policy.</p> : (
            <ul class="plain">{policies.data.items.map((p) => <li><Link to={`/policies/${enc(p.policyName!)}`}>{p.policyName}</Link></li>)}</ul>
          )}
          <Pager {...policies} />
        </div>
        <div>
          <h2>Thing groups</h2>
          {groups.error ? <ErrorBox error={groups.error} /> : !groups.data ? <Loading what="groups" /> : groups.data.items.length === 0 ? <p class="muted">No thing group.</p> : (
            <ul class="plain">{groups.data.items.map((g) => <li><Link to={`/thing-groups/${enc(g.groupName!)}`}>{g.groupName}</Link></li>)}</ul>
          )}
          <Pager {...groups} />
        </div>
      </div>
    </section>
  );
}

export function CertificatePage({ id }: { id: string }) {
  const cert = useLoad(() => iot().send(new DescribeCertificateCommand({ certificateId: id })), [id]);
  const arn = cert.data?.certificateDescription?.certificateArn;
  const related = useLoad(async () => {
    if (!arn) return undefined;
    const [things, policies] = await Promise.all([
      iot().send(new ListPrincipalThingsCommand({ principal: arn, maxResults: 25 })),
      iot().send(new ListAttachedPoliciesCommand({ target: arn, pageSize: 25 })),
    ]);
    return { things: things.things ?? [], policies: policies.policies ?? [] };
  }, [arn]);
  const deactivate = useAction();
  const d = cert.data?.certificateDescription;
  return (
    <section>
      <h1>Certificate</h1>
      <p><code class="wrap">{id}</code></p>
      {cert.error ? <ErrorBox error={cert.error} /> : !d ? <Loading what="the certificate" /> : (
        <>
          <dl class="facts">
            <dt>Status</dt><dd data-testid="certificate-status"><Status value={d.status} /></dd>
            <dt>Valid from</dt><dd>{fmtDate(d.validity?.notBefore)}</dd>
            <dt>Valid until</dt><dd>{fmtDate(d.validity?.notAfter)}</dd>
            <dt>Mode</dt><dd>{d.certificateMode}</dd>
            <dt>CA certificate</dt><dd>{d.caCertificateId ?? 'none (registered without a CA)'}</dd>
            <dt>ARN</dt><dd><code class="wrap">{d.certificateArn}</code></dd>
          </dl>
          {d.status === 'ACTIVE' && (
            <button type="button" disabled={deactivate.busy} onClick={() => confirm('Deactivate this certificate? Devices using it can no longer connect.') && deactivate.run(async () => {
              await iot().send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' }));
              cert.reload();
              return 'Certificate deactivated.';
            })}>Deactivate certificate</button>
          )}
          <ActionResult a={deactivate} />
          <h2>Attached things</h2>
          {related.error ? <ErrorBox error={related.error} /> : !related.data ? <Loading what="attachments" /> : related.data.things.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain">{related.data.things.map((t) => <li><Link to={`/things/${enc(t)}`}>{t}</Link></li>)}</ul>
          )}
          <h2>Attached policies</h2>
          {related.data && (related.data.policies.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain">{related.data.policies.map((p) => <li><Link to={`/policies/${enc(p.policyName!)}`}>{p.policyName}</Link></li>)}</ul>
          ))}
        </>
      )}
    </section>
  );
}

export function PolicyPage({ name }: { name: string }) {
  const policy = useLoad(() => iot().send(new GetPolicyCommand({ policyName: name })), [name]);
  const versions = useLoad(() => iot().send(new ListPolicyVersionsCommand({ policyName: name })), [name]);
  const targets = useLoad(() => iot().send(new ListTargetsForPolicyCommand({ policyName: name, pageSize: 25 })), [name]);
  const list = versions.data?.policyVersions ?? [];
  const [a, setA] = useState<string>();
  const [b, setB] = useState<string>();
  useEffect(() => {
    if (list.length && a === undefined) {
      const sorted = [...list].sort((x, y) => Number(x.versionId) - Number(y.versionId));
      setA(sorted[Math.max(0, sorted.length - 2)].versionId);
      setB(sorted[sorted.length - 1].versionId);
    }
  }, [list.length]);
  const docs = useLoad(async () => {
    if (!a || !b) return undefined;
    const [x, y] = await Promise.all([a, b].map((v) => iot().send(new GetPolicyVersionCommand({ policyName: name, policyVersionId: v }))));
    return { a: pretty(x.policyDocument ?? ''), b: pretty(y.policyDocument ?? '') };
  }, [name, a, b]);
  const p = policy.data;
  return (
    <section>
      <h1>Policy {name}</h1>
      {policy.error ? <ErrorBox error={policy.error} /> : !p ? <Loading what="the policy" /> : (
        <>
          <p>Default version: <strong data-testid="default-version">{p.defaultVersionId}</strong> · last modified {fmtDate(p.lastModifiedDate)}</p>
          <h2>Default document</h2>
          <pre class="doc" data-testid="default-document">{pretty(p.policyDocument ?? '')}</pre>
        </>
      )}
      <h2>Versions</h2>
      {versions.error ? <ErrorBox error={versions.error} /> : (
        <table>
          <thead><tr><th scope="col">Version</th><th scope="col">Default</th><th scope="col">Created</th></tr></thead>
          <tbody>{list.map((v) => <tr><td>{v.versionId}</td><td>{v.isDefaultVersion ? 'default' : ''}</td><td>{fmtDate(v.createDate)}</td></tr>)}</tbody>
        </table>
      )}
      {list.length > 1 && (
        <>
          <h2>Difference between versions</h2>
          <div class="filters">
            <label>From<select value={a} onChange={(e) => setA(e.currentTarget.value)}>{list.map((v) => <option value={v.versionId}>{v.versionId}</option>)}</select></label>
            <label>To<select value={b} onChange={(e) => setB(e.currentTarget.value)}>{list.map((v) => <option value={v.versionId}>{v.versionId}</option>)}</select></label>
          </div>
          {docs.error ? <ErrorBox error={docs.error} /> : docs.data && <Diff a={docs.data.a} b={docs.data.b} />}
        </>
      )}
      <h2>Targets</h2>
      {targets.data && ((targets.data.targets ?? []).length === 0 ? <p class="muted">Attached to nothing.</p> : (
        <ul class="plain">{targets.data.targets!.map((t) => <li>{/:cert\//.test(t) ? <Link to={`/certificates/${t.split('/').pop()}`}>{t}</Link> : t}</li>)}</ul>
      ))}
    </section>
  );
}

function pretty(doc: string): string {
  try {
    return JSON.stringify(JSON.parse(doc), null, 2);
  } catch {
    return doc;
  }
}

/** A line diff (longest common subsequence): removed lines marked -, added +. */
function Diff({ a, b }: { a: string; b: string }) {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out: { k: ' ' | '-' | '+'; t: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) (out.push({ k: ' ', t: x[i] }), i++, j++);
    else if (L[i + 1][j] >= L[i][j + 1]) out.push({ k: '-', t: x[i++] });
    else out.push({ k: '+', t: y[j++] });
  }
  while (i < n) out.push({ k: '-', t: x[i++] });
  while (j < m) out.push({ k: '+', t: y[j++] });
  return (
    <pre class="doc diff" aria-label="Policy difference">
      {out.map((l) => <div class={l.k === '-' ? 'del' : l.k === '+' ? 'add' : ''}>{l.k} {l.t}</div>)}
    </pre>
  );
}

export function ThingPage({ name }: { name: string }) {
  const thing = useLoad(() => iot().send(new DescribeThingCommand({ thingName: name })), [name]);
  const rest = useLoad(async () => {
    const [groups, principals, violations] = await Promise.all([
      iot().send(new ListThingGroupsForThingCommand({ thingName: name, maxResults: 25 })),
      iot().send(new ListThingPrincipalsCommand({ thingName: name, maxResults: 25 })),
      iot().send(new ListActiveViolationsCommand({ thingName: name, maxResults: 25 })),
    ]);
    const thingGroups = groups.thingGroups ?? [];
    const certs = (principals.principals ?? []).filter((p) => /:cert\//.test(p));
    // The policies that reach the thing's sessions: those of its certificates and of its groups (one page each).
    const attached = await Promise.all(
      [...certs.map((arn) => ({ target: arn, via: `certificate ${arn.split('/').pop()!.slice(0, 10)}…` })), ...thingGroups.map((g) => ({ target: g.groupArn!, via: `group ${g.groupName}` }))].map(async ({ target, via }) => ({
        via,
        policies: (await iot().send(new ListAttachedPoliciesCommand({ target, pageSize: 25 }))).policies ?? [],
      })),
    );
    const policies = attached.flatMap((a) => a.policies.map((p) => ({ name: p.policyName!, via: a.via })));
    return { groups: thingGroups, principals: principals.principals ?? [], violations: violations.activeViolations ?? [], policies };
  }, [name]);
  const t = thing.data;
  return (
    <section>
      <h1>Thing {name}</h1>
      {thing.error ? <ErrorBox error={thing.error} /> : !t ? <Loading what="the thing" /> : (
        <dl class="facts">
          <dt>Type</dt><dd>{t.thingTypeName ?? '—'}</dd>
          <dt>Version</dt><dd>{t.version}</dd>
          {Object.entries(t.attributes ?? {}).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
        </dl>
      )}
      {rest.error ? <ErrorBox error={rest.error} /> : !rest.data ? <Loading what="groups, certificates, policies and violations" /> : (
        <>
          <h2>Groups</h2>
          {rest.data.groups.length === 0 ? <p class="muted">In no group.</p> : <ul class="plain" data-testid="thing-groups">{rest.data.groups.map((g) => <li><Link to={`/thing-groups/${enc(g.groupName!)}`}>{g.groupName}</Link></li>)}</ul>}
          <h2>Certificates</h2>
          {rest.data.principals.length === 0 ? <p class="muted">None attached.</p> : <ul class="plain">{rest.data.principals.map((p) => <li>{/:cert\//.test(p) ? <Link to={`/certificates/${p.split('/').pop()}`}>{p}</Link> : p}</li>)}</ul>}
          <h2>Policies</h2>
          {rest.data.policies.length === 0 ? <p class="muted">None attached to its certificates or groups.</p> : (
            <ul class="plain" data-testid="thing-policies">{rest.data.policies.map((p) => <li><Link to={`/policies/${enc(p.name)}`}>{p.name}</Link> <span class="muted">through {p.via}</span></li>)}</ul>
          )}
          <h2>Active violations</h2>
          {rest.data.violations.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain">{rest.data.violations.map((v) => <li>{v.securityProfileName} / {v.behavior?.name} since {fmtDate(v.violationStartTime)} (<Link to={`/detect?thing=${enc(name)}`}>details</Link>)</li>)}</ul>
          )}
        </>
      )}
    </section>
  );
}

export function ThingGroupPage({ name }: { name: string }) {
  const group = useLoad(() => iot().send(new DescribeThingGroupCommand({ thingGroupName: name })), [name]);
  const members = usePages(async (nextToken) => {
    const r = await iot().send(new ListThingsInThingGroupCommand({ thingGroupName: name, nextToken, maxResults: 25 }));
    return { items: r.things ?? [], nextToken: r.nextToken };
  }, [name]);
  return (
    <section>
      <h1>Thing group {name}</h1>
      {group.error ? <ErrorBox error={group.error} /> : !group.data ? <Loading what="the group" /> : (
        <p>{group.data.thingGroupProperties?.thingGroupDescription ?? ''} {group.data.queryString ? `Dynamic: ${group.data.queryString}` : ''}</p>
      )}
      <h2>Members</h2>
      {members.error ? <ErrorBox error={members.error} /> : !members.data ? <Loading what="members" /> : members.data.items.length === 0 ? <Empty><p>No thing in this group.</p></Empty> : (
        <ul class="plain" data-testid="group-members">{members.data.items.map((t) => <li><Link to={`/things/${enc(t)}`}>{t}</Link></li>)}</ul>
      )}
      <Pager {...members} />
    </section>
  );
}
