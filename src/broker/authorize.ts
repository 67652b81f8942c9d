import type { ConnectionFacts, Decision } from '../policy/engine.js';
import type { Identity } from './authenticate.js';

/**
 * The broker's one door to authorization: every iot:Connect, iot:Publish (and iot:RetainPublish),
 * iot:Subscribe and iot:Receive decision goes through an Authorizer. The decisions themselves
 * belong to the one IoT policy engine (src/policy/engine.ts, which the audit's policy analysis
 * shares): `decide` over the compiled effective policies of the session's certificate and thing,
 * compiled per session. createServer wires `policyAuthorizer({ compilePolicy, decide },
 * sessionPolicies(repos, effectivePolicyDocuments))`. The broker asks forSession again for every
 * session of a scope when its policies change (src/registry/policy-events.ts; see Broker).
 */
export type { Decision };

/** The facts of one MQTT session that policy variables and resources are built from. */
export interface Session extends Identity {
  readonly clientId: string;
  readonly sourceIp?: string;
}

export interface SessionAuthorizer {
  /** The thing of the session (attached to its certificate, named by its client id), whose cloud-side metrics Detect counts. */
  readonly thingName?: string;
  /** iot:Connect on `arn:aws:iot:<region>:<account>:client/<clientId>`. */
  connect(): Decision;
  /** iot:Publish on `topic/<topic>`, and iot:RetainPublish too when `retain`. */
  publish(topic: string, retain: boolean): Decision;
  /** iot:Subscribe on `topicfilter/<filter>`. */
  subscribe(filter: string): Decision;
  /** iot:Receive on `topic/<topic>` (synchronous: aedes asks it for every delivery). */
  receive(topic: string): Decision;
}

export interface Authorizer {
  /** Prepares one session's decisions (its effective policies, compiled, are read here once). */
  forSession(session: Session): Promise<SessionAuthorizer>;
}

/** The ARN of a broker resource of the session's account and region: `client/...`, `topic/...`, `topicfilter/...`. */
export const resourceArn = (s: Pick<Session, 'accountId' | 'region'>, kind: 'client' | 'topic' | 'topicfilter', name: string): string =>
  `arn:aws:iot:${s.region}:${s.accountId}:${kind}/${name}`;

/** The policy engine's two functions (src/policy/engine.ts; tests may give a decision table of their own). */
export interface PolicyEngine<P> {
  compilePolicy(document: string): P | undefined;
  decide(policies: readonly P[], action: string, resource: string, facts: ConnectionFacts): Decision;
}

export type { ConnectionFacts };

/** Reads a session's effective policy documents and its facts (src/registry/effective-policies.ts). */
export type SessionPolicies = (session: Session) => Promise<{ documents: string[]; facts: ConnectionFacts }>;

/**
 * Authorization from policies: each forSession reads and compiles the session's effective
 * policies, and every decision of the SessionAuthorizer it answers uses them; the broker calls
 * it at connect and again after every policy change of the scope. A document the engine cannot
 * compile counts as absent (it grants nothing).
 */
export function policyAuthorizer<P>(engine: PolicyEngine<P>, load: SessionPolicies): Authorizer {
  return {
    async forSession(session) {
      const { documents, facts } = await load(session);
      const policies = documents.map((d) => engine.compilePolicy(d)).filter((p): p is P => p !== undefined);
      const decide = (action: string, kind: 'client' | 'topic' | 'topicfilter', name: string): Decision => engine.decide(policies, action, resourceArn(session, kind, name), facts);
      // A decision depends on the session's facts and the resource only, and both stay put until
      // the policies are read again (a new SessionAuthorizer): each is remembered per topic.
      const publish = remembered((topic) => decide('iot:Publish', 'topic', topic));
      const retainPublish = remembered((topic) => decide('iot:RetainPublish', 'topic', topic));
      return {
        thingName: facts.thing?.name,
        connect: () => decide('iot:Connect', 'client', session.clientId),
        publish: (topic, retain) => {
          const d = publish(topic);
          return d === 'ALLOW' && retain ? retainPublish(topic) : d;
        },
        subscribe: remembered((filter) => decide('iot:Subscribe', 'topicfilter', filter)),
        receive: remembered((topic) => decide('iot:Receive', 'topic', topic)),
      };
    },
  };
}

/** The most decisions of one kind a session remembers; past that it starts over (a device with ever-new topics). */
const REMEMBERED = 1024;

function remembered(decide: (name: string) => Decision): (name: string) => Decision {
  const known = new Map<string, Decision>();
  return (name) => {
    let d = known.get(name);
    if (d === undefined) {
      d = decide(name);
      if (known.size >= REMEMBERED) known.clear();
      known.set(name, d);
    }
    return d;
  };
}
