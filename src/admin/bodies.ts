import { loadModel, type ServiceModel, type Shape } from '../api/model.js';
import { formatViolations, isPlainObject, Validator, type Violation } from '../api/validate.js';
import { InvalidRequestException } from '../generated/errors.js';

/**
 * The bodies of the injection endpoints, described as shapes built from the AWS model's own
 * (FindingId, ResourceIdentifier, Behavior, MetricValue, ...), so the model's validator checks
 * every member with AWS's constraints and wording, and converts epoch-second timestamps.
 */
export const MAX_ENTRIES = 10_000;

const bool: Shape = { type: 'boolean' };

const shapes: Record<string, Shape> = {
  WardenBoolean: bool,
  WardenAuditFindingsBody: {
    type: 'structure',
    required: ['findings'],
    members: { taskId: { shape: 'AuditTaskId' }, findings: { shape: 'WardenFindingList' } },
  },
  WardenFindingList: { type: 'list', member: { shape: 'WardenFinding' }, min: 1, max: MAX_ENTRIES },
  WardenFinding: {
    type: 'structure',
    required: ['checkName', 'severity', 'nonCompliantResource'],
    members: {
      findingId: { shape: 'FindingId' },
      checkName: { shape: 'AuditCheckName' },
      severity: { shape: 'AuditFindingSeverity' },
      nonCompliantResource: { shape: 'WardenNonCompliantResource' },
      relatedResources: { shape: 'RelatedResources' },
      reasonForNonCompliance: { shape: 'ReasonForNonCompliance' },
      reasonForNonComplianceCode: { shape: 'ReasonForNonComplianceCode' },
      isSuppressed: { shape: 'IsSuppressed' },
    },
  },
  WardenNonCompliantResource: {
    type: 'structure',
    required: ['resourceType', 'resourceIdentifier'],
    members: { resourceType: { shape: 'ResourceType' }, resourceIdentifier: { shape: 'ResourceIdentifier' }, additionalInfo: { shape: 'StringMap' } },
  },
  WardenViolationsBody: {
    type: 'structure',
    required: ['violations'],
    members: { violations: { shape: 'WardenViolationList' } },
  },
  WardenViolationList: { type: 'list', member: { shape: 'WardenViolation' }, min: 1, max: MAX_ENTRIES },
  WardenViolation: {
    type: 'structure',
    required: ['thingName', 'securityProfileName', 'behavior'],
    members: {
      violationId: { shape: 'ViolationId' },
      thingName: { shape: 'DeviceDefenderThingName' },
      securityProfileName: { shape: 'SecurityProfileName' },
      behavior: { shape: 'Behavior' },
      lastViolationValue: { shape: 'MetricValue' },
      violationStartTime: { shape: 'Timestamp' },
      lastViolationTime: { shape: 'Timestamp' },
      active: { shape: 'WardenBoolean' },
      suppressed: { shape: 'WardenBoolean' },
      verificationState: { shape: 'VerificationState' },
      verificationStateDescription: { shape: 'VerificationStateDescription' },
    },
  },
};

let validator: Validator | undefined;

function instance(): Validator {
  if (!validator) {
    const model = loadModel();
    validator = new Validator({ ...model, shapes: { ...model.shapes, ...shapes } } satisfies ServiceModel);
  }
  return validator;
}

const SHOWN = 10;

/** Throws InvalidRequestException in AWS's wording (the first few violations, and how many in all). */
export function refuse(violations: Violation[]): never {
  const n = violations.length;
  let message = formatViolations(violations.slice(0, SHOWN)).replace(/^\d+ validation errors? detected/, `${n} validation error${n === 1 ? '' : 's'} detected`);
  if (n > SHOWN) message += `; and ${n - SHOWN} more`;
  throw new InvalidRequestException(message);
}

/** Refuses a body that is not a JSON object (absent, null, an array or a scalar). */
export function requireObject(body: unknown): asserts body is Record<string, unknown> {
  if (!isPlainObject(body)) refuse([{ path: 'body', value: body ?? null, constraint: 'The request body must be a JSON object' }]);
}

/**
 * The list member `name` of `body`, refused unless it is a list of 1 to `max` entries; a wrong
 * length is shown as the list itself or, with `shown` 'length', as its length.
 */
export function requireList(body: Record<string, unknown>, name: string, max: number, shown: 'list' | 'length' = 'list'): unknown[] {
  const list = body[name];
  if (!Array.isArray(list)) refuse([{ path: name, value: list ?? null, constraint: list === undefined || list === null ? 'Member must not be null' : 'Member must be a list' }]);
  if (list.length < 1 || list.length > max) {
    refuse([{ path: name, value: shown === 'length' ? list.length : list, constraint: `Member must have length between 1 and ${max}` }]);
  }
  return list;
}

/**
 * Validates `body` against one of the shapes above; answers the converted value and the list of
 * violations so far (the caller adds its own rules, then calls `refuse` if any).
 */
export function check<T>(shape: 'WardenAuditFindingsBody' | 'WardenViolationsBody', body: unknown): { value: T; violations: Violation[] } {
  const violations: Violation[] = [];
  requireObject(body);
  const value = instance().structure(shape, body, violations) as T;
  return { value, violations };
}
