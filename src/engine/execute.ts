import type { ActionBatch, ActionDefinition, ActionOutcome, ActionRegistry, ActionScope, ActionSubject } from '../actions/types.js';
import type { MitigationActionType } from '../generated/shapes.js';
import type { ExecutionRecord, TaskKey, TaskRecord } from '../store/mitigation-tasks.js';
import { TYPE_OF_MEMBER } from '../actions/params.js';
import { DatabaseUnavailableError } from '../store/driver.js';
import type { OutboxInsert } from '../store/outbox.js';
import type { StoreTx } from '../store/store.js';
import { EXECUTION_STATUS, moveTargets } from './lifecycle.js';

/** Loads the findings or violations a batch acts on, by target id. */
export type SubjectLoader = (tx: StoreTx, task: TaskRecord & TaskKey, targetIds: string[]) => Promise<Map<string, ActionSubject>>;

const MESSAGE_MAX = 2048;

/** The actions each target of a task gets, in order. */
export function actionsFor(task: TaskRecord, checkName: string | null): ActionDefinition[] {
  const names: string[] = task.kind === 'audit' ? ((task.mapping as Record<string, string[]>)[checkName ?? ''] ?? []) : (task.mapping as string[]);
  return names.map((n) => task.actionsDefinition.find((a) => a.name === n) as ActionDefinition);
}

/** The type a stored action's params make (the one member that is set; see the mitigation-action rules). */
export function actionType(a: ActionDefinition): MitigationActionType {
  const member = (Object.keys(TYPE_OF_MEMBER) as (keyof typeof TYPE_OF_MEMBER)[]).find((k) => a.actionParams[k] !== undefined);
  return TYPE_OF_MEMBER[member!];
}

/**
 * Runs every action of the claimed targets inside the caller's transaction: each action in a
 * savepoint (a failure leaves no partial effect) but for batchable ones, which hand their one
 * effect to the batch instead (see ActionHandler), in the order given, the rest SKIPPED after a
 * FAILED one; then records executions, target states and statistics. Effects, records and
 * statistics commit together or not at all. `careful`: a savepoint around every action, the
 * batchable ones too, and no batch (the batch is being run again after something in it threw).
 */
export async function executeTargets(
  tx: StoreTx,
  scope: ActionScope,
  task: TaskRecord & TaskKey,
  claimed: { targetId: string; checkName: string | null }[],
  subjects: Map<string, ActionSubject>,
  handlers: ActionRegistry,
  careful = false,
): Promise<void> {
  const repo = tx.mitigationTasks;
  const names = EXECUTION_STATUS[task.kind];
  const perCheck = new Map<string, { succeeded: number; failed: number }>();
  const d = { done: 0, failedTargets: 0, awaiting: 0, executed: 0, failedExecutions: 0, skippedExecutions: 0 };
  // Outbox messages, records and target states are written once per batch, in multi-row statements.
  const messages: OutboxInsert[] = [];
  const batch: ActionBatch | undefined = careful ? undefined : { outbox: (m) => void messages.push(m) };
  const executions: Omit<ExecutionRecord, 'taskId'>[] = [];
  const states = new Map<string, string[]>();
  const setState = (targetId: string, state: string) => {
    const ids = states.get(state);
    if (ids) ids.push(targetId);
    else states.set(state, [targetId]);
  };

  for (const { targetId, checkName } of claimed) {
    const subject = subjects.get(targetId);
    let failed = false;
    let waiting = 0;
    const actions = actionsFor(task, checkName);
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i];
      const started = scope.clock.now();
      const thingName = subject?.kind === 'violation' ? subject.violation.thingName : undefined;
      if (failed) {
        executions.push({ targetId, actionIndex: i, actionName: action.name, actionId: action.id, thingName, status: names.skipped, startTime: started, endTime: started, message: 'Skipped because an earlier action for this target failed.' });
        d.skippedExecutions++;
        continue;
      }
      const outcome: ActionOutcome = subject
        ? await run(tx, scope, action, subject, handlers, batch)
        : { status: 'FAILED', errorCode: 'RESOURCE_NOT_FOUND', message: `The ${task.kind === 'audit' ? 'finding' : 'violation'} ${targetId} no longer exists.` };
      const ended = outcome.status === 'PENDING' ? undefined : scope.clock.now();
      const status = outcome.status === 'SUCCEEDED' ? names.succeeded : outcome.status === 'FAILED' ? names.failed : names.running;
      executions.push({
        targetId, actionIndex: i, actionName: action.name, actionId: action.id, thingName, status, startTime: started, endTime: ended,
        errorCode: outcome.status === 'FAILED' ? outcome.errorCode : undefined,
        message: outcome.message?.slice(0, MESSAGE_MAX),
      });
      if (outcome.status === 'FAILED') {
        failed = true;
        d.failedExecutions++;
        d.executed++;
      } else if (outcome.status === 'SUCCEEDED') d.executed++;
      else waiting++;
    }
    if (waiting > 0) {
      d.awaiting += waiting;
      setState(targetId, failed ? 'AWAITING_FAILED' : 'AWAITING');
      continue;
    }
    setState(targetId, 'DONE');
    d.done++;
    if (failed) d.failedTargets++;
    if (checkName) {
      const c = perCheck.get(checkName) ?? { succeeded: 0, failed: 0 };
      if (failed) c.failed++;
      else c.succeeded++;
      perCheck.set(checkName, c);
    }
  }
  await tx.outbox.insertMany(messages);
  await repo.insertExecutions(task, executions);
  for (const [state, ids] of states) await moveTargets(repo, task, ids, state);
  for (const [checkName, c] of perCheck) await repo.bumpStats(task, task.taskId, checkName, c);
  await repo.bump(task, d);
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
