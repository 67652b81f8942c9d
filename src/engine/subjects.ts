import type { ActionSubject } from '../actions/types.js';
import { findingOf } from '../audit/findings.js';
import { violationFromRecord } from '../detect/violations.js';
import type { SubjectLoader } from './execute.js';

/** Loads a batch's findings or violations, as the read APIs show them, in one query per chunk. */
export const loadSubjects: SubjectLoader = async (tx, task, ids) => {
  const out = new Map<string, ActionSubject>();
  if (task.kind === 'audit') {
    for (const r of await tx.findings.byIds(task, ids)) {
      const finding = findingOf(r);
      out.set(finding.findingId!, { kind: 'finding', taskId: task.taskId, finding });
    }
  } else {
    for (const v of await tx.violations.byIds(task, ids)) {
      const violation = violationFromRecord(v);
      out.set(violation.violationId!, { kind: 'violation', taskId: task.taskId, violation });
    }
  }
  return out;
};
