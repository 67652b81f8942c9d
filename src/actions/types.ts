import type { Clock } from '../api/clock.js';
import type { Scope } from '../api/context.js';
import type { ActiveViolation, AuditFinding, MitigationActionParams, MitigationActionType } from '../generated/shapes.js';
import type { StoreTx } from '../store/store.js';

/** The scope an action runs in: the task's account and region, and the engine's clock. */
export interface ActionScope extends Scope {
  readonly clock: Clock;
}

/** A mitigation action as the task captured it at start (`actionsDefinition`). */
export interface ActionDefinition {
  name: string;
  id: string;
  roleArn: string;
  actionParams: MitigationActionParams;
}

/** What one execution acts on: an audit finding or a detect violation, as the read APIs show them. */
export type ActionSubject =
  | { kind: 'finding'; taskId: string; finding: AuditFinding }
  | { kind: 'violation'; taskId: string; violation: ActiveViolation };

/**
 * The result of one execution. `pending` means the effect is handed to something outside the
 * database (SNS delivery) that will finish the execution later through the engine.
 */
export type ActionOutcome =
  | { status: 'SUCCEEDED'; message?: string }
  | { status: 'FAILED'; errorCode: string; message: string }
  | { status: 'PENDING'; message?: string };

/**
 * One mitigation action type. Runs inside the batch's transaction (and a savepoint of its own:
 * a FAILED outcome or a throw undoes every write it made). Effects go through the registry's
 * own functions so the rules live in one place.
 *
 * `oneWrite`: the handler writes at most one statement and never answers FAILED after writing,
 * so a FAILED outcome has nothing to undo and the engine runs it without a savepoint (two round
 * trips fewer per execution on PostgreSQL). Should it throw, the batch is rolled back and run
 * again with a savepoint around every action.
 */
export type ActionHandler = ((tx: StoreTx, scope: ActionScope, action: ActionDefinition, subject: ActionSubject) => Promise<ActionOutcome>) & { readonly oneWrite?: boolean };

export type ActionRegistry = Record<MitigationActionType, ActionHandler>;
