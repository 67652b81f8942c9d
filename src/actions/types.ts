import type { Clock } from '../base/clock.js';
import type { Scope } from '../base/scope.js';
import type { ActiveViolation, AuditFinding, MitigationActionParams, MitigationActionType } from '../generated/shapes.js';
import type { OutboxInsert } from '../store/outbox.js';
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
 * `batchable`: given a `batch`, the handler writes nothing itself and hands its one effect, an
 * outbox message, to the batch, which the engine writes with the rest of the batch's messages in
 * multi-row statements; so it needs no savepoint either. Should anything in that throw, the engine
 * rolls the batch back and runs it again without a batch, a savepoint around every action.
 */
export type ActionHandler = ((tx: StoreTx, scope: ActionScope, action: ActionDefinition, subject: ActionSubject, batch?: ActionBatch) => Promise<ActionOutcome>) & {
  readonly batchable?: boolean;
  /**
   * The set-based form, for the types whose effect is a row change: runs the action for many
   * subjects at once through the registry's set-based function of the same rule, with no
   * savepoint, and answers one outcome per item, as if the handler had been called for each in
   * order (a FAILED one wrote nothing; a later item sees what the earlier ones did). The handler
   * itself is this form for one item (`setBased`), so both paths run the same code. Anything
   * unexpected is thrown, and the engine runs the batch again a target at a time.
   */
  readonly many?: ActionSetHandler;
};

/** One execution of a set-based run: the action (its params may differ from item to item) and its subject. */
export interface ActionItem {
  action: ActionDefinition;
  subject: ActionSubject;
}

export type ActionSetHandler = (tx: StoreTx, scope: ActionScope, items: readonly ActionItem[]) => Promise<ActionOutcome[]>;

/** A handler that is its set-based form applied to one item. */
export function setBased(many: ActionSetHandler): ActionHandler {
  const one = async (tx: StoreTx, scope: ActionScope, action: ActionDefinition, subject: ActionSubject): Promise<ActionOutcome> => (await many(tx, scope, [{ action, subject }]))[0];
  return Object.assign(one, { many });
}

/** What a batchable handler hands to the engine instead of writing it. */
export interface ActionBatch {
  outbox(message: OutboxInsert): void;
}

export type ActionRegistry = Record<MitigationActionType, ActionHandler>;
