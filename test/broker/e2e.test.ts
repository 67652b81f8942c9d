// The broker and the audit end to end, both backends, with nothing injected: real MQTT
// connections (the `mqtt` npm client and Debian's mosquitto_pub/mosquitto_sub over mutual TLS)
// are written by the broker as connection events, a real on-demand audit (StartOnDemandAuditTask)
// finds the shared certificate and the conflicting client id, and the audit mitigation task that
// deactivates the shared certificate closes the device still connected with it.
//
// DEVICE_CERTIFICATE_SHARED_CHECK looks only at connections older than two hours, so the server
// runs on a clock that follows real time plus an offset the test moves forward (SigV4 gets the
// wide skew of test/audit/audit-config-helpers.ts's inProcess).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  ListAuditFindingsCommand,
  StartAuditMitigationActionsTaskCommand,
  StartOnDemandAuditTaskCommand,
  type AuditFinding,
  type DescribeAuditTaskCommandOutput,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type mqtt from 'mqtt';
import type { Clock } from '../../src/index.js';
import { BACKENDS, run } from '../harness.js';
import { enableChecks, inProcess, waitAuditTask, type InProcess } from '../audit/audit-config-helpers.js';
import { action, waitAudit } from '../operations/mitigation-helpers.js';
import { closed, connectDevice, refusedConnect, until, type Device } from './devices.js';

const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';
const CONFLICTING = 'CONFLICTING_CLIENT_IDS_CHECK';
const ARN = 'arn:aws:iot:us-east-1:000000000000';
const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

/** Real time plus `offset` (ms): time passes as it does for the clients, and the test can jump ahead. */
class ShiftedClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

/**
 * A mosquitto_sub process; `out` grows with its output (-v: "topic payload" lines, -d: protocol
 * traces), line by line (stdbuf: its stdout is a pipe, which it would otherwise buffer).
 */
function mosquittoSub(args: string[]): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, out: () => out, exited };
}

for (const backend of BACKENDS) {
  describe(`MQTT end to end: real connections, real audits, mosquitto clients (${backend})`, () => {
    const clock = new ShiftedClock();
    let w: InProcess<ShiftedClock>;
    let client: IoTClient;
    let ca = '';
    const open: mqtt.MqttClient[] = [];
    /** The broker's presence events, as "connected/<clientId>" and "disconnected/<clientId>". */
    const presence: string[] = [];

    const target = () => ({ port: w.server.mqtt!.port, ca, open });
    const connect = (d: Device, clientId: string) => connectDevice(target(), d, clientId);
    const active = async (policy = 'open'): Promise<Device & { arn: string }> => {
      const r = await client.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
      await client.send(new AttachPolicyCommand({ policyName: policy, target: r.certificateArn! }));
      return { cert: r.certificatePem!, key: r.keyPair!.PrivateKey!, id: r.certificateId!, arn: r.certificateArn! };
    };
    /** Waits for the broker's presence event (the connection event is queued at the same moment). */
    const seen = (event: 'connected' | 'disconnected', clientId: string, count = 1) =>
      until(() => presence.filter((p) => p === `${event}/${clientId}`).length >= count, 5000, `no ${event} event for ${clientId}`);

    /**
     * On-demand audits of `check`, one after another, until one has the finding `pick` wants: the
     * broker writes connection events every 200 ms, so an audit may start before the last ones
     * are in the database. Answers that audit and its findings of the check.
     */
    const auditUntil = async (check: string, pick: (f: AuditFinding) => boolean, ms = 15_000): Promise<{ audit: DescribeAuditTaskCommandOutput; findings: AuditFinding[]; finding: AuditFinding }> => {
      const deadline = Date.now() + ms;
      for (let attempt = 1; ; attempt++) {
        const { taskId } = await client.send(new StartOnDemandAuditTaskCommand({ targetCheckNames: [check] }));
        const audit = await waitAuditTask(client, taskId!);
        assert.equal(audit.taskStatus, 'COMPLETED');
        const findings = (await client.send(new ListAuditFindingsCommand({ taskId, checkName: check }))).findings ?? [];
        const finding = findings.find(pick);
        if (finding) return { audit, findings, finding };
        if (Date.now() > deadline) assert.fail(`${attempt} audits of ${check} found no such finding; the last found ${JSON.stringify(findings)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const clientIds = (f: AuditFinding) => (f.relatedResources ?? []).map((r) => r.resourceIdentifier?.clientId).sort();
    const allDisconnected = (f: AuditFinding) => (f.relatedResources ?? []).every((r) => r.additionalInfo?.DISCONNECTION_TIME !== undefined);

    before(async () => {
      w = await inProcess(backend, clock, { dirPrefix: 'warden-e2e-', server: { mqtt: { port: 0 } } });
      client = w.client;
      ca = w.server.mqtt!.caPem;
      await client.send(new CreatePolicyCommand({ policyName: 'open', policyDocument: doc({ Effect: 'Allow', Action: 'iot:*', Resource: '*' }) }));
      await enableChecks(client, [SHARED, CONFLICTING]);
      const watcher = await connect(await active(), 'presence-watcher');
      watcher.on('message', (topic) => presence.push(topic.replace('$aws/events/presence/', '')));
      await watcher.subscribeAsync('$aws/events/presence/+/+', { qos: 0 });
    });

    after(async () => {
      for (const c of open) c.end(true);
      await w?.cleanup();
    });

    test(`two client ids on one certificate at once: ${SHARED} finds it, and its UPDATE_DEVICE_CERTIFICATE mitigation closes the device still connected, which cannot reconnect`, async () => {
      // A certificate used by two client ids one after the other is not shared.
      const serial = await active();
      await (await connect(serial, 'serial-1')).endAsync();
      await seen('disconnected', 'serial-1');
      await (await connect(serial, 'serial-2')).endAsync();
      await seen('disconnected', 'serial-2');
      // Two client ids connected with the same certificate at the same time: a then b, a leaves, b leaves.
      const shared = await active();
      const a = await connect(shared, 'shared-a');
      const b = await connect(shared, 'shared-b');
      await seen('connected', 'shared-b');
      await new Promise((r) => setTimeout(r, 20)); // some shared milliseconds
      await a.endAsync();
      await seen('disconnected', 'shared-a');
      await b.endAsync();
      await seen('disconnected', 'shared-b');

      // Two hours later (AWS's lag) the shared certificate is still in use by a third device.
      clock.offset += 2 * 3600_000 + 60_000;
      const live = await connect(shared, 'shared-c');
      const { audit, findings, finding } = await auditUntil(SHARED, (f) => f.nonCompliantResource?.resourceIdentifier?.deviceCertificateId === shared.id && f.relatedResources?.length === 2 && allDisconnected(f));
      assert.equal(audit.auditDetails![SHARED].checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.ok(audit.auditDetails![SHARED].totalResourcesCount! >= 2, 'the shared and the serial certificates were audited');
      assert.deepEqual(
        findings.map((f) => f.nonCompliantResource?.resourceIdentifier?.deviceCertificateId),
        [shared.id],
        'only the certificate used at the same time by two client ids (not the serial one, not shared-c after the window)',
      );
      assert.equal(finding.severity, 'CRITICAL');
      assert.equal(finding.nonCompliantResource?.resourceType, 'DEVICE_CERTIFICATE');
      assert.equal(finding.reasonForNonComplianceCode, 'CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES');
      assert.deepEqual(clientIds(finding), ['shared-a', 'shared-b']);
      const times = Object.fromEntries(finding.relatedResources!.map((r) => [r.resourceIdentifier!.clientId!, [Number(r.additionalInfo!.CONNECTION_TIME), Number(r.additionalInfo!.DISCONNECTION_TIME)]]));
      // a connected first, b connected before a left, a left before b.
      assert.ok(times['shared-a'][0] <= times['shared-b'][0] && times['shared-b'][0] < times['shared-a'][1] && times['shared-a'][1] <= times['shared-b'][1], JSON.stringify(times));

      const gone = closed(live);
      await action(client, 'shared-cert-off', { updateDeviceCertificateParams: { action: 'DEACTIVATE' } });
      await client.send(
        new StartAuditMitigationActionsTaskCommand({ taskId: `shared-off-${backend}`, target: { findingIds: [finding.findingId!] }, auditCheckToActionsMapping: { [SHARED]: ['shared-cert-off'] } }),
      );
      const task = await waitAudit(client, `shared-off-${backend}`);
      assert.equal(task.taskStatus, 'COMPLETED');
      assert.equal(task.taskStatistics?.[SHARED]?.succeededFindingsCount, 1);
      await Promise.race([gone, new Promise((_, reject) => setTimeout(() => reject(new Error('shared-c still connected 3 s after the mitigation')), 3000).unref())]);
      await seen('disconnected', 'shared-c');
      assert.equal((await client.send(new DescribeCertificateCommand({ certificateId: shared.id }))).certificateDescription?.status, 'INACTIVE');
      await refusedConnect(target(), shared, 'shared-c');
      await refusedConnect(target(), shared, 'shared-d');
    });

    test(`two certificates taking turns with one client id (each knocks the other off): ${CONFLICTING} finds the client id`, async () => {
      // One certificate reconnecting with its client id after a clean disconnect is no conflict.
      const solo = await active();
      await (await connect(solo, 'solo')).endAsync();
      await seen('disconnected', 'solo');
      await (await connect(solo, 'solo')).endAsync();
      await seen('disconnected', 'solo', 2);

      const one = await active();
      const two = await active();
      const first = await connect(one, 'twin');
      const firstOff = closed(first);
      const second = await connect(two, 'twin');
      await firstOff;
      const secondOff = closed(second);
      const third = await connect(one, 'twin');
      await secondOff;
      await third.endAsync();
      await seen('disconnected', 'twin', 3);

      const { audit, findings, finding } = await auditUntil(CONFLICTING, (f) => f.nonCompliantResource?.resourceIdentifier?.clientId === 'twin' && f.relatedResources?.length === 3 && allDisconnected(f));
      assert.equal(audit.auditDetails![CONFLICTING].checkRunStatus, 'COMPLETED_NON_COMPLIANT');
      assert.deepEqual(
        findings.map((f) => f.nonCompliantResource?.resourceIdentifier?.clientId).filter((c) => c === 'twin' || c === 'solo'),
        ['twin'],
      );
      assert.equal(finding.severity, 'HIGH');
      assert.equal(finding.nonCompliantResource?.resourceType, 'CLIENT_ID');
      assert.equal(finding.reasonForNonComplianceCode, 'DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS');
      const related = finding.relatedResources!.map((r) => r.additionalInfo!);
      // Most recent first: the third connection (one, left by itself), the second (two, knocked off), the first (one, knocked off).
      assert.deepEqual(
        related.map((i) => [i.PRINCIPAL_ID, i.DISCONNECT_REASON]),
        [
          [one.arn, 'CLIENT_INITIATED_DISCONNECT'],
          [two.arn, 'DUPLICATE_CLIENTID'],
          [one.arn, 'DUPLICATE_CLIENTID'],
        ],
      );
    });

    test('mosquitto_pub/mosquitto_sub under ${iot:Connection.Thing.ThingName}/*: the thing publishes and subscribes on its own topics; its publish to another thing\'s topic is refused and never delivered', async () => {
      const thingName = `mosq-a-${backend}`;
      const other = `mosq-b-${backend}`;
      await client.send(
        new CreatePolicyCommand({
          policyName: 'thing-topics',
          policyDocument: doc(
            { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:Connection.Thing.ThingName}` },
            { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: `${ARN}:topic/\${iot:Connection.Thing.ThingName}/*` },
            { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${ARN}:topicfilter/\${iot:Connection.Thing.ThingName}/*` },
          ),
        }),
      );
      const thing = await active('thing-topics');
      await client.send(new CreateThingCommand({ thingName }));
      await client.send(new AttachThingPrincipalCommand({ thingName, principal: thing.arn }));
      await client.send(new CreateThingCommand({ thingName: other }));
      const monitor = await active();

      const dir = mkdtempSync(join(tmpdir(), 'warden-e2e-mosquitto-'));
      const subs: ReturnType<typeof mosquittoSub>[] = [];
      try {
        const files = (name: string, d: Device): string[] => {
          writeFileSync(join(dir, `${name}.crt`), d.cert);
          writeFileSync(join(dir, `${name}.key`), d.key);
          return ['--cert', join(dir, `${name}.crt`), '--key', join(dir, `${name}.key`)];
        };
        writeFileSync(join(dir, 'ca.pem'), ca);
        const common = ['-h', 'localhost', '-p', String(w.server.mqtt!.port), '-V', 'mqttv311', '--cafile', join(dir, 'ca.pem')];
        const thingArgs = [...common, ...files('thing', thing)];
        const monitorArgs = [...common, ...files('monitor', monitor)];
        const sub = (args: string[]) => {
          const s = mosquittoSub(args);
          subs.push(s);
          return s;
        };
        const pub = (topic: string, message: string) => run('mosquitto_pub', [...thingArgs, '-i', thingName, '-t', topic, '-m', message, '-q', '1'], { timeoutMs: 10_000 });

        // A monitor allowed everything listens on both things' topics.
        const watch = sub([...monitorArgs, '-i', `monitor-${backend}`, '-t', `${thingName}/#`, '-t', `${other}/#`, '-q', '1', '-v', '-d']);
        await until(() => watch.out().includes('received SUBACK'), 5000, `mosquitto_sub (monitor) did not subscribe: ${watch.out()}`);
        // The thing may subscribe to its own topics (granted QoS 1), not to the other thing's (0x80).
        const own = await run('mosquitto_sub', [...thingArgs, '-i', thingName, '-t', `${thingName}/#`, '-q', '1', '-d', '-W', '1'], { timeoutMs: 10_000 });
        assert.match(own.stdout, /Subscribed \(mid: \d+\): 1\b/, own.stdout + own.stderr);
        const denied = await run('mosquitto_sub', [...thingArgs, '-i', thingName, '-t', `${other}/#`, '-q', '1', '-d', '-W', '1'], { timeoutMs: 10_000 });
        assert.match(denied.stdout, /Subscribed \(mid: \d+\): 128\b/, denied.stdout + denied.stderr);
        assert.match(denied.stdout + denied.stderr, /All subscription requests were denied/, denied.stdout + denied.stderr);

        const ok = await pub(`${thingName}/telemetry`, '{"n":1}');
        assert.equal(ok.code, 0, ok.stderr);
        await until(() => watch.out().includes(`${thingName}/telemetry {"n":1}`), 5000, `the monitor did not receive the thing's message: ${watch.out()}`);

        const refused = await pub(`${other}/telemetry`, '{"n":2}');
        assert.notEqual(refused.code, 0, `mosquitto_pub to ${other}/telemetry should fail (the broker closes the connection): ${refused.stdout}${refused.stderr}`);
        // A message sent after the refused one arrives; the refused one does not, then or later.
        const after = await pub(`${thingName}/telemetry`, '{"n":3}');
        assert.equal(after.code, 0, after.stderr);
        await until(() => watch.out().includes(`${thingName}/telemetry {"n":3}`), 5000, `the monitor did not receive the later message: ${watch.out()}`);
        await new Promise((r) => setTimeout(r, 300));
        assert.doesNotMatch(watch.out(), new RegExp(`${other}/telemetry`));
        assert.doesNotMatch(watch.out(), /"n":2/);
      } finally {
        for (const s of subs) s.proc.kill();
        await Promise.all(subs.map((s) => s.exited));
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
