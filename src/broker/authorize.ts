import type { Identity } from './authenticate.js';

/**
 * The broker's one door to authorization: every iot:Connect, iot:Publish (and iot:RetainPublish),
 * iot:Subscribe and iot:Receive decision goes through an Authorizer. The decisions themselves
 * belong to the one IoT policy engine (src/policy/, branch `policy-engine`): `decide` over the
 * compiled effective policies of the session's certificate and thing, compiled once per session.
 *
 * createServer wires `policyAuthorizer({ compilePolicy, decide }, sessionPolicies(repos,
 * effectivePolicyDocuments))`; `unenforced()` remains for a caller that wants no policies (it
 * logs a warning at start). Compiled policies are cached per session and never invalidated yet.
 */
export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

/** The facts of one MQTT session that policy variables and resources are built from. */
export interface Session extends Identity {
  readonly clientId: string;
  readonly sourceIp?: string;
}

export interface SessionAuthorizer {
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
  /** Whether decisions come from policies (false: nothing is enforced). */
  readonly enforced: boolean;
  /** Prepares one session's decisions (its effective policies, compiled, are read here once). */
  forSession(session: Session): Promise<SessionAuthorizer>;
}

/** The ARN of a broker resource of the session's account and region: `client/...`, `topic/...`, `topicfilter/...`. */
export const resourceArn = (s: Pick<Session, 'accountId' | 'region'>, kind: 'client' | 'topic' | 'topicfilter', name: string): string =>
  `arn:aws:iot:${s.region}:${s.accountId}:${kind}/${name}`;

/** Until the policy engine is merged: nothing is decided, every action passes (see the module comment). */
export function unenforced(): Authorizer {
  const allow: SessionAuthorizer = { connect: () => 'ALLOW', publish: () => 'ALLOW', subscribe: () => 'ALLOW', receive: () => 'ALLOW' };
  return { enforced: false, forSession: async () => allow };
}

/**
 * What the policy engine will offer (src/policy/engine.ts on branch `policy-engine`, announced
 * API): compile a document once, decide an action on a resource for a connection's facts.
 */
export interface PolicyEngine<P> {
  compilePolicy(document: string): P | undefined;
  decide(policies: readonly P[], action: string, resource: string, facts: ConnectionFacts): Decision;
}

/** The engine's connection facts (its ConnectionFacts; `certificate` is its CertificateVariables). */
export interface ConnectionFacts {
  accountId: string;
  region: string;
  clientId: string;
  thing?: { name: string; typeName?: string; attributes: Record<string, string> };
  certificateId: string;
  certificate: { subject: Record<string, string>; issuer: Record<string, string>; subjectAlternativeName?: Record<string, string>; issuerAlternativeName?: Record<string, string>; serialNumber?: string; notBefore?: Date; notAfter?: Date };
}

/** Reads a session's effective policy documents and its facts (src/registry/effective-policies.ts, once merged). */
export type SessionPolicies = (session: Session) => Promise<{ documents: string[]; facts: ConnectionFacts }>;

/**
 * Authorization from policies: the session's effective policies are read and compiled once, at
 * connect, and every decision of the session uses them (a policy change reaches sessions
 * connected afterwards; invalidation of live sessions is left for later). A document the engine
 * cannot compile counts as absent (it grants nothing).
 */
export function policyAuthorizer<P>(engine: PolicyEngine<P>, load: SessionPolicies): Authorizer {
  return {
    enforced: true,
    async forSession(session) {
      const { documents, facts } = await load(session);
      const policies = documents.map((d) => engine.compilePolicy(d)).filter((p): p is P => p !== undefined);
      const decide = (action: string, kind: 'client' | 'topic' | 'topicfilter', name: string): Decision => engine.decide(policies, action, resourceArn(session, kind, name), facts);
      return {
        connect: () => decide('iot:Connect', 'client', session.clientId),
        publish: (topic, retain) => {
          const d = decide('iot:Publish', 'topic', topic);
          return d === 'ALLOW' && retain ? decide('iot:RetainPublish', 'topic', topic) : d;
        },
        subscribe: (filter) => decide('iot:Subscribe', 'topicfilter', filter),
        receive: (topic) => decide('iot:Receive', 'topic', topic),
      };
    },
  };
}
