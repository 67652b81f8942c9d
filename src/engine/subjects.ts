import type { ActionSubject } from '../actions/types.js';
import { findingFromRow } from '../audit/findings.js';
import { violationFromRow } from '../detect/violations.js';
import { selectIn } from '../store/rows.js';
import type { SubjectLoader } from './execute.js';

/** Loads a batch's findings or violations, as the read APIs show them, in one query per chunk. */
export const loadSubjects: SubjectLoader = async (tx, task, ids) => {
  const out = new Map<string, ActionSubject>();
  if (task.kind === 'audit') {
    const rows = await selectIn<Parameters<typeof findingFromRow>[0]>(
      tx.db,
      (list) => `SELECT * FROM audit_findings WHERE account_id = ? AND region = ? AND finding_id IN (${list})`,
      [task.accountId, task.region],
      ids,
    );
    for (const r of rows) {
      const finding = findingFromRow(r);
      out.set(finding.findingId!, { kind: 'finding', taskId: task.taskId, finding });
    }
  } else {
    const rows = await selectIn<Parameters<typeof violationFromRow>[0]>(
      tx.db,
      (list) => `SELECT * FROM violations WHERE account_id = ? AND region = ? AND violation_id IN (${list})`,
      [task.accountId, task.region],
      ids,
    );
    for (const r of rows) {
      const violation = violationFromRow(r);
      out.set(violation.violationId!, { kind: 'violation', taskId: task.taskId, violation });
    }
  }
  return out;
};
