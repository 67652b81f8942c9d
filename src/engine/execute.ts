import type { ActionBatch, ActionDefinition, ActionOutcome, ActionRegistry, ActionScope, ActionSubject } from '../actions/types.js';
import type { MitigationActionType } from '../generated/shapes.js';
import type { ExecutionRecord, TaskKey, TaskProgress, TaskRecord } from '../store/mitigation-tasks.js';
import { TYPE_OF_MEMBER } from '../actions/params.js';
import { DatabaseUnavailableError } from '../store/driver.js';
import type { OutboxInsert } from '../store/outbox.js';
import type { StoreTx } from '../store/store.js';
import { EXECUTION_STATUS, movesInto, TARGET_TRANSITIONS } from './lifecycle.js';

/** Loads the findings or violations a batch acts on, by target id. */
export type SubjectLoader = (tx: StoreTx, task: TaskRecord & TaskKey, targetIds: string[]) => Promise<Map<string, ActionSubject>>;

const MESSAGE_MAX = 2048;

/** The actions each target of a task gets, in order. */
export function actionsFor(task: TaskRecord, checkName: string | null): ActionDefinition[] {
  const names: string[] = task.kind === 'audit' ? ((task.mapping as Record<string, string[]>)[checkName ?? ''] ?? []) : (task.mapping as string[]);
  return names.map((n) => task.actionsDefinition.find((a) => a.name === n) as ActionDefinition);
}

const typeOf = new WeakMap<ActionDefinition, MitigationActionType>();

/** The type a stored action's params make (the one member that is set; see the mitigation-action rules). */
export function actionType(a: ActionDefinition): MitigationActionType {
  let type = typeOf.get(a);
  if (type === undefined) {
    const member = (Object.keys(TYPE_OF_MEMBER) as (keyof typeof TYPE_OF_MEMBER)[]).find((k) => a.actionParams[k] !== undefined);
    typeOf.set(a, (type = TYPE_OF_MEMBER[member!]));
  }
  return type;
}

/** One claimed target as the batch runs it: its subject, its actions, and how far it has got. */
interface TargetRun {
  targetId: string;
  checkName: string | null;
  subject: ActionSubject | undefined;
  actions: ActionDefinition[];
  thingName: string | undefined;
  failed: boolean;
  waiting: number;
}

/**
 * Runs every action of the claimed targets inside the caller's transaction, then records
 * executions, target states and statistics; effects, records and statistics commit together or
 * not at all. Answers the task's progress after the batch (for finishIfDone). A target's actions run in the order given, the rest SKIPPED after a FAILED one.
 *
 * The batch goes an action index at a time: for index i, the targets still live are grouped by
 * action type, and a type with a set-based form (ActionHandler.many) runs once for its whole group
 * (a handful of statements for the batch, whatever its size); the others run target by target,
 * each in a savepoint (a failure leaves no partial effect) but for batchable ones, which hand their
 * one effect to the batch instead. That is the order target by target would give as long as no
 * type but the batchable ones (whose executions are independent of one another) sits at two
 * indices of the batch's action lists; when one does, the batch runs target by target.
 *
 * `careful`: target by target, a savepoint around every action, the batchable ones too, and no
 * batch nor set-based form (the batch is being run again after something in it threw).
 */
export async function executeTargets(
  tx: StoreTx,
  scope: ActionScope,
  task: TaskRecord & TaskKey,
  claimed: { targetId: string; checkName: string | null }[],
  subjects: Map<string, ActionSubject>,
  handlers: ActionRegistry,
  careful = false,
): Promise<TaskProgress | undefined> {
  const repo = tx.mitigationTasks;
  const names = EXECUTION_STATUS[task.kind];
  const d = { done: 0, failedTargets: 0, awaiting: 0, executed: 0, failedExecutions: 0, skippedExecutions: 0 };
  // Outbox messages, records and target states are written once per batch, in multi-row statements.
  const messages: OutboxInsert[] = [];
  const batch: ActionBatch | undefined = careful ? undefined : { outbox: (m) => void messages.push(m) };
  const executions: Omit<ExecutionRecord, 'taskId'>[] = [];
  const missing = (targetId: string): ActionOutcome => ({
    status: 'FAILED',
    errorCode: 'RESOURCE_NOT_FOUND',
    message: `The ${task.kind === 'audit' ? 'finding' : 'violation'} ${targetId} no longer exists.`,
  });

  const runs: TargetRun[] = claimed.map(({ targetId, checkName }) => {
    const subject = subjects.get(targetId);
    const thingName = subject?.kind === 'violation' ? subject.violation.thingName : undefined;
    return { targetId, checkName, subject, actions: actionsFor(task, checkName), thingName, failed: false, waiting: 0 };
  });
  const skip = (r: TargetRun, i: number): void => {
    const at = scope.clock.now();
    const action = r.actions[i];
    executions.push({ targetId: r.targetId, actionIndex: i, actionName: action.name, actionId: action.id, thingName: r.thingName, status: names.skipped, startTime: at, endTime: at, message: 'Skipped because an earlier action for this target failed.' });
    d.skippedExecutions++;
  };
  const record = (r: TargetRun, i: number, outcome: ActionOutcome, started: Date): void => {
    const action = r.actions[i];
    const ended = outcome.status === 'PENDING' ? undefined : scope.clock.now();
    const status = outcome.status === 'SUCCEEDED' ? names.succeeded : outcome.status === 'FAILED' ? names.failed : names.running;
    executions.push({
      targetId: r.targetId, actionIndex: i, actionName: action.name, actionId: action.id, thingName: r.thingName, status, startTime: started, endTime: ended,
      errorCode: outcome.status === 'FAILED' ? outcome.errorCode : undefined,
      message: outcome.message?.slice(0, MESSAGE_MAX),
    });
    if (outcome.status === 'FAILED') {
      r.failed = true;
      d.failedExecutions++;
      d.executed++;
    } else if (outcome.status === 'SUCCEEDED') d.executed++;
    else r.waiting++;
  };
  const one = async (r: TargetRun, i: number): Promise<void> => {
    const started = scope.clock.now();
    record(r, i, r.subject ? await run(tx, scope, r.actions[i], r.subject, handlers, batch) : missing(r.targetId), started);
  };

  if (careful || !indexOrderHolds(runs, handlers)) {
    for (const r of runs) {
      for (let i = 0; i < r.actions.length; i++) {
        if (r.failed) skip(r, i);
        else await one(r, i);
      }
    }
  } else {
    const depth = Math.max(0, ...runs.map((r) => r.actions.length));
    for (let i = 0; i < depth; i++) {
      const byType = new Map<MitigationActionType, TargetRun[]>();
      for (const r of runs) {
        if (i >= r.actions.length) continue;
        if (r.failed) skip(r, i);
        else if (!r.subject) record(r, i, missing(r.targetId), scope.clock.now());
        else {
          const type = actionType(r.actions[i]);
          const group = byType.get(type);
          if (group) group.push(r);
          else byType.set(type, [r]);
        }
      }
      for (const [type, group] of byType) {
        const many = handlers[type].many;
        if (!many) {
          for (const r of group) await one(r, i);
          continue;
        }
        const started = scope.clock.now();
        const outcomes = await many(tx, scope, group.map((r) => ({ action: r.actions[i], subject: r.subject! }))); // a throw fails the batch, which runs again carefully
        group.forEach((r, k) => record(r, i, outcomes[k], started));
      }
    }
  }

  const perCheck = new Map<string, { succeeded: number; failed: number }>();
  const states = new Map<string, string[]>(); // new state → its targets
  for (const r of runs) {
    const state = r.waiting > 0 ? (r.failed ? 'AWAITING_FAILED' : 'AWAITING') : 'DONE';
    const ids = states.get(state);
    if (ids) ids.push(r.targetId);
    else states.set(state, [r.targetId]);
    if (r.waiting > 0) {
      d.awaiting += r.waiting;
      continue;
    }
    d.done++;
    if (r.failed) d.failedTargets++;
    if (r.checkName) {
      const c = perCheck.get(r.checkName) ?? { succeeded: 0, failed: 0 };
      if (r.failed) c.failed++;
      else c.succeeded++;
      perCheck.set(r.checkName, c);
    }
  }
  await tx.outbox.insertMany(messages);
  const moves = [...states].map(([state, targetIds]) => ({ state, from: movesInto(TARGET_TRANSITIONS, state), targetIds }));
  return repo.recordBatch(task, executions, moves, d, perCheck);
}

/**
 * Whether running the batch an action index at a time gives the order target by target would:
 * it does unless a type other than the batchable ones is at two indices of the batch's lists
 * (say check A maps [deactivate, quarantine] and check B [quarantine]), where the two orders
 * differ for two targets that touch the same resource.
 */
function indexOrderHolds(runs: readonly TargetRun[], handlers: ActionRegistry): boolean {
  const at = new Map<MitigationActionType, number>();
  for (const r of runs) {
    for (let i = 0; i < r.actions.length; i++) {
      const type = actionType(r.actions[i]);
      if (handlers[type].batchable) continue;
      const seen = at.get(type);
      if (seen === undefined) at.set(type, i);
      else if (seen !== i) return false;
    }
  }
  return true;
}

async function run(tx: StoreTx, scope: ActionScope, action: ActionDefinition, subject: ActionSubject, handlers: ActionRegistry, batch: ActionBatch | undefined): Promise<ActionOutcome> {
  const handler = handlers[actionType(action)];
  if (handler.batchable && batch) return handler(tx, scope, action, subject, batch); // a throw fails the batch, which runs again carefully
  let outcome: ActionOutcome | undefined;
  try {
    await tx.savepoint(async () => {
      outcome = await handler(tx, scope, action, subject);
      if (outcome.status === 'FAILED') throw new UndoAction();
    });
  } catch (e) {
    if (e instanceof DatabaseUnavailableError) throw e; // the whole batch is retried later
    if (!(e instanceof UndoAction)) {
      outcome = { status: 'FAILED', errorCode: 'INTERNAL_FAILURE', message: `Warden could not apply ${action.name}: ${(e as Error).message}` };
    }
  }
  return outcome!;
}

/** Thrown inside a savepoint to undo a FAILED action's writes. */
class UndoAction extends Error {}
