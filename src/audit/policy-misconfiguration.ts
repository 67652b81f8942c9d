import { ARN_PREFIX, coversAction, MQTT_ACTIONS, normalise, probe, reachesAll, reachesSome, statementName, type PolicyStatement } from './policy-analysis.js';

/**
 * IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK's analysis of one policy document, over the
 * statement model of policy-analysis.ts: Deny statements that probably do not deny what they
 * were written for.
 */

export interface Misconfiguration {
  code: 'POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT' | 'TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS';
  statement: PolicyStatement;
  /** The Deny's resource, as written. */
  resource: string;
  /** TOPIC_FILTERS_...: an allowed wildcard filter that reaches the denied topics. */
  bypass?: string;
}

/** `type/name` of a resource whose ARN is an IoT one, or undefined. */
function typeAndName(resource: string): { type: string; name: string } | undefined {
  const n = normalise(resource);
  if (n === undefined || !n.startsWith(ARN_PREFIX)) return undefined;
  const part = n.slice(ARN_PREFIX.length);
  const slash = part.indexOf('/');
  return slash < 0 ? undefined : { type: part.slice(0, slash), name: part.slice(slash + 1) };
}

/** One topic the Deny's filter denies: wildcards and variables replaced by a plain level value. */
function sampleTopic(name: string): string {
  return name.replace(/\$\{[^}]*\}/g, 'v').replace(/[*?]/g, 'x');
}

/** MQTT filters with a `+` or `#` that match the topic (one wildcard each: enough to find a way around a Deny). */
function wildcardFiltersFor(topic: string): string[] {
  const levels = topic.split('/');
  const reserved = topic.startsWith('$');
  const out: string[] = [];
  for (let i = reserved ? 1 : 0; i <= levels.length; i++) out.push([...levels.slice(0, i), '#'].join('/'));
  for (let i = reserved ? 1 : 0; i < levels.length; i++) out.push(levels.map((l, j) => (j === i ? '+' : l)).join('/'));
  return out;
}

/** The action on this concrete resource is granted by an Allow and not denied by an unconditional Deny. */
function effectivelyAllowed(statements: PolicyStatement[], action: string, resource: string): boolean {
  const pr = probe(resource, false, false);
  const relevant = statements.filter((s) => coversAction(s, action));
  return relevant.some((s) => s.effect === 'Allow' && reachesSome(s, pr)) && !relevant.some((s) => s.effect === 'Deny' && !s.conditional && reachesAll(s, pr));
}

/**
 * The two documented misconfigurations:
 * - POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT: a Deny covering an MQTT action names a
 *   topic or topic filter with `+` or `#`, which the policy matches literally (so
 *   `topicfilter/building/control_room/#` does not deny `building/control_room/data1`).
 * - TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS: a Deny of iot:Subscribe on a topic
 *   filter (without `+`/`#`; those are the first code) that a device gets around by subscribing
 *   to an MQTT wildcard filter (`building/#`) an Allow grants and no Deny names, while it may
 *   still Receive the denied topics.
 */
export function misconfigurations(statements: PolicyStatement[]): Misconfiguration[] {
  const out: Misconfiguration[] = [];
  for (const st of statements) {
    if (st.effect !== 'Deny') continue;
    const mqtt = MQTT_ACTIONS.some((a) => coversAction(st, a));
    if (!mqtt) continue;
    for (const resource of st.resources) {
      const tn = typeAndName(resource);
      if (!tn || (tn.type !== 'topic' && tn.type !== 'topicfilter')) continue;
      if (/[+#]/.test(tn.name)) {
        out.push({ code: 'POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT', statement: st, resource });
        continue;
      }
      if (st.notResource || tn.type !== 'topicfilter' || !coversAction(st, 'iot:Subscribe')) continue;
      const topic = sampleTopic(tn.name);
      if (!effectivelyAllowed(statements, 'iot:Receive', `topic/${topic}`)) continue;
      const bypass = wildcardFiltersFor(topic).find((f) => effectivelyAllowed(statements, 'iot:Subscribe', `topicfilter/${f}`));
      if (bypass !== undefined) out.push({ code: 'TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS', statement: st, resource, bypass });
    }
  }
  return out;
}

/** One reason text per code, naming every statement and resource that has it. */
export function misconfigurationReason(code: Misconfiguration['code'], items: Misconfiguration[]): string {
  if (code === 'POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT') {
    const parts = items.map((m) => `statement ${statementName(m.statement)} on ${m.resource}`);
    return `Deny statement uses MQTT wildcards (+ or #), which IoT policies match as literal characters, so it does not deny the topics they stand for: ${parts.join('; ')}.`;
  }
  const parts = items.map((m) => `statement ${statementName(m.statement)} on ${m.resource} (a device may subscribe to ${m.bypass})`);
  return `Topic filters a Deny statement is meant to deny are allowed through MQTT wildcard subscriptions, and iot:Receive on those topics is not denied: ${parts.join('; ')}.`;
}
