import {
  CertificateStateException,
  InvalidRequestException,
  LimitExceededException,
  ResourceNotFoundException,
  VersionsLimitExceededException,
} from '../generated/errors.js';
import type { ResourceIdentifier } from '../generated/shapes.js';
import type { ActionOutcome, ActionSubject } from './types.js';

/** The execution error codes Warden writes (AWS documents the first two; SEMANTICS.md D9–D11). */
export const ERROR_CODES = {
  /** The resource is not in a state that allows the action (revoked certificate, 10 groups, 5 policy versions). */
  invalidState: 'INVALID_STATE_OF_RESOURCE',
  /** The resource the action acts on does not exist (any more). */
  notFound: 'RESOURCE_NOT_FOUND',
  /** Warden's own: the finding or violation does not name the kind of resource the action acts on. */
  noResource: 'RESOURCE_NOT_IN_FINDING',
} as const;

/**
 * Runs an effect through the registry's own functions and maps the registry's errors to an
 * outcome, in one place: not found → RESOURCE_NOT_FOUND; a state the registry refuses
 * (CertificateStateException, VersionsLimitExceededException, LimitExceededException, and the
 * InvalidRequestException of the 10-group limit, group hierarchies and dynamic groups) →
 * INVALID_STATE_OF_RESOURCE. Anything else is unexpected and is rethrown for the engine.
 */
export async function applyEffect(effect: () => Promise<ActionOutcome | string | void>): Promise<ActionOutcome> {
  try {
    const r = await effect();
    if (r === undefined) return { status: 'SUCCEEDED' };
    return typeof r === 'string' ? { status: 'SUCCEEDED', message: r } : r;
  } catch (e) {
    return refusedOutcome(e);
  }
}

/**
 * The outcome of an error a registry function answered, by the mapping of applyEffect (for the
 * set-based functions, which answer their refusals rather than throw them); anything unexpected
 * is thrown.
 */
export function refusedOutcome(e: unknown): ActionOutcome {
  if (e instanceof ResourceNotFoundException) return failed(ERROR_CODES.notFound, e.message);
  if (
    e instanceof CertificateStateException ||
    e instanceof VersionsLimitExceededException ||
    e instanceof LimitExceededException ||
    e instanceof InvalidRequestException
  ) {
    return failed(ERROR_CODES.invalidState, e.message);
  }
  throw e;
}

export const failed = (errorCode: string, message: string): ActionOutcome => ({ status: 'FAILED', errorCode, message });

/**
 * The outcomes of a set-based handler: each item either ends before the effect (`outcome`) or
 * gives the `value` the registry's set-based function takes; `apply` gets all the values in one
 * call and answers, in their order, each one's refusal (undefined: it went through), mapped as
 * applyEffect maps errors.
 */
export async function outcomesOf<V>(items: readonly ({ outcome: ActionOutcome } | { value: V })[], apply: (values: V[]) => Promise<(Error | undefined)[]>): Promise<ActionOutcome[]> {
  const values = items.flatMap((i) => ('value' in i ? [i.value] : []));
  const refusals = values.length ? await apply(values) : [];
  let next = 0;
  return items.map((i) => {
    if ('outcome' in i) return i.outcome;
    const refused = refusals[next++];
    return refused ? refusedOutcome(refused) : { status: 'SUCCEEDED' };
  });
}

/** What the subject is called in messages: "finding <id>" or "violation <id>". */
export function subjectName(subject: ActionSubject): string {
  return subject.kind === 'finding' ? `finding ${subject.finding.findingId}` : `violation ${subject.violation.violationId}`;
}

/** The finding's or violation's id (the execution's target id). */
export function targetIdOf(subject: ActionSubject): string {
  return (subject.kind === 'finding' ? subject.finding.findingId : subject.violation.violationId) ?? '';
}

/** RESOURCE_NOT_IN_FINDING: the subject does not name the resource `member` that the action needs. */
export function missingResource(subject: ActionSubject, member: string, actionType: string): ActionOutcome {
  return failed(
    ERROR_CODES.noResource,
    `${actionType} needs nonCompliantResource.resourceIdentifier.${member}, and ${subjectName(subject)} has none: map this action only to audit checks whose findings name that resource.`,
  );
}

/**
 * One member of the finding's `nonCompliantResource.resourceIdentifier`, or the
 * RESOURCE_NOT_IN_FINDING outcome. Violations carry no resource identifier.
 */
export function resourceOf<K extends keyof ResourceIdentifier>(
  subject: ActionSubject,
  member: K,
  actionType: string,
): { value: NonNullable<ResourceIdentifier[K]> } | { outcome: ActionOutcome } {
  const value = subject.kind === 'finding' ? subject.finding.nonCompliantResource?.resourceIdentifier?.[member] : undefined;
  if (value !== undefined && value !== null) return { value: value as NonNullable<ResourceIdentifier[K]> };
  return { outcome: missingResource(subject, member, actionType) };
}
