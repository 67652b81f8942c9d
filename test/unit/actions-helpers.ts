// The action handlers called directly, as the engine calls them (inside a transaction and a
// savepoint that a FAILED outcome undoes), on the store of an in-process Warden whose registry
// state the tests build and read back through @aws-sdk/client-iot.
import assert from 'node:assert/strict';
import { CreateKeysAndCertificateCommand, CreateThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { ActionDefinition, ActionOutcome, ActionRegistry, ActionScope, ActionSubject } from '../../src/actions/types.js';
import { DEFAULT_SKEW_MS } from '../../src/api/sigv4.js';
import type { MitigationActionParams, MitigationActionType, ResourceIdentifier } from '../../src/generated/shapes.js';
import { systemClock, type WardenServer } from '../../src/index.js';
import { inProcess as startInProcess } from '../audit/audit-config-helpers.js';
import { ROLE, type Backend } from '../harness.js';

export interface Bench {
  server: WardenServer;
  client: IoTClient;
  url: string;
  scope: ActionScope;
  close(): Promise<void>;
}

/** A server on the real clock with the default signature skew, its engine off (the tests call the handlers). */
export async function inProcess(backend: Backend): Promise<Bench> {
  const w = await startInProcess(backend, systemClock, { skewMs: DEFAULT_SKEW_MS, dirPrefix: 'warden-actions-', server: { enableReset: true, engine: false } });
  return {
    server: w.server,
    client: w.client,
    url: w.url,
    scope: { accountId: '000000000000', region: 'us-east-1', clock: systemClock },
    close: w.cleanup,
  };
}

let n = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++n}`;

export function def(actionParams: MitigationActionParams, name = unique('action')): ActionDefinition {
  return { name, id: `id-${name}`, roleArn: ROLE, actionParams };
}

export function finding(resourceIdentifier: ResourceIdentifier, opts: { findingId?: string; taskId?: string; checkName?: string } = {}): ActionSubject {
  return {
    kind: 'finding',
    taskId: opts.taskId ?? unique('task'),
    finding: {
      findingId: opts.findingId ?? unique('finding'),
      taskId: 'audit-task-1',
      checkName: opts.checkName ?? 'DEVICE_CERTIFICATE_SHARED_CHECK',
      taskStartTime: new Date('2026-03-01T10:00:00.500Z'),
      findingTime: new Date('2026-03-01T10:05:00Z'),
      severity: 'CRITICAL',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier },
      reasonForNonCompliance: 'Certificate shared by several devices.',
      reasonForNonComplianceCode: 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES',
      isSuppressed: false,
    },
  };
}

export function violation(thingName: string | undefined, opts: { violationId?: string; taskId?: string } = {}): ActionSubject {
  return {
    kind: 'violation',
    taskId: opts.taskId ?? unique('task'),
    violation: {
      violationId: opts.violationId ?? unique('violation'),
      thingName,
      securityProfileName: 'profile',
      behavior: { name: 'too-many-bytes', metric: 'aws:all-bytes-out' },
      violationStartTime: new Date('2026-03-02T08:00:00Z'),
    },
  };
}

/** Runs one handler as the engine does: in a transaction, inside a savepoint a FAILED outcome rolls back. */
export async function act(bench: Bench, handlers: ActionRegistry, type: MitigationActionType, action: ActionDefinition, subject: ActionSubject): Promise<ActionOutcome> {
  let outcome: ActionOutcome | undefined;
  await bench.server.store.transaction(async (tx) => {
    await tx
      .savepoint(async () => {
        outcome = await handlers[type](tx, bench.scope, action, subject);
        if (outcome.status === 'FAILED') throw new Undo();
      })
      .catch((e) => {
        if (!(e instanceof Undo)) throw e;
      });
  });
  return outcome!;
}
class Undo extends Error {}

export function assertFailed(o: ActionOutcome, errorCode: string, message: RegExp): void {
  assert.equal(o.status, 'FAILED', `expected FAILED ${errorCode}, got ${JSON.stringify(o)}`);
  if (o.status !== 'FAILED') return;
  assert.equal(o.errorCode, errorCode);
  assert.match(o.message, message);
}

export async function newCertificate(client: IoTClient, active = true): Promise<{ id: string; arn: string }> {
  const c = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: active }));
  return { id: c.certificateId!, arn: c.certificateArn! };
}

/** A new static thing group (under `parentGroupName`, if given); answers its name. */
export async function newGroup(client: IoTClient, parentGroupName?: string): Promise<string> {
  const thingGroupName = unique('group');
  await client.send(new CreateThingGroupCommand({ thingGroupName, parentGroupName }));
  return thingGroupName;
}

/** A certificate id that exists nowhere. */
export const missingCertificateId = (): string => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

export { unique };
