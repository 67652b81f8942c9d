import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ENTRIES } from '../src/admin/bodies.js';
import { MAX_BODY_BYTES } from '../src/api/server.js';
import { DAY_MS, deviceRecipe, makeCa } from './audit-certs.js';
import { EngineClient } from './engine-client.js';
import type { DeviceJob, DeviceReport } from './engine-load.js';
import { log, round, startWorker } from './procs.js';

/**
 * The (untimed) setup of `bench:engine`, all through the API: `count` devices (CreateThing,
 * RegisterCertificateWithoutCA of a real certificate, AttachThingPrincipal) from load children;
 * the thing group `quarantine`; the two mitigation actions; one DEVICE_CERTIFICATE_EXPIRING_CHECK
 * finding per certificate, injected with POST /_warden/audit-findings in bodies of at most
 * MAX_ENTRIES findings and MAX_BODY_BYTES bytes, all under one audit task.
 */
export const GROUP = 'quarantine';
export const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
export const ACTIONS = [
  { name: 'bench-deactivate', actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } },
  { name: 'bench-quarantine', actionParams: { addThingsToThingGroupParams: { thingGroupNames: [GROUP] } } },
] as const;
const ROLE_ARN = 'arn:aws:iam::000000000000:role/warden-bench-mitigation';

export interface SetupResult {
  auditTaskId: string;
  findings: number;
  seconds: number;
  certificateRecipeSeconds: number;
  devices: { count: number; seconds: number; devicesPerSecond: number; requestsPerSecond: number; clients: number; concurrency: number; clientCpuPct: number; latencyMs: DeviceReport['latency'][] };
  findingsInjection: { requests: number; seconds: number; findingsPerSecond: number; largestBodyBytes: number; mostFindingsPerRequest: number };
}

export async function setup(root: string, work: string, urls: string[], count: number, concurrency: number, clients: number): Promise<SetupResult> {
  const t0 = performance.now();
  // One CA (it keeps its key) and one device key: every certificate is this template with its own serial and name.
  const now = Date.now();
  const notBefore = new Date(now - DAY_MS);
  const notAfter = new Date(now + 365 * DAY_MS);
  const ca = await makeCa(`CN=Warden engine bench CA ${now}, O=Warden bench`, '01', notBefore, notAfter, true);
  const recipe = await deviceRecipe(ca, notBefore, notAfter);
  const recipeFile = join(work, 'cert-recipe.json');
  writeFileSync(recipeFile, JSON.stringify(recipe));
  const certificateRecipeSeconds = (performance.now() - t0) / 1000;

  const client = new EngineClient(urls, 4);
  try {
    await client.json({ method: 'POST', path: `/thing-groups/${GROUP}`, body: '{}' }, 'CreateThingGroup');
    for (const a of ACTIONS) {
      await client.json({ method: 'POST', path: `/mitigationactions/actions/${a.name}`, body: JSON.stringify({ roleArn: ROLE_ARN, actionParams: a.actionParams }) }, 'CreateMitigationAction', 0);
    }

    const n = Math.max(1, Math.min(clients, concurrency, count));
    log(`setup: ${count} devices (CreateThing + RegisterCertificateWithoutCA + AttachThingPrincipal), ${concurrency} in flight from ${n} load process(es)`);
    const workers = [];
    for (let k = 0; k < n; k++) {
      const job: DeviceJob = {
        urls,
        concurrency: Math.floor(concurrency / n) + (k < concurrency % n ? 1 : 0),
        from: Math.floor((count * k) / n),
        to: Math.floor((count * (k + 1)) / n),
        recipeFile,
        idsFile: join(work, `ids-${k}.txt`),
      };
      workers.push(startWorker<DeviceReport>(root, work, 'engine-load', `load-${k}`, job));
    }
    const ready = await Promise.all(workers);
    for (const w of ready) w.go();
    const reports = await Promise.all(ready.map((w) => w.result));
    const errors = reports.reduce((a, r) => a + r.errors, 0);
    if (errors > 0) throw new Error(`setup: ${errors} device requests failed, e.g. ${reports.flatMap((r) => r.samples).slice(0, 3).join(' | ')}`);
    const devSeconds = (Math.max(...reports.map((r) => r.endMs)) - Math.min(...reports.map((r) => r.startMs))) / 1000;
    const ids = reports.flatMap((_, k) => readFileSync(join(work, `ids-${k}.txt`), 'utf8').split('\n'));
    if (ids.length !== count || new Set(ids).size !== count) throw new Error(`setup: expected ${count} distinct certificate ids, got ${ids.length}`);
    log(`setup: ${count} devices in ${devSeconds.toFixed(1)} s (${(count / devSeconds).toFixed(0)}/s)`);

    const f0 = performance.now();
    const injected = await injectFindings(client, ids);
    const fSeconds = (performance.now() - f0) / 1000;
    log(`setup: ${count} findings in ${injected.requests} requests, ${fSeconds.toFixed(1)} s`);
    return {
      auditTaskId: injected.taskId,
      findings: count,
      seconds: round((performance.now() - t0) / 1000, 1),
      certificateRecipeSeconds: round(certificateRecipeSeconds, 2),
      devices: {
        count,
        seconds: round(devSeconds, 1),
        devicesPerSecond: round(count / devSeconds, 1),
        requestsPerSecond: round((3 * count) / devSeconds, 1),
        clients: n,
        concurrency,
        clientCpuPct: round((100 * reports.reduce((a, r) => a + r.cpuMs, 0)) / 1000 / devSeconds, 1),
        latencyMs: reports.map((r) => r.latency),
      },
      findingsInjection: { requests: injected.requests, seconds: round(fSeconds, 1), findingsPerSecond: round(count / fSeconds, 1), largestBodyBytes: injected.largest, mostFindingsPerRequest: injected.most },
    };
  } finally {
    client.close();
  }
}

/** One finding per certificate, packed into as few bodies as the limits allow; returns the audit task id. */
async function injectFindings(client: EngineClient, ids: string[]): Promise<{ taskId: string; requests: number; largest: number; most: number }> {
  const finding = (id: string): string =>
    JSON.stringify({
      checkName: CHECK,
      severity: 'MEDIUM',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: id } },
      reasonForNonCompliance: 'Certificate is approaching its expiration date.',
      reasonForNonComplianceCode: 'CERTIFICATE_APPROACHING_EXPIRATION',
    });
  let taskId: string | undefined;
  let requests = 0;
  let largest = 0;
  let most = 0;
  let i = 0;
  const progressEvery = Math.max(1, Math.floor(ids.length / 10));
  let nextProgress = progressEvery;
  while (i < ids.length) {
    const head = taskId ? `{"taskId":${JSON.stringify(taskId)},"findings":[` : '{"findings":[';
    const parts: string[] = [];
    let size = Buffer.byteLength(head) + 2; // the closing ]}
    while (i < ids.length && parts.length < MAX_ENTRIES) {
      const f = finding(ids[i]);
      if (size + f.length + 1 > MAX_BODY_BYTES) break;
      size += f.length + (parts.length ? 1 : 0);
      parts.push(f);
      i++;
    }
    const body = `${head}${parts.join(',')}]}`;
    const r = await client.json<{ taskId: string; findingIds: string[] }>({ method: 'POST', path: '/_warden/audit-findings', body }, 'POST /_warden/audit-findings', 0);
    if (r.findingIds?.length !== parts.length) throw new Error(`audit-findings recorded ${r.findingIds?.length} of ${parts.length} findings`);
    taskId ??= r.taskId;
    requests++;
    largest = Math.max(largest, Buffer.byteLength(body));
    most = Math.max(most, parts.length);
    if (i >= nextProgress) {
      log(`  ${i}/${ids.length} findings`);
      nextProgress += progressEvery;
    }
  }
  return { taskId: taskId!, requests, largest, most };
}
