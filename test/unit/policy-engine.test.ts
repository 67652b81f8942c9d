// The IoT policy engine the broker enforces (src/policy/engine.ts): each rule decided on a
// policy that is ALLOWed when the rule holds and not when it does not, so every test can fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy, decide, resolveVariable, type CompiledPolicy, type ConnectionFacts } from '../../src/policy/engine.js';
import { glob, globMatches, wildcard } from '../../src/policy/wildcards.js';

const A = 'arn:aws:iot:us-east-1:000000000000';
type Stmt = Record<string, unknown>;
const policy = (...Statement: Stmt[]): CompiledPolicy => {
  const p = compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement }));
  assert.ok(p, 'the document compiles');
  return p;
};
const allow = (Action: string | string[], Resource: string | string[], Condition?: unknown): Stmt => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const deny = (Action: string | string[], Resource: string | string[], Condition?: unknown): Stmt => ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });

const thingFacts: ConnectionFacts = {
  accountId: '000000000000',
  region: 'us-east-1',
  clientId: 'sensor-1',
  thing: { name: 'sensor-1', typeName: 'Sensor', attributes: { floor: '3', room: 'a*b' } },
  certificateId: 'c0ffee',
  certificate: {
    subject: { CommonName: 'LightBulb Device Cert', Organization: 'IoT Devices', Country: 'US' },
    issuer: { CommonName: 'IoT Devices Primary CA', Organization: 'IoT Devices' },
    subjectAlternativeName: { DNSName: 'example.com' },
    serialNumber: '921285cbb7a5e086',
    notBefore: new Date('2024-03-26T03:25:40Z'),
    notAfter: new Date('2025-04-28T03:25:40Z'),
  },
};
const noThing: ConnectionFacts = { ...thingFacts, clientId: 'other-client', thing: undefined };

describe('policy engine: compile', () => {
  test('a document that is not JSON or not a policy does not compile', () => {
    assert.equal(compilePolicy('{'), undefined);
    assert.equal(compilePolicy('42'), undefined);
    assert.ok(compilePolicy('{"Statement":[]}'));
  });
});

describe('policy engine: evaluation over all policies', () => {
  const p = policy(allow('iot:Publish', `${A}:topic/a/b`));
  test('no policy, or no matching statement: implicit deny', () => {
    assert.equal(decide([], 'iot:Publish', `${A}:topic/a/b`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/a/c`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topic/a/b`, thingFacts), 'IMPLICIT_DENY');
  });
  test('an Allow allows', () => assert.equal(decide([p], 'iot:Publish', `${A}:topic/a/b`, thingFacts), 'ALLOW'));
  test('an explicit Deny in another policy wins, whatever the order', () => {
    const d = policy(deny('iot:Publish', `${A}:topic/a/*`));
    assert.equal(decide([p, d], 'iot:Publish', `${A}:topic/a/b`, thingFacts), 'EXPLICIT_DENY');
    assert.equal(decide([d, p], 'iot:Publish', `${A}:topic/a/b`, thingFacts), 'EXPLICIT_DENY');
    assert.equal(decide([d, p], 'iot:Publish', `${A}:topic/x`, thingFacts), 'IMPLICIT_DENY');
  });
  test('an explicit Deny in the same policy wins', () => {
    const both = policy(allow('iot:*', '*'), deny('iot:Publish', `${A}:topic/secret`));
    assert.equal(decide([both], 'iot:Publish', `${A}:topic/secret`, thingFacts), 'EXPLICIT_DENY');
    assert.equal(decide([both], 'iot:Publish', `${A}:topic/open`, thingFacts), 'ALLOW');
  });
});

describe('policy engine: Action and NotAction', () => {
  test('actions compare case-insensitively, with * and ?', () => {
    assert.equal(decide([policy(allow('IOT:publish', '*'))], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    assert.equal(decide([policy(allow('iot:Pub*', '*'))], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    assert.equal(decide([policy(allow('iot:Pub*', '*'))], 'iot:Subscribe', `${A}:topicfilter/t`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([policy(allow('iot:?onnect', '*'))], 'iot:Connect', `${A}:client/c`, thingFacts), 'ALLOW');
    assert.equal(decide([policy(allow('iot:?onnect', '*'))], 'iot:Disconnect', `${A}:client/c`, thingFacts), 'IMPLICIT_DENY');
  });
  test('NotAction covers every action but the listed ones', () => {
    const p = policy({ Effect: 'Allow', NotAction: ['iot:Publish', 'iot:RetainPublish'], Resource: '*' });
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topicfilter/t`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:RetainPublish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
  });
  test('a Deny with NotAction denies the others', () => {
    const p = policy(allow('iot:*', '*'), { Effect: 'Deny', NotAction: 'iot:Connect', Resource: '*' });
    assert.equal(decide([p], 'iot:Connect', `${A}:client/c`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'EXPLICIT_DENY');
  });
});

describe('policy engine: Resource and NotResource', () => {
  test('resources compare case-sensitively, with * spanning slashes and ? one character', () => {
    const p = policy(allow('iot:Publish', [`${A}:topic/Dev/*`, `${A}:topic/x?`]));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/Dev/a/b/c`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/dev/a`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/x1`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/x12`, thingFacts), 'IMPLICIT_DENY');
  });
  test('MQTT + and # in a policy resource are literal characters', () => {
    const p = policy(allow('iot:Subscribe', [`${A}:topicfilter/a/+/c`, `${A}:topicfilter/d/#`]));
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topicfilter/a/+/c`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topicfilter/a/b/c`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topicfilter/d/#`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Subscribe', `${A}:topicfilter/d/e`, thingFacts), 'IMPLICIT_DENY');
  });
  test('regex characters in a resource are literal', () => {
    const p = policy(allow('iot:Publish', `${A}:topic/a.b`));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/a.b`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/axb`, thingFacts), 'IMPLICIT_DENY');
  });
  test('another account or region does not match', () => {
    const p = policy(allow('iot:Publish', 'arn:aws:iot:eu-west-1:000000000000:topic/t'));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
  });
  test('NotResource covers every resource but the listed ones', () => {
    const p = policy({ Effect: 'Allow', Action: 'iot:Publish', NotResource: `${A}:topic/admin/*` });
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/user/1`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/admin/1`, thingFacts), 'IMPLICIT_DENY');
    const d = policy(allow('iot:Publish', '*'), { Effect: 'Deny', Action: 'iot:Publish', NotResource: `${A}:topic/ok` });
    assert.equal(decide([d], 'iot:Publish', `${A}:topic/ok`, thingFacts), 'ALLOW');
    assert.equal(decide([d], 'iot:Publish', `${A}:topic/other`, thingFacts), 'EXPLICIT_DENY');
  });
});

describe('policy engine: policy variables', () => {
  test('${iot:ClientId}', () => {
    const p = policy(allow('iot:Connect', `${A}:client/\${iot:ClientId}`));
    assert.equal(decide([p], 'iot:Connect', `${A}:client/sensor-1`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Connect', `${A}:client/sensor-2`, thingFacts), 'IMPLICIT_DENY');
  });
  test('a variable value is literal: its * or ? is no wildcard', () => {
    const facts = { ...thingFacts, clientId: 'a*' };
    const p = policy(allow('iot:Publish', `${A}:topic/\${iot:ClientId}`));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/a*`, facts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/abc`, facts), 'IMPLICIT_DENY');
    const q = policy(allow('iot:Publish', `${A}:topic/\${iot:Connection.Thing.Attributes[room]}`));
    assert.equal(decide([q], 'iot:Publish', `${A}:topic/axxb`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([q], 'iot:Publish', `${A}:topic/a*b`, thingFacts), 'ALLOW');
  });
  test('thing name, type name and attributes resolve from the attached thing', () => {
    const p = policy(
      allow('iot:Publish', [
        `${A}:topic/things/\${iot:Connection.Thing.ThingName}/*`,
        `${A}:topic/types/\${iot:Connection.Thing.ThingTypeName}`,
        `${A}:topic/floors/\${iot:Connection.Thing.Attributes[floor]}`,
        `${A}:topic/attached/\${iot:Connection.Thing.IsAttached}`,
      ]),
    );
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/things/sensor-1/x`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/things/sensor-2/x`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/types/Sensor`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/floors/3`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/floors/4`, thingFacts), 'IMPLICIT_DENY');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/attached/true`, thingFacts), 'ALLOW');
  });
  test('IsAttached resolves to false without a thing', () => {
    const p = policy(allow('iot:Publish', `${A}:topic/attached/\${iot:Connection.Thing.IsAttached}`));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/attached/false`, noThing), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/attached/true`, noThing), 'IMPLICIT_DENY');
  });
  test('without a thing, a statement using a thing variable does not apply (Allow grants nothing)', () => {
    const p = policy(allow('iot:Publish', [`${A}:topic/\${iot:Connection.Thing.ThingName}`, `${A}:topic/open`]));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/open`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/open`, noThing), 'IMPLICIT_DENY');
  });
  test('without a thing, a Deny using a thing variable does not apply either', () => {
    const p = policy(allow('iot:Publish', '*'), deny('iot:Publish', `${A}:topic/\${iot:Connection.Thing.ThingName}`));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/sensor-1`, thingFacts), 'EXPLICIT_DENY');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/sensor-1`, { ...noThing, clientId: 'sensor-1' }), 'ALLOW');
  });
  test('an attribute the thing lacks, a thing without a type, an unknown variable: the statement does not apply', () => {
    const lacks = policy(allow('iot:Publish', [`${A}:topic/\${iot:Connection.Thing.Attributes[missing]}`, `${A}:topic/open`]));
    assert.equal(decide([lacks], 'iot:Publish', `${A}:topic/open`, thingFacts), 'IMPLICIT_DENY');
    const untyped = { ...thingFacts, thing: { name: 'sensor-1', attributes: {} } };
    const typed = policy(allow('iot:Publish', [`${A}:topic/\${iot:Connection.Thing.ThingTypeName}`, `${A}:topic/open`]));
    assert.equal(decide([typed], 'iot:Publish', `${A}:topic/open`, thingFacts), 'ALLOW');
    assert.equal(decide([typed], 'iot:Publish', `${A}:topic/open`, untyped), 'IMPLICIT_DENY');
    const unknown = policy(allow('iot:Publish', [`${A}:topic/\${iot:NoSuchThing}`, `${A}:topic/open`]));
    assert.equal(decide([unknown], 'iot:Publish', `${A}:topic/open`, thingFacts), 'IMPLICIT_DENY');
  });
  test('certificate variables: subject, issuer, alternative names, serial, validity, id', () => {
    assert.equal(resolveVariable('iot:Certificate.Subject.CommonName', thingFacts), 'LightBulb Device Cert');
    assert.equal(resolveVariable('iot:Certificate.Subject.Organization', thingFacts), 'IoT Devices');
    assert.equal(resolveVariable('iot:Certificate.Issuer.CommonName', thingFacts), 'IoT Devices Primary CA');
    assert.equal(resolveVariable('iot:Certificate.SubjectAlternativeName.DNSName', thingFacts), 'example.com');
    assert.equal(resolveVariable('iot:Certificate.SerialNumber', thingFacts), '921285cbb7a5e086');
    assert.equal(resolveVariable('iot:Certificate.Validity.NotAfter', thingFacts), '2025-04-28T03:25:40.000Z');
    assert.equal(resolveVariable('iot:CertificateId', thingFacts), 'c0ffee');
    assert.equal(resolveVariable('iot:Certificate.Subject.Title', thingFacts), undefined);
    assert.equal(resolveVariable('iot:Certificate.IssuerAlternativeName.DNSName', thingFacts), undefined);
    assert.match(resolveVariable('iot:Certificate.AvailableKeys', thingFacts)!, /iot:Certificate\.Subject\.CommonName/);
    const p = policy(allow('iot:Publish', `${A}:topic/\${iot:Certificate.Subject.CommonName}`));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/LightBulb Device Cert`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/Other`, thingFacts), 'IMPLICIT_DENY');
    const missing = policy(allow('iot:Publish', [`${A}:topic/\${iot:Certificate.Subject.Title}`, `${A}:topic/open`]));
    assert.equal(decide([missing], 'iot:Publish', `${A}:topic/open`, thingFacts), 'IMPLICIT_DENY');
  });
});

describe('policy engine: conditions', () => {
  const attached = { Bool: { 'iot:Connection.Thing.IsAttached': ['true'] } };
  test('Bool iot:Connection.Thing.IsAttached', () => {
    const p = policy(allow('iot:Connect', '*', attached));
    assert.equal(decide([p], 'iot:Connect', `${A}:client/sensor-1`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Connect', `${A}:client/other-client`, noThing), 'IMPLICIT_DENY');
    const asBoolean = policy(allow('iot:Connect', '*', { Bool: { 'iot:Connection.Thing.IsAttached': true } }));
    assert.equal(decide([asBoolean], 'iot:Connect', `${A}:client/sensor-1`, thingFacts), 'ALLOW');
    const notAttached = policy(allow('iot:Connect', '*'), deny('iot:Connect', '*', { Bool: { 'iot:Connection.Thing.IsAttached': 'false' } }));
    assert.equal(decide([notAttached], 'iot:Connect', `${A}:client/x`, noThing), 'EXPLICIT_DENY');
    assert.equal(decide([notAttached], 'iot:Connect', `${A}:client/sensor-1`, thingFacts), 'ALLOW');
  });
  test('StringEquals over thing attributes and type name (AWS example); every key must hold', () => {
    const cond = { StringEquals: { 'iot:Connection.Thing.Attributes[floor]': '3', 'iot:Connection.Thing.ThingTypeName': 'Sensor' }, ...attached };
    const p = policy(allow('iot:Publish', `${A}:topic/device/stats`, cond));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/device/stats`, thingFacts), 'ALLOW');
    const otherFloor = { ...thingFacts, thing: { ...thingFacts.thing!, attributes: { floor: '4' } } };
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/device/stats`, otherFloor), 'IMPLICIT_DENY');
  });
  test('the values of one key OR; StringNotEquals needs none to match', () => {
    const any = policy(allow('iot:Publish', '*', { StringEquals: { 'iot:Certificate.Subject.Country': ['DE', 'US'] } }));
    assert.equal(decide([any], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    const not = policy(allow('iot:Publish', '*', { StringNotEquals: { 'iot:Certificate.Subject.Country': ['DE', 'US'] } }));
    assert.equal(decide([not], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
    const notFr = policy(allow('iot:Publish', '*', { StringNotEquals: { 'iot:Certificate.Subject.Country': 'FR' } }));
    assert.equal(decide([notFr], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
  });
  test('StringEquals is exact and case-sensitive; a * in its value is literal', () => {
    const p = policy(allow('iot:Publish', '*', { StringEquals: { 'iot:ClientId': 'sensor-*' } }));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
    const q = policy(allow('iot:Publish', '*', { StringEquals: { 'iot:ClientId': 'SENSOR-1' } }));
    assert.equal(decide([q], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
  });
  test('StringLike takes wildcards; a condition value may hold a policy variable', () => {
    const p = policy(allow('iot:Publish', '*', { StringLike: { 'iot:ClientId': 'sensor-*' } }));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, noThing), 'IMPLICIT_DENY');
    const v = policy(allow('iot:Connect', '*', { StringEquals: { 'iot:ClientId': '${iot:Connection.Thing.ThingName}' } }));
    assert.equal(decide([v], 'iot:Connect', `${A}:client/sensor-1`, thingFacts), 'ALLOW');
    assert.equal(decide([v], 'iot:Connect', `${A}:client/x`, noThing), 'IMPLICIT_DENY');
  });
  test('a condition key that does not resolve makes the statement not apply', () => {
    const p = policy(allow('iot:Publish', '*', { StringNotEquals: { 'iot:Connection.Thing.Attributes[missing]': 'x' } }));
    assert.equal(decide([p], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
  });
  test('ArnEquals and ArnLike', () => {
    const eq = policy(allow('iot:Publish', '*', { ArnEquals: { 'iot:Certificate.Subject.CommonName': 'LightBulb Device Cert' } }));
    assert.equal(decide([eq], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    const like = policy(allow('iot:Publish', '*', { ArnLike: { 'iot:Certificate.Issuer.CommonName': 'IoT Devices *' } }));
    assert.equal(decide([like], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    const miss = policy(allow('iot:Publish', '*', { ArnLike: { 'iot:Certificate.Issuer.CommonName': 'Other *' } }));
    assert.equal(decide([miss], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
  });
  test('an unknown operator or key makes the statement not apply, for Allow and Deny', () => {
    const op = policy(allow('iot:Publish', '*', { DateGreaterThan: { 'iot:Certificate.Validity.NotAfter': '2020-01-01T00:00:00Z' } }));
    assert.equal(decide([op], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
    const key = policy(allow('iot:Publish', '*', { StringEquals: { 'aws:SourceIp': '1.2.3.4' } }));
    assert.equal(decide([key], 'iot:Publish', `${A}:topic/t`, thingFacts), 'IMPLICIT_DENY');
    const denyUnknown = policy(allow('iot:Publish', '*'), deny('iot:Publish', '*', { StringEqualsIfExists: { 'iot:ClientId': 'sensor-1' } }));
    assert.equal(decide([denyUnknown], 'iot:Publish', `${A}:topic/t`, thingFacts), 'ALLOW');
    const denyKnown = policy(allow('iot:Publish', '*'), deny('iot:Publish', '*', { StringEquals: { 'iot:ClientId': 'sensor-1' } }));
    assert.equal(decide([denyKnown], 'iot:Publish', `${A}:topic/t`, thingFacts), 'EXPLICIT_DENY');
  });
});

describe('glob matching (the engine\'s resolved patterns, matched without a RegExp)', () => {
  // A seeded generator: the same cases every run.
  let seed = 12345;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const word = (alphabet: string, max: number): string => Array.from({ length: rand(max + 1) }, () => alphabet[rand(alphabet.length)]).join('');

  test('agrees with the wildcard RegExp on 20,000 random patterns and texts, case-sensitive and not', () => {
    let matched = 0;
    for (let k = 0; k < 20_000; k++) {
      const pattern = word('aAb/*?', 8);
      const text = word('aAb/*?', 10);
      const ignoreCase = k % 2 === 1;
      const expected = wildcard(pattern, ignoreCase).test(text);
      if (expected) matched++;
      assert.equal(globMatches(glob([{ text: pattern, wildcards: true }], ignoreCase), text), expected, `${pattern} ~ ${text} (ignoreCase ${ignoreCase})`);
    }
    // Both outcomes were exercised, not just one.
    assert.ok(matched > 1000 && matched < 19_000, `${matched} of 20,000 matched`);
  });

  test('a literal piece keeps its * and ? literal between wildcard pieces', () => {
    const g = glob([{ text: 'a/*/', wildcards: true }, { text: 'x*?', wildcards: false }, { text: '/?', wildcards: true }], false);
    assert.equal(globMatches(g, 'a/any/thing/x*?/z'), true);
    assert.equal(globMatches(g, 'a/any/xyz/z'), false);
    assert.equal(globMatches(g, 'a//x*?/'), false);
    assert.equal(globMatches(glob([{ text: 'X*', wildcards: false }], true), 'x*'), true);
    assert.equal(globMatches(glob([{ text: 'X*', wildcards: false }], true), 'xy'), false);
  });
});
