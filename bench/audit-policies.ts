import { ARN } from './audit-inputs.js';

/**
 * IoT policy documents of `bench:audit`, as customers write them: most are scoped to the
 * connecting thing (${iot:Connection.Thing.ThingName}); one in twenty is overly permissive (three
 * kinds, the documented non-compliant examples); one in twenty adds Deny statements that hold
 * MQTT wildcards (which IoT policies read literally) or deny a `topicfilter/x/*` while allowing
 * `topicfilter/x*` (and Receive on x/*). Each document names its own topics, so no two policies share a text.
 */
export type PolicyKind = 'deviceScoped' | 'overlyPermissive' | 'denyWildcards';

const THING = '${iot:Connection.Thing.ThingName}';

export function policyKind(i: number): PolicyKind {
  if (i % 20 === 0) return 'overlyPermissive';
  if (i % 20 === 1) return 'denyWildcards';
  return 'deviceScoped';
}

function deviceScoped(i: number): object[] {
  return [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `${ARN}:client/${THING}`,
      Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
    },
    {
      Effect: 'Allow',
      Action: ['iot:Publish', 'iot:Receive'],
      Resource: [`${ARN}:topic/$aws/things/${THING}/shadow/*`, `${ARN}:topic/fleet-${i}/${THING}/telemetry`],
    },
    {
      Effect: 'Allow',
      Action: 'iot:Subscribe',
      Resource: [`${ARN}:topicfilter/$aws/things/${THING}/shadow/*`, `${ARN}:topicfilter/$aws/things/${THING}/jobs/*`, `${ARN}:topicfilter/fleet-${i}/${THING}/commands`],
    },
    { Effect: 'Allow', Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow'], Resource: `${ARN}:thing/${THING}` },
  ];
}

function overlyPermissive(i: number): object[] {
  switch (Math.floor(i / 20) % 3) {
    case 0:
      return [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }];
    case 1:
      return [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/*` },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: [`${ARN}:topic/$aws/things/*`, `${ARN}:topic/fleet-${i}/*`] },
      ];
    default:
      return [
        ...deviceScoped(i).slice(0, 2),
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${ARN}:topicfilter/$aws/things/#` },
        { Effect: 'Allow', Action: ['iot:GetThingShadow', 'iot:DeleteThingShadow'], Resource: `${ARN}:thing/*` },
      ];
  }
}

function denyWildcards(i: number): object[] {
  if (Math.floor(i / 20) % 2 === 0) {
    return [...deviceScoped(i), { Effect: 'Deny', Action: ['iot:Publish', 'iot:Receive'], Resource: [`${ARN}:topic/fleet-${i}/+/admin`, `${ARN}:topic/fleet-${i}/admin/#`] }];
  }
  return [
    ...deviceScoped(i),
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${ARN}:topicfilter/fleet-${i}/ops*` },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: `${ARN}:topic/fleet-${i}/ops/*` },
    { Effect: 'Deny', Action: 'iot:Subscribe', Resource: `${ARN}:topicfilter/fleet-${i}/ops/secret/*` },
  ];
}

/** The default version's document of policy `i`. */
export function policyDocument(i: number): string {
  const kind = policyKind(i);
  const statements = kind === 'overlyPermissive' ? overlyPermissive(i) : kind === 'denyWildcards' ? denyWildcards(i) : deviceScoped(i);
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** An earlier version of policy `i` (its first: broad, later tightened; its second: without shadow access). */
export function olderPolicyDocument(i: number, version: number): string {
  const statements = version === 1 ? [{ Effect: 'Allow', Action: ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive'], Resource: '*' }] : deviceScoped(i).slice(0, 3);
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
