import { certificateArn, normalizeId } from '../registry/certificates.js';
import { addThingsToThingGroups, type GroupJoin } from '../registry/things.js';
import type { StoreTx } from '../store/store.js';
import { ERROR_CODES, failed, outcomesOf, resourceOf, subjectName } from './outcome.js';
import { setBased, type ActionOutcome, type ActionScope, type ActionSubject } from './types.js';

/**
 * ADD_THINGS_TO_THING_GROUP (SEMANTICS.md D10): the things of each subject (an audit finding: every
 * thing attached to its device certificate; a violation: its thing) join every group of
 * `thingGroupNames` through AddThingToThingGroup's own rules, with `overrideDynamicGroups`, the
 * whole batch in one call of addThingsToThingGroups (each subject's things all or nothing).
 * An unknown group or thing is RESOURCE_NOT_FOUND; a thing at 10 groups with nothing to give up,
 * or already in another group of the same hierarchy, INVALID_STATE_OF_RESOURCE. No thing attached
 * to the certificate is a success that says so.
 */
export const addThingsToThingGroup = setBased(async (tx, scope, items) => {
  const things = await thingsOf(tx, scope, items.map((i) => i.subject));
  const joins = items.map(({ action }, i): { outcome: ActionOutcome } | { value: GroupJoin } => {
    const t = things[i];
    if ('outcome' in t) return t;
    const params = action.actionParams.addThingsToThingGroupParams!;
    return { value: { thingNames: t.names, thingGroupNames: params.thingGroupNames, overrideDynamicGroups: params.overrideDynamicGroups === true } };
  });
  return outcomesOf(joins, (values) => addThingsToThingGroups(tx, scope, values));
});

/** The things each subject names, read for the whole batch at once, or the outcome that ends it first. */
async function thingsOf(tx: StoreTx, scope: ActionScope, subjects: readonly ActionSubject[]): Promise<({ names: string[] } | { outcome: ActionOutcome })[]> {
  const certificates = subjects.map((subject) => {
    if (subject.kind === 'violation') return undefined;
    const id = resourceOf(subject, 'deviceCertificateId', 'ADD_THINGS_TO_THING_GROUP');
    return 'outcome' in id ? id : { given: id.value, id: normalizeId(id.value) };
  });
  const arns = certificates.flatMap((c) => (c && 'id' in c ? [certificateArn(scope, c.id)] : []));
  const attached = arns.length ? await tx.thingPrincipals.thingsOfPrincipals(scope, arns) : new Map<string, string[]>();
  const bare = certificates.flatMap((c) => (c && 'id' in c && !attached.has(certificateArn(scope, c.id)) ? [c.id] : []));
  const registered = bare.length ? await tx.certificates.statuses(scope, bare) : new Map();
  return subjects.map((subject, i) => {
    if (subject.kind === 'violation') {
      const name = subject.violation.thingName;
      return name ? { names: [name] } : { outcome: failed(ERROR_CODES.noResource, `${subjectName(subject)} names no thing to add to a thing group.`) };
    }
    const c = certificates[i]!;
    if ('outcome' in c) return c;
    const names = attached.get(certificateArn(scope, c.id));
    if (names) return { names };
    if (!registered.has(c.id)) return { outcome: failed(ERROR_CODES.notFound, `Certificate ${c.given} of ${subjectName(subject)} does not exist in ${scope.region}.`) };
    return { outcome: { status: 'SUCCEEDED', message: `No thing is attached to certificate ${c.id}; no thing was added to a thing group.` } };
  });
}
