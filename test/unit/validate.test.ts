import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadModel } from '../../src/api/model.js';
import { parseInput, parseQuery } from '../../src/api/parse.js';
import { formatViolations, parseTimestamp, Validator, type Violation } from '../../src/api/validate.js';
import { InvalidRequestException } from '../../src/generated/errors.js';

const model = loadModel();
const validator = new Validator(model);
const op = (name: string) => model.operations[name];

function bind(name: string, req: { labels?: Record<string, string>; query?: string; headers?: Record<string, string>; body?: unknown }) {
  return parseInput(model, validator, op(name), {
    labels: req.labels ?? {},
    query: parseQuery(req.query ?? ''),
    headers: req.headers ?? {},
    body: req.body === undefined ? Buffer.alloc(0) : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body)),
  });
}

function rejects(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InvalidRequestException, String(e));
    return e.message;
  }
  assert.fail('expected InvalidRequestException');
}

describe('timestamps', () => {
  test('ISO-8601 with 0, 3 and 6 fractional digits, and epoch seconds', () => {
    assert.equal(parseTimestamp('2024-01-01T00:00:00Z')?.getTime(), 1704067200000);
    assert.equal(parseTimestamp('2024-01-02T00:00:00.500Z')?.getTime(), 1704153600500);
    assert.equal(parseTimestamp('2024-01-02T00:00:00.500000Z')?.getTime(), 1704153600500);
    assert.equal(parseTimestamp('2024-01-02T02:00:00+02:00')?.getTime(), 1704153600000);
    assert.equal(parseTimestamp('1704067200')?.getTime(), 1704067200000);
    assert.equal(parseTimestamp('2024-02-31T00:00:00Z'), undefined);
    assert.equal(parseTimestamp('yesterday'), undefined);
  });
});

describe('binding and validating inputs from the model', () => {
  test('query strings: integers, booleans, timestamps, enums', () => {
    const input = bind('ListAuditTasks', { query: 'startTime=2024-01-01T00%3A00%3A00Z&endTime=2024-01-02T00%3A00%3A00.500000Z&taskType=ON_DEMAND_AUDIT_TASK&maxResults=5' });
    assert.deepEqual(input, {
      startTime: new Date(1704067200000),
      endTime: new Date(1704153600500),
      taskType: 'ON_DEMAND_AUDIT_TASK',
      maxResults: 5,
    });
    const set = bind('CreateKeysAndCertificate', { query: 'setAsActive=true' });
    assert.equal(set.setAsActive, true);
  });

  test('required query members, bad integers and enum values are named', () => {
    const msg = rejects(() => bind('ListAuditTasks', { query: 'maxResults=abc&taskType=NOPE' }));
    assert.match(msg, /^4 validation errors detected: /);
    assert.match(msg, /Value 'abc' at 'maxResults' failed to satisfy constraint: Member must be an integer/);
    assert.match(msg, /Value 'NOPE' at 'taskType' failed to satisfy constraint: Member must satisfy enum value set: \[ON_DEMAND_AUDIT_TASK, SCHEDULED_AUDIT_TASK\]/);
    assert.match(msg, /Value null at 'startTime' failed to satisfy constraint: Member must not be null/);
    assert.match(msg, /Value null at 'endTime' failed to satisfy constraint: Member must not be null/);
  });

  test('range, length, pattern and nested paths', () => {
    assert.match(rejects(() => bind('ListMitigationActions', { query: 'maxResults=251' })), /Value 251 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 250/);
    assert.match(rejects(() => bind('ListMitigationActions', { query: 'maxResults=0' })), /Member must have value greater than or equal to 1/);
    const long = 'a'.repeat(129);
    assert.match(rejects(() => bind('DescribeMitigationAction', { labels: { actionName: long } })), /at 'actionName' failed to satisfy constraint: Member must have length less than or equal to 128/);
    assert.match(
      rejects(() => bind('DescribeMitigationAction', { labels: { actionName: 'bad name!' } })),
      /Value 'bad name!' at 'actionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_-\]\+/,
    );
    const msg = rejects(() =>
      bind('CreateMitigationAction', {
        labels: { actionName: 'a' },
        body: { roleArn: 'short', actionParams: { addThingsToThingGroupParams: { thingGroupNames: [] } } },
      }),
    );
    assert.match(msg, /at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/);
    assert.match(msg, /at 'actionParams.addThingsToThingGroupParams.thingGroupNames' failed to satisfy constraint: Member must have length greater than or equal to 1/);
  });

  test('wrong JSON types are named; unknown members are dropped; idempotency tokens are filled', () => {
    const msg = rejects(() => bind('CreateMitigationAction', { labels: { actionName: 'a' }, body: { roleArn: 5, actionParams: 'x' } }));
    assert.match(msg, /Value 5 at 'roleArn' failed to satisfy constraint: Member must be a string/);
    assert.match(msg, /at 'actionParams' failed to satisfy constraint: Member must be a structure/);
    const ok = bind('CreateMitigationAction', {
      labels: { actionName: 'a' },
      body: { roleArn: 'arn:aws:iam::000000000000:role/r', actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE', extra: 1 } }, junk: true },
    });
    assert.deepEqual(ok, { actionName: 'a', roleArn: 'arn:aws:iam::000000000000:role/r', actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } });
    const started = bind('StartAuditMitigationActionsTask', {
      labels: { taskId: 't1' },
      body: { target: { findingIds: ['f1'] }, auditCheckToActionsMapping: { IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['a1'] } },
    });
    assert.match(String(started.clientRequestToken), /^[0-9a-f-]{36}$/);
  });

  test('JSON timestamps in bodies become dates, fractions kept', () => {
    const input = bind('StartDetectMitigationActionsTask', {
      labels: { taskId: 'd1' },
      body: { target: { securityProfileName: 'sp1' }, actions: ['a1'], violationEventOccurrenceRange: { startTime: 1704067200, endTime: 1704153600.5 }, clientRequestToken: 'tok' },
    });
    assert.deepEqual(input.violationEventOccurrenceRange, { startTime: new Date(1704067200000), endTime: new Date(1704153600500) });
  });

  test('malformed JSON, and a body that is not an object', () => {
    assert.match(rejects(() => bind('CreateMitigationAction', { labels: { actionName: 'a' }, body: '{"roleArn": ' })), /not valid JSON/);
    assert.match(rejects(() => bind('CreateMitigationAction', { labels: { actionName: 'a' }, body: '[1,2]' })), /must be a JSON object/);
  });

  test('the payload member is the whole body (SetLoggingOptions)', () => {
    const input = bind('SetLoggingOptions', { body: { roleArn: 'arn:aws:iam::123456789012:role/r', logLevel: 'INFO' } });
    assert.deepEqual(input, { loggingOptionsPayload: { roleArn: 'arn:aws:iam::123456789012:role/r', logLevel: 'INFO' } });
  });

  test('the principal header binds (AttachThingPrincipal)', () => {
    const input = bind('AttachThingPrincipal', { labels: { thingName: 't1' }, headers: { 'x-amzn-principal': 'arn:aws:iot:us-east-1:123456789012:cert/abc' } });
    assert.equal(input.principal, 'arn:aws:iot:us-east-1:123456789012:cert/abc');
    assert.match(rejects(() => bind('AttachThingPrincipal', { labels: { thingName: 't1' } })), /Value null at 'principal'/);
  });

  test('formatting is AWS wording', () => {
    const v: Violation[] = [{ path: 'a', value: 'x', constraint: 'Member must not be null' }];
    assert.equal(formatViolations(v), "1 validation error detected: Value 'x' at 'a' failed to satisfy constraint: Member must not be null");
  });
});

describe('model patterns', () => {
  test('every pattern in the model compiles as a Unicode regular expression', async () => {
    const { compileJavaPattern } = await import('../../src/api/validate.js');
    const patterns = new Set(Object.values(model.shapes).flatMap((s) => (s.pattern ? [s.pattern] : [])));
    assert.ok(patterns.size > 40);
    for (const p of patterns) assert.ok(compileJavaPattern(p), `pattern ${p} does not compile`);
  });

  test('Java classes mean what Java means', async () => {
    const { compileJavaPattern } = await import('../../src/api/validate.js');
    const graph = compileJavaPattern('[\\p{Graph}\\x20]*')!;
    assert.ok(graph.test('A thing type for sensors, v2 (beta)!'));
    assert.ok(!graph.test('tab\there'));
    const noControl = compileJavaPattern('[^\\p{Cntrl}]*')!;
    assert.ok(noControl.test('üñíçødé and spaces'));
    assert.ok(!noControl.test('bell\u0007'));
    const upper = compileJavaPattern('[\\p{Upper}\\p{Digit}_]+')!;
    assert.ok(upper.test('CERT_EXPIRATION_THRESHOLD_IN_DAYS'));
    assert.ok(!upper.test('lower'));
  });
});
