import { certificateArn, getCertificate, normalizeId, thingsOfPrincipal } from '../registry/certificates.js';
import { addThingToThingGroup, groupLock } from '../registry/things.js';
import type { StoreTx } from '../store/store.js';
import { applyEffect, ERROR_CODES, failed, resourceOf, subjectName } from './outcome.js';
import type { ActionHandler, ActionOutcome, ActionScope, ActionSubject } from './types.js';

/**
 * ADD_THINGS_TO_THING_GROUP (SEMANTICS.md D10): the things of the subject (an audit finding: every
 * thing attached to its device certificate; a violation: its thing) join every group of
 * `thingGroupNames` through AddThingToThingGroup's own rules, with `overrideDynamicGroups`.
 * An unknown group or thing is RESOURCE_NOT_FOUND; a thing at 10 groups with nothing to give up,
 * or already in another group of the same hierarchy, INVALID_STATE_OF_RESOURCE. No thing attached
 * to the certificate is a success that says so.
 */
export const addThingsToThingGroup: ActionHandler = async (tx, scope, action, subject) => {
  const params = action.actionParams.addThingsToThingGroupParams!;
  const things = await thingsOf(tx, scope, subject);
  if ('outcome' in things) return things.outcome;
  return applyEffect(async () => {
    // Group locks first, in name order, as every multi-group writer takes them (no deadlock).
    for (const g of [...new Set(params.thingGroupNames)].sort()) await tx.lock(scope, groupLock(g));
    for (const thingName of things.names) {
      for (const thingGroupName of params.thingGroupNames) {
        await addThingToThingGroup(tx, scope, { thingName, thingGroupName, overrideDynamicGroups: params.overrideDynamicGroups === true });
      }
    }
  });
};

async function thingsOf(tx: StoreTx, scope: ActionScope, subject: ActionSubject): Promise<{ names: string[] } | { outcome: ActionOutcome }> {
  if (subject.kind === 'violation') {
    const name = subject.violation.thingName;
    return name ? { names: [name] } : { outcome: failed(ERROR_CODES.noResource, `${subjectName(subject)} names no thing to add to a thing group.`) };
  }
  const id = resourceOf(subject, 'deviceCertificateId', 'ADD_THINGS_TO_THING_GROUP');
  if ('outcome' in id) return id;
  const certificateId = normalizeId(id.value);
  const names = await thingsOfPrincipal(tx, scope, certificateArn(scope, certificateId));
  if (names.length > 0) return { names };
  if (!(await getCertificate(tx, scope, certificateId))) {
    return { outcome: failed(ERROR_CODES.notFound, `Certificate ${id.value} of ${subjectName(subject)} does not exist in ${scope.region}.`) };
  }
  return { outcome: { status: 'SUCCEEDED', message: `No thing is attached to certificate ${certificateId}; no thing was added to a thing group.` } };
}
